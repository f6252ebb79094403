package telegram

import (
	"context"
	"errors"
	"time"

	tgbot "github.com/go-telegram/bot"
	"golang.org/x/time/rate"
)

// Strangers cost neither memory nor the owner's time (issue 21, item 5):
// their refusals do not get a queue and a goroutine per chat (2,000
// strangers kept ~2,000 goroutines), they wait in one bounded queue served
// by one worker, and that worker only spends sending capacity that is
// free at the moment — it never reserves the global limiter ahead of an
// allowed user's reply (300 strangers had delayed an owner reply by 9 s).
// Refusals are a courtesy: when the queue is full the reply is dropped
// (every refusal is still logged).

// maxRefusalQueue bounds the refusals waiting to be sent.
const maxRefusalQueue = 100

// maxRefused bounds the senders remembered for the one-reply-per-interval
// throttle.
const maxRefused = 10_000

// refusal is one reply to a stranger: a message, or the answer to their
// button press.
type refusal struct {
	chat    int64
	thread  int
	text    string
	queryID string // set: answer this callback query instead of sending
}

// queueRefusal adds r to the refusal queue, or drops it when full.
func (b *Bot) queueRefusal(r refusal) {
	select {
	case b.refusals <- r:
	default:
		b.log.Debug("telegram: refusal reply dropped: too many strangers at once", "chat", r.chat)
	}
}

// runRefusals sends queued refusals until stop is closed. It sends one
// only when the global limiter has a token free now and its own limiter
// allows it, so allowed users' replies never wait behind refusals.
func (b *Bot) runRefusals(ctx context.Context, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	own := rate.NewLimiter(b.limits.Refusals, b.limits.RefusalsBurst)
	for {
		var r refusal
		select {
		case r = <-b.refusals:
		case <-stop:
			return
		}
		for {
			now := b.clock.Now()
			globalFree := b.limits.Global == rate.Inf || b.global.TokensAt(now) >= 1
			if globalFree && own.AllowN(now, 1) && b.global.AllowN(now, 1) {
				break
			}
			wait := time.Second / 10
			if b.limits.Refusals != rate.Inf && b.limits.Refusals > 0 {
				wait = max(wait, time.Duration(float64(time.Second)/float64(b.limits.Refusals)))
			}
			select {
			case <-b.clock.After(wait):
			case <-stop:
				return
			}
		}
		if r.chat < 0 && !b.groupSlot(r.chat) {
			b.log.Debug("telegram: refusal reply dropped: the group's minute is full", "chat", r.chat)
			continue
		}
		b.sendRefusal(ctx, r)
	}
}

// groupSlot takes a slot in the group's window when hoga already sends to
// it (the alert group), without waiting: refusals never push its alerts
// past Telegram's 20 a minute.
func (b *Bot) groupSlot(chat int64) bool {
	b.mu.Lock()
	ob := b.outboxes[chat]
	b.mu.Unlock()
	if ob == nil || ob.perGroup == nil {
		return true
	}
	return ob.perGroup.take(b.clock.Now()) == 0
}

func (b *Bot) sendRefusal(ctx context.Context, r refusal) {
	if r.queryID != "" {
		b.answer(ctx, r.queryID, r.text, true)
		return
	}
	it := &item{op: opSend, thread: r.thread, text: r.text}
	_, err := b.call(ctx, r.chat, it)
	var tooMany *tgbot.TooManyRequestsError
	if errors.As(err, &tooMany) {
		b.sleep(ctx, time.Duration(max(tooMany.RetryAfter, 1))*time.Second) // slow the refusals, drop this one
	}
	if err != nil {
		b.log.Debug("telegram: refusal reply not sent", "chat", r.chat, "err", b.scrub(err))
	}
}

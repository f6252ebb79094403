package telegram

import (
	"slices"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/bot"
)

// Confirmation prompts on a phone (issue 19, item 11): a prompt's buttons
// work until bot.Reply.Expires. When that passes unpressed, the message is
// edited at once to say so and loses its buttons (they stayed
// live-looking until pressed); a prompt that could only be delivered with
// almost no time left — after a queue or a 429 — is sent as an expired one,
// never as a live one.

// promptLead is the least time a prompt must have left when it is sent
// to be shown with live buttons: a person needs a moment to press.
const promptLead = 3 * time.Second

// expireIfLate turns a prompt that is about to be sent too late into its
// expired form: the text with the expiry note, no buttons.
func (b *Bot) expireIfLate(it *item) {
	if it.op != opSend || len(it.buttons) == 0 || it.expires.IsZero() {
		return
	}
	if left := it.expires.Sub(b.clock.Now()); left >= promptLead {
		return
	}
	b.log.Warn("telegram: a confirmation prompt could only be delivered after it expired; sent without its buttons")
	it.text += bot.Text(b.router.Lang(), "confirm.expired_note")
	it.buttons, it.expires = nil, time.Time{}
}

// livePrompt is a sent prompt whose buttons still work. group names its
// buttons' data: the copies of one prompt sent to several owners' private
// chats (no alert chat, or it was lost) share it, so an answer in one chat
// closes the others instead of leaving them live-looking (issue 19,
// item 11).
type livePrompt struct {
	text   string
	group  string
	thread int
}

// promptGroup identifies a prompt by all its buttons' data.
func promptGroup(buttons []bot.Button) string {
	data := make([]string, len(buttons))
	for i, bt := range buttons {
		data[i] = bt.Data
	}
	return strings.Join(data, "\n")
}

// watchPrompt edits a sent prompt when it expires, unless it was pressed
// first (forgetPrompt).
func (b *Bot) watchPrompt(chat int64, msgID int, it *item) {
	key := msgKey{chat: chat, msg: msgID}
	group := promptGroup(it.buttons)
	b.mu.Lock()
	// A copy whose prompt was answered in another chat before this copy's
	// send came back takes the outcome now: it was left live until expiry
	// when the press won the race with the send (issue 12.16).
	for _, data := range strings.Split(group, "\n") {
		if a, ok := b.answered[data]; ok {
			b.mu.Unlock()
			b.edit(key, destination{chat: chat, thread: it.thread}, bot.Reply{Text: a.outcome}, false)
			return
		}
	}
	if b.prompts == nil {
		b.prompts = map[msgKey]livePrompt{}
	}
	b.prompts[key] = livePrompt{text: it.text, group: group, thread: it.thread}
	stopping := b.stopping
	b.mu.Unlock()
	// The timer is armed at the expiry instant, not for a duration from a
	// fresh Now: a clock that moved between the two (a fake clock stepped
	// by a test on a loaded machine: TestPressRefusals/late_press) left the
	// prompt live until one more full wait.
	expired := b.clock.Until(it.expires)
	b.timers.Add(1)
	go func() {
		defer b.timers.Done()
		select {
		case <-expired.C():
		case <-stopping:
			expired.Stop()
			return
		}
		b.mu.Lock()
		p, live := b.prompts[key]
		delete(b.prompts, key)
		b.mu.Unlock()
		if !live {
			return
		}
		b.edit(key, destination{chat: chat, thread: it.thread}, bot.Reply{Text: p.text + bot.Text(b.router.Lang(), "confirm.expired_note")}, false)
	}()
}

// forgetPrompt stops watching a prompt that was answered.
func (b *Bot) forgetPrompt(key msgKey) {
	b.mu.Lock()
	delete(b.prompts, key)
	b.mu.Unlock()
}

// answeredPrompt is the outcome of a prompt answered at at, for a copy
// whose send completes after the answer.
type answeredPrompt struct {
	outcome string
	at      time.Time
}

// answeredFor is how long an answer is kept for late copies: longer than
// a send can be held back (a queue, a 429).
const answeredFor = 10 * time.Minute

// takeCopies stops watching every live prompt that carries a button with
// data — the other owners' copies of a prompt just answered — and returns
// them for closeCopies with the outcome, which it keeps for a copy whose
// send has not completed yet (watchPrompt).
func (b *Bot) takeCopies(data, outcome string) (map[msgKey]livePrompt, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	for d, a := range b.answered {
		if now.Sub(a.at) > answeredFor {
			delete(b.answered, d)
		}
	}
	if b.answered == nil {
		b.answered = map[string]answeredPrompt{}
	}
	b.answered[data] = answeredPrompt{outcome: outcome, at: now}
	var copies map[msgKey]livePrompt
	for k, p := range b.prompts {
		if slices.Contains(strings.Split(p.group, "\n"), data) {
			if copies == nil {
				copies = map[msgKey]livePrompt{}
			}
			copies[k] = p
			delete(b.prompts, k)
		}
	}
	return copies, outcome
}

// closeCopies edits the other copies of an answered prompt to its outcome,
// without buttons, so no owner is left looking at a live [확인] for an
// order that was already confirmed or refused elsewhere.
func (b *Bot) closeCopies(copies map[msgKey]livePrompt, outcome string) {
	for k, p := range copies {
		b.edit(k, destination{chat: k.chat, thread: p.thread}, bot.Reply{Text: outcome}, false)
	}
}

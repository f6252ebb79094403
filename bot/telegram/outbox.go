package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"

	"github.com/hoga-trade/hoga/bot"
)

// inlineKeyboard and inlineButton are reply_markup as the Bot API wants
// it. The library's models.InlineKeyboardButton always serialises
// "copy_text":{"text":""}, which Telegram refuses (BUTTON_COPY_TEXT_INVALID).
type inlineKeyboard struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

// keyboard lays buttons out in one row, as bot.Reply describes them.
func keyboard(buttons []bot.Button) inlineKeyboard {
	row := make([]inlineButton, len(buttons))
	for i, btn := range buttons {
		row[i] = inlineButton{Text: btn.Text, CallbackData: btn.Data}
	}
	return inlineKeyboard{InlineKeyboard: [][]inlineButton{row}}
}

func checkButtons(buttons []bot.Button) error {
	for _, btn := range buttons {
		if btn.Text == "" || btn.Data == "" || len(btn.Data) > 64 {
			return fmt.Errorf("telegram: button %q: label and callback data (1–64 bytes) are required", btn.Text)
		}
	}
	return nil
}

var noPreview = &models.LinkPreviewOptions{IsDisabled: tgbot.True()}

type opKind int

const (
	opSend   opKind = iota // sendMessage
	opEdit                 // editMessageText (no buttons given: the keyboard goes)
	opMarkup               // editMessageReplyMarkup to an empty keyboard
)

// item is one API call waiting in a chat's queue.
type item struct {
	op      opKind
	thread  int
	msgID   int // opEdit, opMarkup
	text    string
	plain   bool // Telegram refused the HTML: send it stripped
	buttons []bot.Button
	silent  bool
	alert   bool        // an alert: follows the alert chat's fallbacks
	done    chan error  // buffered; nil when nobody waits
	after   func(error) // called once when the item is finished; nil: none
	moves   int         // migrations followed
	// expires marks a confirmation prompt: sent as expired when it can
	// only arrive too late, and edited when it expires (prompts.go).
	expires time.Time
	// keyboard is a reply keyboard to show with a message (no inline
	// buttons: Telegram takes one markup per message).
	keyboard [][]string
	// queued is when an alert was handed over, that is when its event
	// happened; unstamped is its text before stampIfLate added how late it
	// is (empty until then), so each resend says how late it is now.
	queued    time.Time
	unstamped string
	// photo makes an opSend a sendPhoto with text as its caption (at
	// most bot.MaxCaption; photoItems sends the rest as messages).
	photo *bot.Photo
}

func (it *item) finish(err error) {
	if it.after != nil {
		it.after(err)
		it.after = nil
	}
	if it.done != nil {
		it.done <- err
	}
}

// outbox is one chat's queue and its worker.
type outbox struct {
	perChat  *rate.Limiter
	perGroup *window // nil for private chats

	mu     sync.Mutex
	chat   int64 // where it sends now (changes when a group migrates)
	items  []*item
	wake   chan struct{}
	exited bool
}

func (b *Bot) newOutbox(chat int64) *outbox {
	ob := &outbox{chat: chat, wake: make(chan struct{}, 1), perChat: rate.NewLimiter(b.limits.PerChat, b.limits.PerChatBurst)}
	if chat < 0 && b.limits.PerGroup != rate.Inf {
		ob.perGroup = newWindow(max(1, int(float64(b.limits.PerGroup)*60)), time.Minute)
	}
	return ob
}

func (ob *outbox) target() int64 {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	return ob.chat
}

func (ob *outbox) push(items []*item, urgent bool, max int) error {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	if ob.exited {
		return errStopped
	}
	if len(ob.items)+len(items) > max {
		return fmt.Errorf("telegram: %d messages already waiting for chat %d", len(ob.items), ob.chat)
	}
	if urgent {
		ob.items = append(append([]*item(nil), items...), ob.items...)
	} else {
		ob.items = append(ob.items, items...)
	}
	select {
	case ob.wake <- struct{}{}:
	default:
	}
	return nil
}

// pop takes the next item; when the queue is empty and stopping is set it
// marks the outbox exited (later pushes fail) and returns exit = true.
func (ob *outbox) pop(stopping bool) (it *item, exit bool) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	if len(ob.items) == 0 {
		if stopping {
			ob.exited = true
			return nil, true
		}
		return nil, false
	}
	it = ob.items[0]
	ob.items = ob.items[1:]
	return it, false
}

// enqueue queues items for dest's chat, creating its queue (and, once Run
// has started, its worker) on first use.
func (b *Bot) enqueue(dest destination, items []*item, urgent bool) error {
	if len(items) == 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock() // held while pushing: an idle worker retires under b.mu
	ob := b.outboxes[dest.chat]
	if ob == nil {
		if b.state >= stateStopping {
			return errStopped
		}
		ob = b.newOutbox(dest.chat)
		b.outboxes[dest.chat] = ob
		if b.state == stateRunning {
			b.startWorkerLocked(ob)
		}
	}
	return ob.push(items, urgent, b.cfg.MaxQueue)
}

// retire ends an idle outbox: it leaves the map (a later message makes a
// new one) so a chat that went quiet costs no goroutine. False when
// something was queued meanwhile.
func (b *Bot) retire(ob *outbox) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	ob.mu.Lock()
	defer ob.mu.Unlock()
	if len(ob.items) > 0 || ob.exited {
		return false
	}
	ob.exited = true
	for k, v := range b.outboxes {
		if v == ob {
			delete(b.outboxes, k)
		}
	}
	if b.retired != nil {
		b.retired(ob.chat)
	}
	return true
}

func (b *Bot) startWorkerLocked(ob *outbox) {
	b.workers.Add(1)
	go b.work(b.sendCtx, ob, b.stopping)
}

// work sends ob's items in order until stopping is closed and the queue
// is empty, or ctx ends (the grace period is over).
func (b *Bot) work(ctx context.Context, ob *outbox, stopping <-chan struct{}) {
	defer b.workers.Done()
	for {
		stop := false
		select {
		case <-stopping:
			stop = true
		default:
		}
		it, exit := ob.pop(stop)
		if exit {
			return
		}
		if it == nil {
			idle := time.NewTimer(b.cfg.IdleQueue) // resource upkeep, not logic: wall clock
			select {
			case <-ob.wake:
			case <-stopping:
			case <-ctx.Done():
			case <-idle.C:
				if b.retire(ob) {
					return
				}
			}
			idle.Stop()
			if ctx.Err() != nil {
				b.abandon(ob)
				return
			}
			continue
		}
		b.deliver(ctx, ob, it)
		if ctx.Err() != nil {
			b.abandon(ob)
			return
		}
	}
}

func (b *Bot) abandon(ob *outbox) {
	ob.mu.Lock()
	n := len(ob.items)
	for _, it := range ob.items {
		it.finish(errStopped)
	}
	ob.items, ob.exited = nil, true
	chat := ob.chat
	ob.mu.Unlock()
	if n > 0 {
		b.log.Warn("telegram: messages not sent before shutdown", "chat", chat, "count", n)
	}
}

// deliver makes one item's call until it succeeds or can never succeed.
func (b *Bot) deliver(ctx context.Context, ob *outbox, it *item) {
	backoff := time.Second
	for {
		chat := ob.target()
		if !b.waitTurn(ctx, ob) {
			it.finish(ctx.Err())
			return
		}
		b.expireIfLate(it)
		b.stampIfLate(it)
		msgID, err := b.call(ctx, chat, it)
		if err == nil && it.op == opSend && len(it.buttons) > 0 && !it.expires.IsZero() {
			b.watchPrompt(chat, msgID, it)
		}
		if err == nil {
			it.finish(nil)
			return
		}
		var tooMany *tgbot.TooManyRequestsError
		var migrate *tgbot.MigrateError
		switch {
		case errors.As(err, &tooMany):
			wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
			b.log.Warn("telegram: Telegram asked to slow down; resending after retry_after", "chat", chat, "retry_after", wait)
			if !b.sleep(ctx, wait) {
				it.finish(ctx.Err())
				return
			}
		case errors.As(err, &migrate) && it.moves < 5:
			it.moves++
			b.migrate(ob, chat, int64(migrate.MigrateToChatID))
		case errors.Is(err, tgbot.ErrorForbidden):
			b.forbidden(chat, it, err, "forbidden")
			it.finish(b.scrub(err))
			return
		case errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "chat not found") && it.alert:
			b.forbidden(chat, it, err, "not_found")
			it.finish(b.scrub(err))
			return
		case it.op != opMarkup && !it.plain && strings.Contains(err.Error(), "can't parse entities"):
			b.log.Error("telegram: Telegram refused the message's HTML; resending it as plain text", "chat", chat, "err", b.scrub(err))
			it.plain = true
		case it.op != opSend && strings.Contains(err.Error(), "message is not modified"):
			it.finish(nil)
			return
		case it.op == opEdit && errors.Is(err, tgbot.ErrorBadRequest):
			b.log.Warn("telegram: could not edit the message; sending the text as a new one", "chat", chat, "err", b.scrub(err))
			it.op = opSend
		case errors.Is(err, tgbot.ErrorBadRequest), errors.Is(err, tgbot.ErrorNotFound), errors.As(err, &migrate):
			b.log.Error("telegram: Telegram refused the message; dropped", "chat", chat, "err", b.scrub(err))
			it.finish(b.scrub(err))
			return
		default: // network trouble, a server error or a refused token (401: revoked, and
			// perhaps restored): try again, later each time — an alert of a fill
			// during a Telegram outage arrives late rather than never
			if ctx.Err() != nil {
				it.finish(ctx.Err())
				return
			}
			b.log.Warn("telegram: sending failed; retrying", "chat", chat, "err", b.scrub(err), "in", backoff)
			if !b.retrySleep(ctx, backoff) {
				it.finish(ctx.Err())
				return
			}
			backoff = min(backoff*2, 30*time.Second)
		}
	}
}

// lateAlert is how late an alert may arrive before it says when its event
// happened: after an outage a fill read at 21:50 happened at 21:45.
const lateAlert = time.Minute

// stampIfLate adds to an alert that goes out lateAlert or more after its
// event the time of the event and how late it is, so an owner reading a
// backlog after a Telegram outage knows when each thing happened.
func (b *Bot) stampIfLate(it *item) {
	if !it.alert || it.op != opSend || it.queued.IsZero() {
		return
	}
	late := b.clock.Now().Sub(it.queued)
	if late < lateAlert {
		return
	}
	lang := b.router.Lang()
	stamp := "\n" + bot.Text(lang, "alert.late", bot.KSTClock(it.queued), bot.Duration(lang, late.Truncate(time.Second)))
	if it.unstamped == "" {
		it.unstamped = it.text
	}
	limit := maxMessageLength
	if it.photo != nil {
		limit = bot.MaxCaption
	}
	if units(it.unstamped+stamp) > limit {
		return // a full part: better unstamped than split again
	}
	// From the text as it was: a resend after another failed minute says
	// how late it is now (the trial's first cut said "1분 1초" of a fill
	// delivered five minutes late).
	it.text = it.unstamped + stamp
}

// waitTurn waits until the chat's and the global limiter and the group's window all
// allow one more message, on the injected clock.
func (b *Bot) waitTurn(ctx context.Context, ob *outbox) bool {
	for _, l := range []*rate.Limiter{ob.perChat, b.global} {
		now := b.clock.Now()
		r := l.ReserveN(now, 1)
		if !r.OK() { // a zero burst: the limiter can never allow one; do not wait forever
			continue
		}
		if d := r.DelayFrom(now); d > 0 {
			// Until the reserved instant, not d from a later Now: a
			// clock that moved meanwhile must not push the send back.
			timer := b.clock.Until(now.Add(d))
			select {
			case <-timer.C():
			case <-ctx.Done():
				timer.Stop()
				r.CancelAt(b.clock.Now())
				return false
			}
		}
	}
	// The group's window last, so the time it records is the send's.
	for ob.perGroup != nil {
		now := b.clock.Now()
		d := ob.perGroup.take(now)
		if d <= 0 {
			break
		}
		timer := b.clock.Until(now.Add(d))
		select {
		case <-timer.C():
		case <-ctx.Done():
			timer.Stop()
			return false
		}
	}
	return ctx.Err() == nil
}

// window allows at most n events in any period: Telegram's "20 messages
// a minute in a group" counted the way Telegram counts it.
type window struct {
	n      int
	period time.Duration
	mu     sync.Mutex
	sent   []time.Time // the last n events, oldest first
}

func newWindow(n int, period time.Duration) *window { return &window{n: n, period: period} }

// take records an event at now and returns 0, or returns how long to wait
// before one fits (nothing recorded).
func (w *window) take(now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.sent) > 0 && now.Sub(w.sent[0]) >= w.period {
		w.sent = w.sent[1:]
	}
	if len(w.sent) >= w.n {
		return w.sent[0].Add(w.period).Sub(now)
	}
	w.sent = append(w.sent, now)
	return 0
}

// call makes the API request for it and returns the id of the message
// sent or edited.
func (b *Bot) call(ctx context.Context, chat int64, it *item) (int, error) {
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	text, mode := it.text, models.ParseModeHTML
	if it.plain {
		text, mode = bot.StripHTML(it.text), ""
	}
	switch it.op {
	case opEdit:
		p := &tgbot.EditMessageTextParams{ChatID: chat, MessageID: it.msgID, Text: text, ParseMode: mode, LinkPreviewOptions: noPreview}
		if len(it.buttons) > 0 {
			p.ReplyMarkup = keyboard(it.buttons)
		}
		_, err := b.api.EditMessageText(rctx, p)
		b.apiCall("editMessageText", err)
		return it.msgID, err
	case opMarkup:
		_, err := b.api.EditMessageReplyMarkup(rctx, &tgbot.EditMessageReplyMarkupParams{ChatID: chat, MessageID: it.msgID,
			ReplyMarkup: inlineKeyboard{InlineKeyboard: [][]inlineButton{}}})
		b.apiCall("editMessageReplyMarkup", err)
		return it.msgID, err
	}
	if it.photo != nil {
		// Multipart upload: the reader is made anew for every attempt.
		p := &tgbot.SendPhotoParams{ChatID: chat, MessageThreadID: it.thread, Caption: text, ParseMode: mode,
			DisableNotification: it.silent,
			Photo:               &models.InputFileUpload{Filename: it.photo.Name, Data: bytes.NewReader(it.photo.PNG)}}
		if text == "" {
			p.ParseMode = ""
		}
		if len(it.buttons) > 0 {
			p.ReplyMarkup = keyboard(it.buttons)
		}
		m, err := b.api.SendPhoto(rctx, p)
		b.apiCall("sendPhoto", err)
		if err != nil {
			return 0, err
		}
		return m.ID, nil
	}
	p := &tgbot.SendMessageParams{ChatID: chat, MessageThreadID: it.thread, Text: text, ParseMode: mode,
		DisableNotification: it.silent, LinkPreviewOptions: noPreview}
	if len(it.buttons) > 0 {
		p.ReplyMarkup = keyboard(it.buttons)
	} else if len(it.keyboard) > 0 {
		p.ReplyMarkup = newReplyKeyboard(it.keyboard)
	}
	m, err := b.api.SendMessage(rctx, p)
	b.apiCall("sendMessage", err)
	if err != nil {
		return 0, err
	}
	return m.ID, nil
}

// migrate follows a group that became a supergroup: the queue sends to the
// new id from now on, and the alert chat moves with it.
func (b *Bot) migrate(ob *outbox, from, to int64) {
	b.mu.Lock()
	ob.mu.Lock()
	ob.chat = to
	ob.mu.Unlock()
	if _, ok := b.outboxes[to]; !ok {
		b.outboxes[to] = ob
	}
	wasAlert := b.alertChat == from
	if wasAlert {
		b.alertChat = to
	}
	b.mu.Unlock()
	if wasAlert {
		b.log.Error("telegram: the alert chat was upgraded to a supergroup; following it — set HOGA_TELEGRAM_ALERT_CHAT to the new id",
			"old_chat", from, "new_chat", to)
		return
	}
	b.log.Error("telegram: a chat was upgraded to a supergroup; following it", "old_chat", from, "new_chat", to)
}

// forbidden handles a 403 (the bot was removed from a group or blocked by
// a user) and a 400 "chat not found" for an alert (the alert chat was
// deleted or its id is wrong): an alert for the alert chat goes to the
// allowed users' private chats instead, and so does every alert after it
// (why is "forbidden" or "not_found").
func (b *Bot) forbidden(chat int64, it *item, err error, why string) {
	b.mu.Lock()
	toAlertChat := it.alert && it.op == opSend && b.alertChat != 0 && chat == b.alertChat
	b.mu.Unlock()
	if !toAlertChat {
		b.log.Warn("telegram: the bot may not post in this chat (blocked by the user or removed from the group); message dropped",
			"chat", chat, "err", b.scrub(err))
		return
	}
	b.loseAlertChat(chat, why)
	for _, id := range b.cfg.Allowed {
		cp := &item{op: opSend, text: it.text, buttons: it.buttons, silent: it.silent, alert: true, expires: it.expires, photo: it.photo}
		if qerr := b.enqueue(destination{chat: id}, []*item{cp}, false); qerr != nil {
			b.log.Error("telegram: alert lost: could not queue it for a private chat", "chat", id, "err", qerr)
		}
	}
}

// loseAlertChat moves the alert feed to the allowed users' private chats;
// the first time, it logs loudly and tells them why.
func (b *Bot) loseAlertChat(chat int64, why string) {
	b.mu.Lock()
	first := b.alertChat != 0 && chat == b.alertChat && !b.alertDead
	if first {
		b.alertDead = true
	}
	b.mu.Unlock()
	if !first {
		return
	}
	b.log.Error("telegram: the bot may not post in the alert chat (removed, blocked or the chat is gone); alerts now go to the allowed users' private chats — add the bot back or fix HOGA_TELEGRAM_ALERT_CHAT",
		"chat", chat, "why", why)
	lang := b.router.Lang()
	notice := bot.Text(lang, "alert.fallback", chat, bot.Text(lang, "alert.fallback."+why))
	for _, id := range b.cfg.Allowed {
		if err := b.enqueue(destination{chat: id}, []*item{{op: opSend, text: notice, alert: true}}, false); err != nil {
			b.log.Error("telegram: could not queue the alert-chat notice", "chat", id, "err", err)
		}
	}
}

// sendItems turns a message into queued sends: split to Telegram's length
// limit, buttons on the last part.
func (b *Bot) sendItems(text string, buttons []bot.Button, silent, alert bool, thread int, expires time.Time) []*item {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	parts := splitHTML(text, maxMessageLength)
	items := make([]*item, len(parts))
	for i, p := range parts {
		items[i] = &item{op: opSend, thread: thread, text: p, silent: silent, alert: alert}
		if alert {
			items[i].queued = b.clock.Now()
		}
	}
	if len(buttons) > 0 {
		last := items[len(items)-1]
		last.buttons = buttons
		last.expires = expires
		b.rememberOffer(buttons)
	}
	return items
}

// photoItems turns a picture and its caption into queued sends: the
// photo with as much of the text as a caption holds (bot.MaxCaption, cut
// where splitHTML cuts), the rest as messages after it, buttons on the
// last. Photos wait their turn in the chat's queue like any message: the
// same rate limits, retries and fallbacks.
func (b *Bot) photoItems(text string, photo *bot.Photo, buttons []bot.Button, silent, alert bool, thread int) []*item {
	caption, rest := text, ""
	if strings.TrimSpace(text) != "" && units(text) > bot.MaxCaption {
		parts := splitHTML(text, bot.MaxCaption)
		// The cut falls at a line end: the caption does not end in it.
		caption, rest = strings.TrimRight(parts[0], "\n"), strings.Join(parts[1:], "")
	}
	name := photo.Name
	if name == "" {
		name = "chart.png"
	}
	it := &item{op: opSend, thread: thread, text: caption, silent: silent, alert: alert, photo: &bot.Photo{PNG: photo.PNG, Name: name}}
	if alert {
		it.queued = b.clock.Now()
	}
	items := append([]*item{it}, b.sendItems(rest, nil, silent, alert, thread, time.Time{})...)
	if len(buttons) > 0 {
		items[len(items)-1].buttons = buttons
		b.rememberOffer(buttons)
	}
	return items
}

// reply queues a reply to a command.
func (b *Bot) reply(dest destination, r bot.Reply) {
	if err := checkButtons(r.Buttons); err != nil {
		b.log.Error("telegram: reply has invalid buttons; sent without them", "err", err)
		r.Buttons = nil
	}
	items := b.sendItems(r.Text, r.Buttons, false, false, dest.thread, r.Expires)
	if r.Photo != nil {
		items = b.photoItems(r.Text, r.Photo, r.Buttons, false, false, dest.thread)
	}
	if err := b.enqueue(dest, items, false); err != nil {
		b.log.Error("telegram: reply not queued", "chat", dest.chat, "err", err)
	}
}

// replyWithKeyboard queues a reply that also brings up the reply keyboard.
func (b *Bot) replyWithKeyboard(dest destination, r bot.Reply) {
	items := b.sendItems(r.Text, nil, false, false, dest.thread, time.Time{})
	if len(items) > 0 {
		items[len(items)-1].keyboard = b.cfg.Keyboard
	}
	if err := b.enqueue(dest, items, false); err != nil {
		b.log.Error("telegram: reply not queued", "chat", dest.chat, "err", err)
	}
}

// edit queues r as the new text of message key; text beyond the first
// part follows as new messages. The channel reports the edit's outcome.
func (b *Bot) edit(key msgKey, dest destination, r bot.Reply, urgent bool) <-chan error {
	done := make(chan error, 1)
	if err := checkButtons(r.Buttons); err != nil {
		b.log.Error("telegram: reply has invalid buttons; sent without them", "err", err)
		r.Buttons = nil
	}
	if strings.TrimSpace(r.Text) == "" { // nothing to show: just drop the keyboard
		if err := b.enqueue(destination{chat: key.chat}, []*item{{op: opMarkup, msgID: key.msg, done: done}}, urgent); err != nil {
			done <- err
		}
		return done
	}
	parts := splitHTML(r.Text, maxMessageLength)
	items := []*item{{op: opEdit, msgID: key.msg, thread: dest.thread, text: parts[0], done: done}}
	for _, p := range parts[1:] {
		items = append(items, &item{op: opSend, thread: dest.thread, text: p})
	}
	if len(r.Buttons) > 0 {
		last := items[len(items)-1]
		last.buttons = r.Buttons
		b.rememberOffer(r.Buttons)
	}
	if err := b.enqueue(destination{chat: key.chat, thread: dest.thread}, items, urgent); err != nil {
		b.log.Error("telegram: edit not queued", "chat", key.chat, "err", err)
		done <- err
	}
	return done
}

// removeButtons queues the removal of a dead prompt's keyboard.
func (b *Bot) removeButtons(key msgKey, dest destination) {
	if err := b.enqueue(dest, []*item{{op: opMarkup, msgID: key.msg}}, false); err != nil {
		b.log.Warn("telegram: could not queue removing dead buttons", "chat", key.chat, "err", err)
	}
}

// SendAlert queues an alert for the alert chat (its topic), or for each
// allowed user's private chat when there is none or it refused the bot.
// It never waits for Telegram; it fails only when the queue is full or
// the Bot has stopped.
func (b *Bot) SendAlert(_ context.Context, a bot.Alert) error {
	if err := checkButtons(a.Buttons); err != nil {
		return err
	}
	var errs []error
	targets := b.alertTargets()
	if id, err := strconv.ParseInt(a.Notify, 10, 64); err == nil && a.Notify != "" {
		// The requester hears of their order's fill even when alerts go
		// to a group they may not read (issue 14); only an allowed user.
		mine := false
		for _, d := range targets {
			mine = mine || (d.private && d.chat == id)
		}
		if !mine && slices.Contains(b.cfg.Allowed, id) {
			targets = append(targets, destination{chat: id, private: true})
		}
	}
	// The private chat the command's reply already went to does not get
	// the alert again.
	var dests []destination
	var queued [][]*item
	for _, d := range targets {
		if d.private && a.Echo == "telegram" && strconv.FormatInt(d.chat, 10) == a.EchoUser {
			continue
		}
		dests = append(dests, d)
		if a.Photo != nil {
			queued = append(queued, b.photoItems(a.Text, a.Photo, a.Buttons, a.Silent, true, d.thread))
			continue
		}
		queued = append(queued, b.sendItems(a.Text, a.Buttons, a.Silent, true, d.thread, a.Expires))
	}
	if a.Delivered != nil {
		// Delivered once every chat meant to have it has every part: the
		// tracker then marks the fill told, and a restart before that
		// re-sends it (issue 14). Any failure leaves it unmarked.
		var pending atomic.Int64
		var failed atomic.Bool
		for _, items := range queued {
			pending.Add(int64(len(items)))
		}
		for _, items := range queued {
			for _, it := range items {
				it.after = func(err error) {
					if err != nil {
						failed.Store(true)
					}
					if pending.Add(-1) == 0 && !failed.Load() {
						a.Delivered()
					}
				}
			}
		}
	}
	for i, d := range dests {
		if err := b.enqueue(d, queued[i], false); err != nil {
			errs = append(errs, fmt.Errorf("telegram: alert for chat %d: %w", d.chat, err))
		}
	}
	return errors.Join(errs...)
}

func (b *Bot) alertTargets() []destination {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.alertChat != 0 && !b.alertDead {
		return []destination{{chat: b.alertChat, thread: b.alertTopic}}
	}
	out := make([]destination, len(b.cfg.Allowed))
	for i, id := range b.cfg.Allowed {
		out[i] = destination{chat: id, private: true}
	}
	return out
}

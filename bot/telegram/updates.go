package telegram

import (
	"context"
	"errors"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/hoga-trade/hoga/bot"
)

// destination is where a reply goes: a chat and, in a forum, a topic.
type destination struct {
	chat   int64
	thread int
	// private marks an allowed user's own chat used as the alert feed
	// (no alert chat configured, or it was lost).
	private bool
}

// onUpdate runs on the poll loop, one update at a time, so it must only
// check the sender and hand the work over.
func (b *Bot) onUpdate(ctx context.Context, u *models.Update) {
	switch {
	case u.MyChatMember != nil:
		b.onChatMember(u.MyChatMember)
	case u.Message != nil:
		b.onMessage(ctx, u.Message, false)
	case u.ChannelPost != nil:
		b.onMessage(ctx, u.ChannelPost, true)
	case u.CallbackQuery != nil:
		b.onCallback(ctx, u.CallbackQuery)
	case u.EditedMessage != nil:
		b.log.Debug("telegram: ignored an edited message (edits are not executed)", "chat", u.EditedMessage.Chat.ID)
	}
}

func (b *Bot) onMessage(ctx context.Context, m *models.Message, channel bool) {
	text := strings.TrimSpace(m.Text)
	if text == "" {
		return // photos, joins and other service messages
	}
	word := strings.Fields(text)[0]
	isCmd := strings.HasPrefix(word, "/")
	if m.Chat.Type != models.ChatTypePrivate && !isCmd {
		return // group conversation is not addressed to the bot
	}
	if isCmd && !b.addressedToMe(word) {
		return // /price@other_bot
	}
	dest := destination{chat: m.Chat.ID}
	if m.IsTopicMessage {
		dest.thread = m.MessageThreadID
	}
	sender, reason := b.sender(m, channel)
	if reason != "" {
		b.refuse(dest, sender, reason, word)
		return
	}
	if m.Chat.Type == models.ChatTypePrivate {
		b.retryMenu(ctx, m.From.ID)
	}
	sent := time.Unix(int64(m.Date), 0)
	c, _ := bot.LookupCommand(word) // the zero Command (unknown) only reads
	if ahead := sent.Sub(b.clock.Now()); ahead > maxFuture && c.Acts {
		// Telegram dates a message when it receives it: one from the future
		// was forged or replayed, or a clock is badly wrong (issue 20, item 6).
		b.log.Warn("telegram: refused an order command dated in the future", "user", sender, "chat", dest.chat,
			"command", "/"+c.Name, "ahead", ahead, "date", sent.UTC())
		b.reply(dest, bot.Reply{Text: bot.Text(b.router.Lang(), "future", bot.Duration(b.router.Lang(), ahead))})
		return
	}
	req := bot.Request{Text: text, UserID: sender, Source: "telegram", Sent: sent, Paged: true}
	job := b.typing(dest, func(ctx context.Context) { b.reply(dest, b.router.Handle(ctx, req)) })
	if (c.Name == "start" || c.Name == "help") && m.Chat.Type == models.ChatTypePrivate && len(b.cfg.Keyboard) > 0 {
		job = func(ctx context.Context) { b.replyWithKeyboard(dest, b.router.Handle(ctx, req)) }
	}
	switch {
	case c.Urgent:
		b.haltNow(job)
	case c.Acts:
		b.toLane(ctx, job)
	default:
		b.toReader(ctx, job)
	}
}

// typing wraps a command's job: when it runs for more than a second (a
// slow broker), the chat shows "typing…" (sendChatAction), renewed every
// 4 s while it lasts — Telegram shows the status for 5 s — so a long hang
// is not silence (issue 19, item 12).
func (b *Bot) typing(dest destination, job func(context.Context)) func(context.Context) {
	return func(ctx context.Context) {
		done := make(chan struct{})
		b.timers.Add(1)
		go func() {
			defer b.timers.Done()
			tick := b.clock.NewTicker(time.Second)
			defer tick.Stop()
			for n := 0; ; n++ {
				select {
				case <-done:
					return
				case <-tick.C():
				}
				if n%4 == 0 {
					b.sendTyping(ctx, dest)
				}
			}
		}()
		defer close(done)
		job(ctx)
	}
}

func (b *Bot) sendTyping(ctx context.Context, dest destination) {
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := b.api.SendChatAction(rctx, &tgbot.SendChatActionParams{ChatID: dest.chat, MessageThreadID: dest.thread, Action: models.ChatActionTyping})
	b.apiCall("sendChatAction", err)
	if err != nil {
		b.log.Debug("telegram: sendChatAction failed", "chat", dest.chat, "err", b.scrub(err))
	}
}

// maxFuture is how far ahead of hoga's clock a message may be dated before
// an order command in it is refused.
const maxFuture = time.Minute

// haltNow runs /halt at once, beside the lane: the kill switch must not
// wait behind queued orders (issue 21, item 4: five slow /buy let four
// orders through before a /halt sent after them took effect). Lane jobs
// wait for a halt in progress before they start, so every order queued
// behind it meets the halted guard and is refused, and a /resume sent
// after it runs after it.
func (b *Bot) haltNow(job func(context.Context)) {
	b.mu.Lock()
	b.halts++
	if b.haltsDone == nil {
		b.haltsDone = make(chan struct{})
	}
	b.mu.Unlock()
	b.handlers.Add(1)
	go func() {
		defer b.handlers.Done()
		defer func() {
			b.mu.Lock()
			if b.halts--; b.halts == 0 {
				close(b.haltsDone)
				b.haltsDone = nil
			}
			b.mu.Unlock()
		}()
		b.run(job)
	}()
}

// waitHalts returns when no /halt is in progress.
func (b *Bot) waitHalts() {
	b.mu.Lock()
	ch := b.haltsDone
	b.mu.Unlock()
	if ch != nil {
		<-ch
	}
}

// sender names who sent m and, when they may not command hoga, why.
func (b *Bot) sender(m *models.Message, channel bool) (id, refused string) {
	switch {
	case channel:
		return itoa(m.Chat.ID), "channel post"
	case m.SenderChat != nil:
		return itoa(m.SenderChat.ID), "sent on behalf of a chat (anonymous admin or linked channel)"
	case m.From == nil:
		return itoa(m.Chat.ID), "no sender"
	case m.From.IsBot:
		return itoa(m.From.ID), "sender is a bot"
	case !b.allowed[m.From.ID]:
		return itoa(m.From.ID), "user not on the allowed list"
	}
	return itoa(m.From.ID), ""
}

func (b *Bot) addressedToMe(word string) bool {
	at := strings.IndexByte(word, '@')
	if at < 0 {
		return true
	}
	b.mu.Lock()
	me := b.me
	b.mu.Unlock()
	return me == "" || strings.EqualFold(word[at+1:], me)
}

// refuse logs a refused message and answers it, at most once per
// RefusalInterval per sender. Only the command word is logged.
func (b *Bot) refuse(dest destination, sender, reason, word string) {
	cmd := ""
	if strings.HasPrefix(word, "/") {
		cmd = truncate(word, 40)
	}
	b.log.Warn("telegram: refused a message from an unauthorized sender", "user", sender, "chat", dest.chat, "reason", reason, "command", cmd)
	if !b.refusalDue(sender) {
		b.log.Debug("telegram: refusal reply suppressed (one per interval)", "user", sender)
		return
	}
	b.queueRefusal(refusal{chat: dest.chat, thread: dest.thread, text: b.router.Unauthorized(sender).Text})
}

// refusalDue reports whether sender may get a refusal reply now, and
// records it. The memory is bounded: expired senders are forgotten, and
// past maxRefused senders within one interval nobody new gets a reply.
func (b *Bot) refusalDue(sender string) bool {
	now := b.clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if t, recent := b.refused[sender]; recent && now.Sub(t) < b.cfg.RefusalInterval {
		return false
	}
	if len(b.refused) >= maxRefused {
		for k, t := range b.refused {
			if now.Sub(t) >= b.cfg.RefusalInterval {
				delete(b.refused, k)
			}
		}
		if len(b.refused) >= maxRefused {
			return false
		}
	}
	b.refused[sender] = now
	return true
}

func (b *Bot) onCallback(ctx context.Context, q *models.CallbackQuery) {
	var msg *models.Message
	chat := int64(0)
	switch {
	case q.Message.Message != nil:
		msg = q.Message.Message
		chat = msg.Chat.ID
	case q.Message.InaccessibleMessage != nil:
		chat = q.Message.InaccessibleMessage.Chat.ID
	}
	user := itoa(q.From.ID)
	if q.From.IsBot || !b.allowed[q.From.ID] {
		reason := "user not on the allowed list"
		if q.From.IsBot {
			reason = "sender is a bot"
		}
		b.log.Warn("telegram: refused a button press from an unauthorized sender", "user", user, "chat", chat, "reason", reason)
		b.queueRefusal(refusal{chat: chat, text: b.router.Unauthorized(user).Text, queryID: q.ID})
		return
	}
	if strings.HasPrefix(q.Data, "pg:") { // ◀ ▶ 🔄 only read: never behind a slow order
		b.toReader(ctx, func(ctx context.Context) { b.press(ctx, q, msg) })
		return
	}
	b.toLane(ctx, func(ctx context.Context) { b.press(ctx, q, msg) })
}

// press runs a confirmation button on the lane. The callback query is
// always answered; an accepted press loses its buttons before the order
// is sent, and the outcome is edited into the same message.
func (b *Bot) press(ctx context.Context, q *models.CallbackQuery, msg *models.Message) {
	user := itoa(q.From.ID)
	answered := false
	answer := func(text string, alert bool) {
		if !answered {
			answered = true
			b.answer(ctx, q.ID, text, alert)
		}
	}
	defer answer("", false)
	dest := destination{chat: q.From.ID} // an inaccessible prompt: answer in private
	var key msgKey
	if msg != nil {
		key = msgKey{chat: msg.Chat.ID, msg: msg.ID}
		dest = destination{chat: msg.Chat.ID}
		if msg.IsTopicMessage {
			dest.thread = msg.MessageThreadID
		}
	}
	progressed := false
	progress := func(r bot.Reply) {
		progressed = true
		answer("", false)
		if msg == nil {
			return
		}
		done := b.edit(key, dest, r, true)
		giveUp := b.clock.Until(b.clock.Now().Add(b.cfg.ProgressWait))
		defer giveUp.Stop() // left pending, a fake clock counts it as a waiter
		select {
		case err := <-done:
			if err != nil {
				b.log.Warn("telegram: could not remove the confirmation buttons before sending the order", "chat", key.chat, "err", err)
			}
		case <-giveUp.C():
			b.log.Warn("telegram: confirmation buttons not removed in time; sending the order anyway", "chat", key.chat, "waited", b.cfg.ProgressWait)
		case <-ctx.Done():
		}
	}
	reply := b.router.Press(ctx, bot.Press{Data: q.Data, UserID: user, Source: "telegram"}, progress)
	if msg != nil && reply.Outcome != bot.PressRefused {
		b.forgetPrompt(key) // answered: its expiry needs no edit
	}
	if progressed || reply.Outcome == bot.PressPlaced || reply.Outcome == bot.PressDeclined {
		// Copies of the prompt in other owners' chats take the outcome and
		// lose their buttons (issue 19, item 11).
		defer b.closeCopies(b.takeCopies(q.Data, reply.Text))
	}
	switch {
	case reply.Outcome == bot.PressNav:
		answer("", false)
		if msg != nil {
			b.edit(key, dest, reply, false) // "message is not modified" counts as done
		} else {
			b.reply(dest, reply)
		}
	case progressed || reply.Outcome == bot.PressPlaced:
		b.log.Info("telegram: confirmation accepted", "user", user, "chat", key.chat)
		if msg != nil {
			b.edit(key, dest, reply, false)
		} else {
			b.reply(dest, reply)
		}
	case reply.Outcome == bot.PressDeclined:
		answer(reply.Text, false)
		if msg != nil {
			b.edit(key, dest, reply, false)
		}
	case reply.Outcome == bot.PressStale:
		b.log.Info("telegram: confirmation refused: expired, used or unknown", "user", user, "chat", key.chat)
		answer(reply.Text, true)
		if msg != nil && b.wasOffered(q.Data) { // a real prompt gone stale (or pressed twice): take its dead buttons away
			b.removeButtons(key, dest)
		}
	default: // someone else's confirmation, or the router refused the user
		b.log.Info("telegram: confirmation refused", "user", user, "chat", key.chat)
		answer(reply.Text, true)
	}
}

// answer answers a callback query with a short plain text (≤ 200
// characters), as a popup when alert is set. A 429 is waited out and the
// answer sent again (a few times: Telegram drops a query after a while),
// so the toast is not lost (issue 19, item 8).
func (b *Bot) answer(ctx context.Context, id, html string, alert bool) {
	text := truncate(strings.TrimSpace(bot.StripHTML(html)), 200)
	for try := 0; ; try++ {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := b.api.AnswerCallbackQuery(rctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: text, ShowAlert: alert && text != ""})
		cancel()
		b.apiCall("answerCallbackQuery", err)
		if err == nil {
			return
		}
		var tooMany *tgbot.TooManyRequestsError
		if errors.As(err, &tooMany) && try < 3 {
			wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
			b.log.Warn("telegram: answerCallbackQuery rate-limited; answering again after retry_after", "retry_after", wait)
			if b.sleep(ctx, wait) {
				continue
			}
		}
		b.log.Warn("telegram: answerCallbackQuery failed", "err", b.scrub(err))
		return
	}
}

// toLane queues order-affecting work; the lane runs it in order.
func (b *Bot) toLane(ctx context.Context, job func(context.Context)) {
	select {
	case b.lane <- job:
	case <-ctx.Done():
		b.log.Warn("telegram: order command dropped: shutting down")
	}
}

func (b *Bot) runLane(stop, done chan struct{}) {
	defer close(done)
	for {
		select {
		case <-stop:
			if n := len(b.lane); n > 0 {
				b.log.Warn("telegram: order commands not started before shutdown were dropped", "count", n)
			}
			return
		case job := <-b.lane:
			select {
			case <-stop: // shutting down: start nothing new
				b.log.Warn("telegram: order commands not started before shutdown were dropped", "count", len(b.lane)+1)
				return
			default:
			}
			b.waitHalts() // a /halt that jumped the queue takes effect first
			b.run(job)
		}
	}
}

// toReader runs read-only work beside the lane, at most Readers at once.
// It never blocks the update loop: a /halt behind four slow reads must
// still be dispatched at once. Only allowed users get here, so the
// goroutines waiting for a slot are few.
func (b *Bot) toReader(ctx context.Context, job func(context.Context)) {
	b.handlers.Add(1)
	go func() {
		defer b.handlers.Done()
		select {
		case b.readers <- struct{}{}:
		case <-ctx.Done():
			return
		}
		defer func() { <-b.readers }()
		b.run(job)
	}()
}

// run runs a job with the work context and keeps a panic in a broker or
// the router from taking the lane (and every later order) down with it.
func (b *Bot) run(job func(context.Context)) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("telegram: handler panicked", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	b.mu.Lock()
	ctx := b.workCtx
	b.mu.Unlock()
	job(ctx)
}

// msgKey names a message.
type msgKey struct {
	chat int64
	msg  int
}

// maxOffered bounds the memory of button data hoga has sent.
const maxOffered = 4096

// rememberOffer records the callback data of buttons about to be sent, so
// a press the router refuses as expired can be told from forged data: only
// a real prompt's dead buttons are taken away. Recorded when queued, not
// when sent, so a press racing the send's answer is still recognised.
func (b *Bot) rememberOffer(buttons []bot.Button) {
	now := b.clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, t := range b.offered {
		if now.Sub(t) > 24*time.Hour {
			delete(b.offered, k)
		}
	}
	for _, btn := range buttons {
		b.offered[btn.Data] = now
	}
	for len(b.offered) > maxOffered { // forget the oldest
		var oldest string
		var t time.Time
		for k, at := range b.offered {
			if t.IsZero() || at.Before(t) {
				oldest, t = k, at
			}
		}
		delete(b.offered, oldest)
	}
}

// wasOffered reports whether hoga sent a button with this data.
func (b *Bot) wasOffered(data string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.offered[data]
	return ok
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

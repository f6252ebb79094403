package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/hoga-trade/hoga/bot"
)

// allowedUpdates are the update types hoga asks for. my_chat_member tells
// at once when the bot is blocked, kicked or added, instead of on the next
// failed send (issue 19, item 8).
var allowedUpdates = []string{
	models.AllowedUpdateMessage, models.AllowedUpdateEditedMessage, models.AllowedUpdateChannelPost,
	models.AllowedUpdateCallbackQuery, models.AllowedUpdateMyChatMember,
}

// pollError is a getUpdates refusal as Telegram answered it.
type pollError struct {
	code       int
	desc       string
	retryAfter int
}

func (e *pollError) Error() string { return fmt.Sprintf("getUpdates: %d %s", e.code, e.desc) }

// errHalfOpen marks a long poll that outlived PollTimeout+PollGrace: the
// connection is dead without having been closed.
var errHalfOpen = errors.New("telegram: the long poll got no answer within the poll timeout: the connection is dead (half-open)")

// poll long-polls getUpdates until ctx ends and hands every update to
// onUpdate, one at a time, in Telegram's order. It is hoga's own loop
// rather than the library's: that one ignores retry_after, waits a fixed
// 5 s after any error, and notices a dead connection only when the HTTP
// client's timeout ends (issue 19, items 7–9).
func (b *Bot) poll(ctx context.Context) {
	var offset int64
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		b.mu.Lock()
		failing := !b.failingSince.IsZero()
		b.mu.Unlock()
		wait := b.cfg.PollTimeout
		if failing { // a quick poll: notice at once that Telegram is back
			wait = 0
		}
		updates, err := b.getUpdates(ctx, offset, wait)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			backoff = 0
			b.pollOK()
			for _, u := range updates {
				if u.ID >= offset {
					offset = u.ID + 1
				}
				b.onUpdate(ctx, u)
			}
			continue
		}
		wait, backoff = b.pollFailed(ctx, err, backoff)
		if !b.sleep(ctx, wait) {
			return
		}
	}
}

// getUpdates makes one long poll. Its deadline is PollTimeout+PollGrace of
// wall time (it bounds a real request): a half-open connection, which the
// HTTP client alone would wait out for its whole timeout, is given up
// within a few seconds of the poll's own end.
func (b *Bot) getUpdates(ctx context.Context, offset int64, timeout time.Duration) ([]*models.Update, error) {
	body, err := json.Marshal(map[string]any{
		"offset": offset, "timeout": int(timeout / time.Second), "allowed_updates": allowedUpdates,
	})
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, timeout+b.cfg.PollGrace)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, b.cfg.APIURL+"/bot"+b.cfg.Token.Reveal()+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, b.scrub(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.cfg.HTTPClient.Do(req)
	if err == nil {
		defer resp.Body.Close()
		body, err = io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	}
	if err != nil {
		if ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded) {
			return nil, errHalfOpen
		}
		return nil, b.scrub(err)
	}
	var r struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: unreadable answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if !r.OK {
		code := r.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		return nil, &pollError{code: code, desc: r.Description, retryAfter: r.Parameters.RetryAfter}
	}
	var updates []*models.Update
	if err := json.Unmarshal(r.Result, &updates); err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: unreadable updates: %w", err)
	}
	return updates, nil
}

// pollOK records a successful poll: Telegram is reachable. A control
// surface that was down is back: the strategy resumes and the owner is
// told; a conflict long gone is forgotten.
func (b *Bot) pollOK() {
	now := b.clock.Now()
	b.mu.Lock()
	wasDown, since := b.surfaceDown, b.failingSince
	if !since.IsZero() { // Telegram answers again: wake the senders waiting to retry
		close(b.reachable)
		b.reachable = make(chan struct{})
	}
	b.failingSince, b.surfaceDown, b.surfaceReason = time.Time{}, false, ""
	if !b.conflictLast.IsZero() && now.Sub(b.conflictLast) > b.cfg.ConflictGrace {
		b.conflictSince, b.conflictLast, b.conflictSaid = time.Time{}, time.Time{}, false
	}
	b.mu.Unlock()
	if !wasDown {
		return
	}
	b.log.Warn("telegram: the Bot API answers again; the control surface is back", "down_for", now.Sub(since))
	if b.cfg.OnSurface != nil {
		b.cfg.OnSurface(true, "")
	}
	lang := b.router.Lang()
	if err := b.SendAlert(context.Background(), bot.Alert{Type: bot.AlertSystem, Text: bot.Text(lang, "telegram.back", bot.Duration(lang, now.Sub(since)))}); err != nil {
		b.log.Warn("telegram: could not queue the recovery notice", "err", err)
	}
}

// pollFailed decides what a failed poll means and how long to wait before
// the next: retry_after for a 429, a growing backoff otherwise. It counts
// an outage (anything but a 429 or a 409 means Telegram is not carrying
// commands) and, past OfflineAfter, takes the control surface down.
func (b *Bot) pollFailed(ctx context.Context, err error, backoff time.Duration) (wait, next time.Duration) {
	next = min(max(2*backoff, 500*time.Millisecond), 5*time.Second)
	var pe *pollError
	if errors.As(err, &pe) {
		switch pe.code {
		case http.StatusTooManyRequests:
			wait = time.Duration(max(pe.retryAfter, 1)) * time.Second
			b.log.Warn("telegram: Telegram asked to slow down polling; waiting retry_after", "retry_after", wait)
			return wait, backoff
		case http.StatusConflict:
			b.conflict(pe)
			return next, next
		case http.StatusUnauthorized, http.StatusNotFound:
			b.log.Error("telegram: the Bot API refused the token while polling (revoked?): get a new token from @BotFather and set HOGA_TELEGRAM_TOKEN", "status", pe.code)
			b.outage("token_refused")
			return next, next
		}
		b.log.Warn("telegram: polling refused; retrying", "status", pe.code, "description", pe.desc, "in", next)
		b.outage("refused")
		return next, next
	}
	if errors.Is(err, errHalfOpen) {
		b.log.Warn("telegram: the long poll got no answer in time (dead connection); polling again", "waited", b.cfg.PollTimeout+b.cfg.PollGrace)
		b.outage("dead_connection")
		return 0, backoff
	}
	b.log.Warn("telegram: polling failed; retrying", "err", b.scrub(err), "in", next)
	b.outage("unreachable")
	_ = ctx
	return next, next
}

// outage counts a failed poll. Once polls have failed for OfflineAfter the
// control surface is down: Config.OnSurface is told, so hoga stops trading
// on its own while nobody can reach it (issue 19, item 5).
func (b *Bot) outage(reason string) {
	now := b.clock.Now()
	b.mu.Lock()
	if b.failingSince.IsZero() {
		b.failingSince = now
	}
	b.surfaceReason = reason
	goDown := !b.surfaceDown && now.Sub(b.failingSince) >= b.cfg.OfflineAfter
	if goDown {
		b.surfaceDown = true
	}
	since := b.failingSince
	b.mu.Unlock()
	if !goDown {
		return
	}
	b.log.Error("telegram: no working control surface; automatic trading pauses until Telegram is back",
		"reason", reason, "since", since, "offline_after", b.cfg.OfflineAfter)
	if b.cfg.OnSurface != nil {
		b.cfg.OnSurface(false, reason)
	}
}

// ControlSurface reports whether Telegram has been unreachable for longer
// than OfflineAfter, since when and why, for /status and /readyz. The
// reason is one of token_refused, refused, dead_connection, unreachable
// (bot.Config.Surface renders it in the user's language).
func (b *Bot) ControlSurface() (down bool, since time.Time, reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.surfaceDown, b.failingSince, b.surfaceReason
}

// conflict handles a 409: another getUpdates on the same token (a second
// hoga, or another bot program) or a webhook. Each poller gets a share of
// the owner's commands; after ConflictGrace the allowed users are told in
// their private chats, once per episode (issue 19, item 9).
func (b *Bot) conflict(pe *pollError) {
	now := b.clock.Now()
	b.mu.Lock()
	if b.conflictSince.IsZero() {
		b.conflictSince = now
	}
	b.conflictLast = now
	say := !b.conflictSaid && now.Sub(b.conflictSince) >= b.cfg.ConflictGrace
	if say {
		b.conflictSaid = true
	}
	b.mu.Unlock()
	b.log.Error("telegram: another program is polling this bot token (a second hoga?) or a webhook is set", "description", pe.desc)
	if !say {
		return
	}
	text := bot.Text(b.router.Lang(), "telegram.conflict")
	for _, id := range b.cfg.Allowed {
		if err := b.enqueue(destination{chat: id}, b.sendItems(text, nil, false, false, 0, time.Time{}), true); err != nil {
			b.log.Error("telegram: could not queue the conflict notice", "chat", id, "err", err)
		}
	}
}

// onChatMember handles my_chat_member: the bot was blocked, kicked or
// left a chat (or added back). Losing the alert chat moves alerts to the
// allowed users' private chats at once, before an alert is lost.
func (b *Bot) onChatMember(u *models.ChatMemberUpdated) {
	st := u.NewChatMember.Type
	gone := st == models.ChatMemberTypeBanned || st == models.ChatMemberTypeLeft
	b.log.Warn("telegram: the bot's membership changed", "chat", u.Chat.ID, "status", st, "by", u.From.ID)
	if !gone {
		return
	}
	b.mu.Lock()
	isAlert := b.alertChat != 0 && u.Chat.ID == b.alertChat
	b.mu.Unlock()
	if isAlert {
		b.loseAlertChat(u.Chat.ID, "forbidden")
	}
}

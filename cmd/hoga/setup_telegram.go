package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/telegram"
)

// tgLearner is the Bot API as `hoga setup` uses it: who the bot is, and
// the messages people send it, so the owner's id and the alert group's id
// are learned from a /start instead of looked up by hand. getMe,
// deleteWebhook, sendMessage and setMyCommands go through go-telegram/bot;
// getUpdates is a plain request because the library only offers it
// inside its own polling loop, and setup must poll, stop at the message it
// wants, and confirm it (offset) so hoga's first start does not see it again.
type tgLearner struct {
	api    *tgbot.Bot
	base   string // API URL without a trailing slash
	token  string
	http   *http.Client
	me     *models.User
	offset int64 // next update_id wanted; updates below it are confirmed
	poll   time.Duration
}

// tgAPIError is an answer with "ok": false.
type tgAPIError struct {
	Code        int    `json:"error_code"`
	Description string `json:"description"`
}

func (e *tgAPIError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Description) }

// tgNetError is a request that got no answer; it names the host only (a
// *url.Error would carry the URL, and the URL carries the token).
type tgNetError struct {
	host string
	err  error
}

func (e *tgNetError) Error() string { return "cannot reach " + e.host + ": " + e.err.Error() }
func (e *tgNetError) Unwrap() error { return e.err }

func newTGLearner(token, apiURL string, timeout time.Duration) (*tgLearner, error) {
	base := strings.TrimRight(apiURL, "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("HOGA_TELEGRAM_API_URL %q must be http(s)://host[:port]", apiURL)
	}
	poll := 25 * time.Second
	hc := &http.Client{Timeout: poll + timeout}
	api, err := tgbot.New(token,
		tgbot.WithSkipGetMe(),
		tgbot.WithServerURL(base),
		tgbot.WithHTTPClient(timeout, hc),
		tgbot.WithErrorsHandler(func(error) {}),
	)
	if err != nil {
		return nil, &tgAPIError{Code: 401, Description: "the token is not in the form 123456:ABC…"}
	}
	return &tgLearner{api: api, base: base, token: token, http: hc, poll: poll}, nil
}

// host is the API server's host, for messages.
func (t *tgLearner) host() string {
	if u, err := url.Parse(t.base); err == nil {
		return u.Host
	}
	return t.base
}

// clean keeps the token out of an error from the library: it names the
// URL only in transport errors, which become a tgNetError.
func (t *tgLearner) clean(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &tgNetError{host: t.host(), err: ue.Err}
	}
	msg := err.Error()
	if t.token != "" && strings.Contains(msg, t.token) {
		return errors.New(strings.ReplaceAll(msg, t.token, "<token>"))
	}
	return err
}

// refused reports the Bot API turning the token down.
func refused(err error) bool {
	var ae *tgAPIError
	if errors.As(err, &ae) {
		return ae.Code == 401 || ae.Code == 404
	}
	return errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound)
}

// connect proves the token (getMe), removes a webhook that would make
// getUpdates fail, and skips every update sent before setup began: only a
// /start sent now counts.
func (t *tgLearner) connect(ctx context.Context) error {
	me, err := t.api.GetMe(ctx)
	if err != nil {
		return t.clean(err)
	}
	t.me = me
	if _, err := t.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
		return t.clean(err)
	}
	last, err := t.updates(ctx, -1, 0)
	if err != nil {
		return err
	}
	for _, u := range last {
		t.offset = max(t.offset, u.ID+1)
	}
	return nil
}

// updates is one getUpdates request.
func (t *tgLearner) updates(ctx context.Context, offset int64, timeout time.Duration) ([]models.Update, error) {
	body, _ := json.Marshal(map[string]any{
		"offset":          offset,
		"timeout":         int(timeout / time.Second),
		"allowed_updates": []string{"message"},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.base+"/bot"+t.token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, t.clean(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, t.clean(err)
	}
	defer resp.Body.Close()
	var env struct {
		OK     bool            `json:"ok"`
		Result []models.Update `json:"result"`
		tgAPIError
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&env); err != nil {
		return nil, fmt.Errorf("getUpdates: unreadable answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if !env.OK {
		e := env.tgAPIError
		if e.Code == 0 {
			e.Code = resp.StatusCode
		}
		return nil, &e
	}
	return env.Result, nil
}

// waitFor long-polls until match accepts a message (true), ctx ends, or
// the Bot API fails for good. Every update seen is confirmed.
func (t *tgLearner) waitFor(ctx context.Context, match func(*models.Message) bool) error {
	backoff := time.Second
	for {
		us, err := t.updates(ctx, t.offset, t.poll)
		if err != nil {
			var ae *tgAPIError
			if ctx.Err() != nil || errors.As(err, &ae) {
				return err
			}
			select { // the network: try again, a little later each time
			case <-time.After(backoff):
			case <-ctx.Done():
				return ctx.Err()
			}
			backoff = min(2*backoff, 15*time.Second)
			continue
		}
		backoff = time.Second
		for _, u := range us {
			t.offset = max(t.offset, u.ID+1)
			if u.Message != nil && match(u.Message) {
				return nil
			}
		}
	}
}

// confirm tells the Bot API every update seen so far was handled, so the
// /start messages setup used are not delivered again to hoga.
func (t *tgLearner) confirm(ctx context.Context) error {
	_, err := t.updates(ctx, t.offset, 0)
	return err
}

// isStart reports a /start meant for this bot: "/start", "/start payload"
// or "/start@this_bot".
func (t *tgLearner) isStart(m *models.Message) bool {
	word, _, _ := strings.Cut(strings.TrimSpace(m.Text), " ")
	cmd, at, addressed := strings.Cut(word, "@")
	return cmd == "/start" && (!addressed || strings.EqualFold(at, t.me.Username))
}

// say sends a plain-text message (no parse mode: nothing to escape).
func (t *tgLearner) say(ctx context.Context, chat int64, topic int, text string) error {
	_, err := t.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chat, MessageThreadID: topic, Text: text})
	return t.clean(err)
}

// registerMenu sets the command menus with the adapter's own code: the
// full menu for the owners, read-only in the alert group, none elsewhere.
func (t *tgLearner) registerMenu(ctx context.Context, lang bot.Lang, owners, alert string) error {
	m := telegram.Menus{Lang: lang}
	for _, id := range strings.Split(owners, ",") {
		if n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64); err == nil && n > 0 {
			m.Allowed = append(m.Allowed, n)
		}
	}
	m.AlertChat, _, _ = telegram.ParseAlertChat(alert)
	return t.clean(telegram.RegisterCommands(ctx, t.api, m, nil))
}

// personName is how a Telegram user is shown: "Kim Minsu (@minsu)".
func personName(u *models.User) string {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if u.Username != "" {
		if name == "" {
			return "@" + u.Username
		}
		name += " (@" + u.Username + ")"
	}
	if name == "" {
		return fmt.Sprint(u.ID)
	}
	return name
}

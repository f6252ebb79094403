package telegramtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/hoga-trade/hoga/bot/telegramtest"
)

const token = "123456:TEST-token"

func newLib(t *testing.T, srv *telegramtest.Server, tok string) *tgbot.Bot {
	t.Helper()
	b, err := tgbot.New(tok, tgbot.WithServerURL(srv.URL), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func start(t *testing.T) *telegramtest.Server {
	t.Helper()
	srv := telegramtest.Start(telegramtest.Config{Token: token})
	t.Cleanup(srv.Close)
	return srv
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type keyboard struct {
	InlineKeyboard [][]button `json:"inline_keyboard"`
}
type button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

func TestGetMeAndToken(t *testing.T) {
	t.Parallel()
	srv := start(t)
	me, err := newLib(t, srv, token).GetMe(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != 123456 || !me.IsBot || me.Username != "hoga_bot" {
		t.Errorf("getMe = %+v", me)
	}
	_, err = newLib(t, srv, "123456:wrong").GetMe(ctxT(t))
	if !errors.Is(err, tgbot.ErrorUnauthorized) {
		t.Errorf("wrong token: err = %v, want unauthorized", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("library error shows the token: %v", err)
	}
}

// The library's own InlineKeyboardButton always carries copy_text; the
// real API refuses it, and so does the fake.
func TestRefusesWhatTelegramRefuses(t *testing.T) {
	t.Parallel()
	srv := start(t)
	lib := newLib(t, srv, token)
	long := strings.Repeat("가", 4097)
	cases := []struct {
		name   string
		params *tgbot.SendMessageParams
		want   string
	}{
		{"library_copy_text", &tgbot.SendMessageParams{ChatID: 1, Text: "x", ReplyMarkup: models.InlineKeyboardMarkup{
			InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "ok", CallbackData: "ok:1"}}}}}, "BUTTON_COPY_TEXT_INVALID"},
		{"data_over_64", &tgbot.SendMessageParams{ChatID: 1, Text: "x", ReplyMarkup: keyboard{
			[][]button{{{Text: "ok", CallbackData: strings.Repeat("d", 65)}}}}}, "BUTTON_DATA_INVALID"},
		{"too_long", &tgbot.SendMessageParams{ChatID: 1, Text: long}, "message is too long"},
		{"empty", &tgbot.SendMessageParams{ChatID: 1, Text: ""}, "message text is empty"},
		{"only_tags", &tgbot.SendMessageParams{ChatID: 1, Text: "<b> </b>", ParseMode: models.ParseModeHTML}, "message text is empty"},
		{"unknown_tag", &tgbot.SendMessageParams{ChatID: 1, Text: "<p>x</p>", ParseMode: models.ParseModeHTML}, `Unsupported start tag "p"`},
		{"unclosed", &tgbot.SendMessageParams{ChatID: 1, Text: "<b>x", ParseMode: models.ParseModeHTML}, `Can't find end tag corresponding to start tag "b"`},
		{"bare_lt", &tgbot.SendMessageParams{ChatID: 1, Text: "a < b", ParseMode: models.ParseModeHTML}, "can't parse entities"},
		{"bare_amp", &tgbot.SendMessageParams{ChatID: 1, Text: "P&L", ParseMode: models.ParseModeHTML}, "can't parse entities"},
		{"unmatched", &tgbot.SendMessageParams{ChatID: 1, Text: "<b><i>x</b></i>", ParseMode: models.ParseModeHTML}, "Unmatched end tag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := lib.SendMessage(ctxT(t), tc.params)
			if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want 400 with %q", err, tc.want)
			}
		})
	}
	// 4096 characters of Korean are fine: the limit is in UTF-16 units after parsing.
	if _, err := lib.SendMessage(ctxT(t), &tgbot.SendMessageParams{ChatID: 1, Text: "<b>" + long[:4096*3] + "</b>", ParseMode: models.ParseModeHTML}); err != nil {
		t.Errorf("4096 characters: %v", err)
	}
}

func TestSendEditPress(t *testing.T) {
	t.Parallel()
	srv := start(t)
	lib := newLib(t, srv, token)
	ctx := ctxT(t)
	kb := keyboard{[][]button{{{Text: "확인", CallbackData: "ok:abc"}, {Text: "취소", CallbackData: "no:abc"}}}}
	m, err := lib.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: 42, Text: "<b>buy</b> &amp; hold", ParseMode: models.ParseModeHTML,
		ReplyMarkup: kb, DisableNotification: true, MessageThreadID: 7})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := srv.Message(42, m.ID)
	if !ok || got.Text != "buy & hold" || got.HTML != "<b>buy</b> &amp; hold" || len(got.Buttons()) != 2 ||
		!got.DisableNotification || got.ThreadID != 7 {
		t.Fatalf("stored message = %+v", got)
	}
	if _, err := srv.PressButton(42, 42, m.ID, "확인"); err != nil {
		t.Fatal(err)
	}
	updates := poll(t, srv, 0)
	if len(updates) != 1 || updates[0].CallbackQuery == nil || updates[0].CallbackQuery.Data != "ok:abc" ||
		updates[0].CallbackQuery.Message == nil || updates[0].CallbackQuery.Message.MessageID != m.ID {
		t.Fatalf("updates = %+v", updates)
	}
	qid := updates[0].CallbackQuery.ID
	if len(srv.Unanswered()) != 1 {
		t.Errorf("unanswered = %v", srv.Unanswered())
	}
	if ok, err := lib.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: qid}); err != nil || !ok {
		t.Fatalf("answer: %v", err)
	}
	if _, err := lib.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: qid}); err == nil {
		t.Error("a second answer was accepted")
	}
	// Editing the text without reply_markup removes the keyboard, as on Telegram.
	if _, err := lib.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: 42, MessageID: m.ID, Text: "sending…"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.Message(42, m.ID); got.Text != "sending…" || got.ReplyMarkup != nil {
		t.Errorf("after edit = %+v", got)
	}
	if _, err := srv.PressButton(42, 42, m.ID, "확인"); err == nil {
		t.Error("pressed a removed button")
	}
	_, err = lib.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: 42, MessageID: m.ID, Text: "sending…"})
	if err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("same edit: %v", err)
	}
	_, err = lib.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: 42, MessageID: 999, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "message to edit not found") {
		t.Errorf("missing message: %v", err)
	}
	// editMessageReplyMarkup puts a keyboard back and takes it off.
	if _, err := lib.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{ChatID: 42, MessageID: m.ID, ReplyMarkup: kb}); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{ChatID: 42, MessageID: m.ID,
		ReplyMarkup: keyboard{[][]button{}}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.Message(42, m.ID); got.ReplyMarkup != nil {
		t.Errorf("keyboard not removed: %+v", got.ReplyMarkup)
	}
}

// poll calls getUpdates directly over HTTP with a JSON body, the other
// encoding the fake accepts.
func poll(t *testing.T, srv *telegramtest.Server, timeout int, offset ...int64) []telegramtest.Update {
	t.Helper()
	body := map[string]any{"timeout": timeout}
	if len(offset) > 0 {
		body["offset"] = offset[0]
	}
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodPost, srv.URL+"/bot"+token+"/getUpdates", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		OK     bool
		Result []telegramtest.Update
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || !out.OK {
		t.Fatalf("getUpdates: ok=%v err=%v", out.OK, err)
	}
	return out.Result
}

func TestLongPoll(t *testing.T) {
	t.Parallel()
	srv := start(t)
	if u := poll(t, srv, 0); len(u) != 0 {
		t.Fatalf("updates before any message: %+v", u)
	}
	got := make(chan []telegramtest.Update, 1)
	go func() { got <- poll(t, srv, 10) }()
	// Wait until the poll is parked, then queue a message: it must return at once.
	if err := srv.WaitPolling(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	srv.Send(telegramtest.Incoming{From: 5, Text: "/price@hoga_bot 005930"})
	u := <-got
	if len(u) != 1 || u[0].Message == nil || u[0].Message.Text != "/price@hoga_bot 005930" || u[0].Message.From.ID != 5 ||
		u[0].Message.Chat.Type != "private" || len(u[0].Message.Entities) != 1 || u[0].Message.Entities[0].Length != 15 {
		t.Fatalf("updates = %+v", u)
	}
	// The offset confirms: the same update is not delivered again.
	if again := poll(t, srv, 0, u[0].UpdateID+1); len(again) != 0 {
		t.Errorf("confirmed update delivered again: %+v", again)
	}
	// Without confirmation it is.
	srv.Send(telegramtest.Incoming{Chat: -1001, Text: "hi", SenderChat: -1001})
	first := poll(t, srv, 0)
	if len(first) != 1 || first[0].Message.SenderChat == nil || first[0].Message.From.ID != telegramtest.GroupAnonymousBot.ID {
		t.Fatalf("anonymous admin update = %+v", first)
	}
	if second := poll(t, srv, 0); len(second) != 1 || second[0].UpdateID != first[0].UpdateID {
		t.Errorf("unconfirmed update not redelivered: %+v", second)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	srv := start(t)
	lib := newLib(t, srv, token)
	ctx := ctxT(t)
	srv.TooManyRequests(2, 3)
	for i := 0; i < 2; i++ {
		_, err := lib.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: 1, Text: "x"})
		var tm *tgbot.TooManyRequestsError
		if !errors.As(err, &tm) || tm.RetryAfter != 3 {
			t.Fatalf("send %d: %v, want 429 retry_after 3", i, err)
		}
	}
	if _, err := lib.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: 1, Text: "x"}); err != nil {
		t.Fatalf("third send: %v", err)
	}
	srv.Forbid(-5)
	if _, err := lib.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: -5, Text: "x"}); !errors.Is(err, tgbot.ErrorForbidden) ||
		!strings.Contains(err.Error(), "kicked from the group chat") {
		t.Errorf("forbidden: %v", err)
	}
	srv.Migrate(-6, -1009)
	_, err := lib.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: -6, Text: "x"})
	var me *tgbot.MigrateError
	if !errors.As(err, &me) || me.MigrateToChatID != -1009 {
		t.Errorf("migrate: %v", err)
	}
	// The 429 body has the real shape.
	srv.TooManyRequests(1, 7)
	resp, err := http.PostForm(srv.URL+"/bot"+token+"/sendMessage", url.Values{"chat_id": {"1"}, "text": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 429 || body["ok"] != false || body["error_code"] != float64(429) ||
		body["description"] != "Too Many Requests: retry after 7" || body["parameters"].(map[string]any)["retry_after"] != float64(7) {
		t.Errorf("429 answer = %d %v", resp.StatusCode, body)
	}
}

func TestWebhookConflictAndCommands(t *testing.T) {
	t.Parallel()
	srv := start(t)
	lib := newLib(t, srv, token)
	ctx := ctxT(t)
	srv.SetWebhook("https://example.invalid/hook")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/bot"+token+"/getUpdates", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 409 {
		t.Errorf("getUpdates with a webhook: %d, want 409", resp.StatusCode)
	}
	if ok, err := lib.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil || !ok {
		t.Fatal(err)
	}
	if u := poll(t, srv, 0); len(u) != 0 {
		t.Errorf("updates: %v", u)
	}
	cmds := []models.BotCommand{{Command: "price", Description: "현재가"}}
	if _, err := lib.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: cmds, LanguageCode: "en"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Commands("en"); len(got) != 1 || got[0].Command != "price" {
		t.Errorf("commands = %+v", got)
	}
	if _, err := lib.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Price!", Description: "x"}}}); err == nil {
		t.Error("invalid command accepted")
	}
}

func TestControlEndpoints(t *testing.T) {
	t.Parallel()
	srv := start(t)
	lib := newLib(t, srv, token)
	ctx := ctxT(t)
	post := func(path string) int {
		resp, err := http.Post(srv.URL+path, "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/_fake/send?user=111&text=/price%20005930&date=-90s"); code != 200 {
		t.Fatalf("send: %d", code)
	}
	u := poll(t, srv, 0)
	if len(u) != 1 || u[0].Message.Text != "/price 005930" {
		t.Fatalf("updates = %+v", u)
	}
	// A form, as curl --data-urlencode sends it, is read by its text
	// field; the phone read "text=%2Fbuy+…" before (issue 12).
	form, err := http.Post(srv.URL+"/_fake/send?user=111", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"text": {"/buy 005930 2 190000"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	form.Body.Close()
	u = poll(t, srv, 0, u[0].UpdateID+1)
	if len(u) != 1 || u[0].Message.Text != "/buy 005930 2 190000" {
		t.Fatalf("form updates = %+v", u)
	}
	kb := keyboard{[][]button{{{Text: "확인", CallbackData: "ok:n1"}}}}
	if _, err := lib.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: 111, Text: "confirm?", ReplyMarkup: kb}); err != nil {
		t.Fatal(err)
	}
	// A label the message lacks names the ones it has.
	resp, err := http.Post(srv.URL+"/_fake/press?user=111&button=Confirm", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(b), `its buttons: "확인"`) {
		t.Fatalf("press of a missing label: %d %s", resp.StatusCode, b)
	}
	if code := post("/_fake/press?user=111&button=" + url.QueryEscape("확인")); code != 200 {
		t.Fatalf("press: %d", code)
	}
	u = poll(t, srv, 0, u[0].UpdateID+1)
	if len(u) != 1 || u[0].CallbackQuery == nil || u[0].CallbackQuery.Data != "ok:n1" {
		t.Fatalf("press updates = %+v", u)
	}
	resp, err = http.Get(srv.URL + "/_fake/sent?chat=111")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sent []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&sent); err != nil || len(sent) != 1 || sent[0]["text"] != "confirm?" {
		t.Errorf("sent = %v (%v)", sent, err)
	}
	if code := post("/_fake/fault?kind=403&chat=111"); code != 200 {
		t.Fatalf("fault: %d", code)
	}
	if _, err := lib.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: 111, Text: "x"}); !errors.Is(err, tgbot.ErrorForbidden) {
		t.Errorf("after fault: %v", err)
	}
}

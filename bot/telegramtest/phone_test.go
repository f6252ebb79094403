package telegramtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	tgbot "github.com/go-telegram/bot"

	"github.com/hoga-trade/hoga/bot/telegramtest"
)

// Down cuts every Bot API connection, a parked long poll included, and
// nothing asked for meanwhile happens; after Up a user's message sent
// during the outage is delivered.
func TestDownCutsConnections(t *testing.T) {
	t.Parallel()
	srv := start(t)
	lib := newLib(t, srv, token)
	ctx := ctxT(t)

	polled := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/bot"+token+"/getUpdates?timeout=30", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		polled <- err
	}()
	if err := srv.WaitPolling(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Down(true)
	if err := <-polled; err == nil {
		t.Fatal("the parked long poll got an answer while Telegram was down")
	}
	_, err := lib.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: 1, Text: "lost"})
	if err == nil {
		t.Fatal("sendMessage succeeded while Telegram was down")
	}
	if n := len(srv.BotMessages(1)); n != 0 {
		t.Fatalf("%d messages reached the chat while down", n)
	}
	srv.Send(telegramtest.Incoming{From: 1, Text: "/status"})
	if srv.DroppedWhileDown() < 2 {
		t.Errorf("DroppedWhileDown = %d, want ≥ 2", srv.DroppedWhileDown())
	}

	srv.Down(false)
	if _, err := lib.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: 1, Text: "back"}); err != nil {
		t.Fatalf("sendMessage after up: %v", err)
	}
	if u := poll(t, srv, 0); len(u) != 1 || u[0].Message.Text != "/status" {
		t.Fatalf("updates after the outage = %+v", u)
	}
}

// Phone wraps at the width in display columns (a Hangul syllable takes
// two), puts the user on the right and shows buttons and the keyboard.
func TestPhoneRendering(t *testing.T) {
	t.Parallel()
	srv := start(t)
	ctx := context.Background()
	srv.Send(telegramtest.Incoming{From: 7, Text: "/buy 005930 10"})
	kb, _ := json.Marshal(map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "확인", "callback_data": "ok"}, {"text": "주문 안 함", "callback_data": "no"}}}})
	if _, err := newLib(t, srv, token).SendMessage(ctx, &tgbot.SendMessageParams{ChatID: 7,
		Text: "삼성전자 10주 시장가 매수 주문을 넣을까요? 확인을 누르면 바로 증권사로 갑니다.", ReplyMarkup: json.RawMessage(kb)}); err != nil {
		t.Fatal(err)
	}
	got := srv.Phone(7, 20)
	for _, want := range []string{
		"        │ /buy 005930 10\n", // the user's bubble, on the right
		"│ 삼성전자 10주 시장가\n",           // 20 columns: 4+1+4+1+6 = 16; the next word would pass 20
		"│ [ 확인 ] [ 주문 안 함 ]\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("phone view lacks %q:\n%s", want, got)
		}
	}
	for _, line := range strings.Split(got, "\n") {
		if body, ok := strings.CutPrefix(strings.TrimLeft(line, " "), "│ "); ok && !strings.HasPrefix(body, "[") {
			if cols := telegramtest.Columns(body); cols > 20 {
				t.Errorf("line %q is %d columns, over 20", body, cols)
			}
		}
	}
}

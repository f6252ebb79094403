package console

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
)

// stubBroker is the shared fake broker quoting 삼성전자 at 70,000.
func stubBroker() *brokertest.Broker {
	b := brokertest.NewBroker("stub", nil)
	b.SetQuote(broker.Quote{Code: "005930", Name: "삼성전자", Price: 70_000})
	return b
}

func runConsole(t *testing.T, cfg bot.Config, input string) (string, *brokertest.Broker) {
	t.Helper()
	b := stubBroker()
	cfg.Broker = b
	r, err := bot.NewRouter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c := New(Config{Router: r, In: strings.NewReader(input), Out: &out})
	if err := c.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.String(), b
}

func TestConsole(t *testing.T) {
	t.Parallel()
	allow := func(id string) bool { return id == "111" }
	tests := []struct {
		name   string
		cfg    bot.Config
		input  string
		want   []string
		placed int
	}{
		{"plain_text_without_html", bot.Config{}, "/price 005930\n", []string{"삼성전자 (005930)\n현재가 70,000원"}, 0},
		{"comments_and_blanks_ignored", bot.Config{}, "# a comment\n\n   \n", nil, 0},
		{"confirm_with_number", bot.Config{ConfirmAll: true}, "/buy 005930 1\n1\n", []string{"[1] 확인   [2] 주문 안 함", "주문 전송 중", "주문 접수"}, 1},
		{"cancel_with_number", bot.Config{ConfirmAll: true}, "/buy 005930 1\n2\n", []string{"주문하지 않았습니다. 증권사에 아무것도 보내지 않았습니다"}, 0},
		{"confirm_with_label", bot.Config{ConfirmAll: true}, "/buy 005930 1\n확인\n", []string{"주문 접수"}, 1},
		{"buttons_are_single_use", bot.Config{ConfirmAll: true}, "/buy 005930 1\n1\n1\n", []string{"명령은 / 로 시작합니다"}, 1},
		{"as_stranger_is_refused", bot.Config{Allowed: allow}, ":as 999\n/buy 005930 1\n", []string{"이제 사용자 999 로 명령합니다", "권한이 없습니다. 사용자 ID 999"}, 0},
		{"as_allowed_user", bot.Config{Allowed: allow}, ":as 111\n/buy 005930 1\n:as\n", []string{"주문 접수", "이제 사용자 console 로"}, 1},
		{"only_requester_confirms", bot.Config{ConfirmAll: true, Allowed: allow}, ":as 111\n/buy 005930 1\n:as\n1\n", []string{"주문한 사람만"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, b := runConsole(t, tt.cfg, tt.input)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "<b>") {
				t.Errorf("HTML reached the terminal:\n%s", out)
			}
			if n := len(b.Placed()); n != tt.placed {
				t.Errorf("%d orders placed; want %d", n, tt.placed)
			}
		})
	}
}

func TestConsoleAlertsSkipItsOwnOrders(t *testing.T) {
	t.Parallel()
	r, err := bot.NewRouter(bot.Config{Broker: stubBroker()})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c := New(Config{Router: r, In: strings.NewReader(""), Out: &out})
	ctx := context.Background()
	_ = c.SendAlert(ctx, bot.Alert{Type: bot.AlertOrders, Text: "own order", Echo: "console"})
	_ = c.SendAlert(ctx, bot.Alert{Type: bot.AlertSystem, Text: "started"})
	_ = c.SendAlert(ctx, bot.Alert{Type: bot.AlertStrategy, Text: "<b>rule</b> fired"})
	if got := out.String(); got != "🔔 rule fired\n" {
		t.Fatalf("console printed %q", got)
	}
}

package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// The exits book is the router's exit book.
var _ ExitBook = (*exits.Book)(nil)

// heldBroker holds 10 shares of 005930 bought at 70,000 won.
type heldBroker struct{ broker.Broker }

func (heldBroker) Balance(context.Context) (broker.Balance, error) {
	return broker.Balance{Positions: []broker.Position{{Code: "005930", Qty: 10, Sellable: 10, AvgPrice: 70_000}}}, nil
}

func TestExitCommands(t *testing.T) {
	t.Parallel()
	steps := []struct {
		lang Lang
		in   string
		want string
	}{
		{Korean, "/exits", "설정된 손절·익절이 없습니다"},
		{Korean, "/stop 005930 -5%", "설정했습니다:\n005930 손절 -5% — 발동가 66,500원 · 감시 중"},
		{Korean, "/take 삼성전자 +10%", "005930 익절 +10% — 발동가 77,000원 · 감시 중"},
		{Korean, "/trail 005930 3%", "005930 추적손절 3% — 발동가 미정 · 감시 중"},
		{Korean, "/exits", "<b>손절·익절</b> (hoga가 감시합니다)\n005930 손절 -5% — 발동가 66,500원 · 감시 중\n005930 익절 +10% — 발동가 77,000원 · 감시 중\n005930 추적손절 3% — 발동가 미정 · 감시 중"},
		{Korean, "/stop 005930 +5%", "청산 가격 +5% 가 올바르지 않습니다"},
		{Korean, "/stop 005930", "사용법: <code>/stop 005930 -5%</code>"},
		{Korean, "/stop 000660 -5%", "000660 를 보유하고 있지 않습니다"},
		{Korean, "/take 005930 del", "익절 005930 를 지웠습니다."},
		{Korean, "/take 005930 del", "익절 005930 가 설정되어 있지 않습니다"},
		{English, "/stop 005930 65000", "Set:\n005930 stop-loss 65000 — triggers at 65,000 won · watching"},
		{English, "/trail 005930 -2.5%", "005930 trailing stop 2.5% — level not known yet · watching"},
	}
	books := map[Lang]*exits.Book{}
	for _, l := range []Lang{Korean, English} {
		b, err := exits.New(exits.Options{Broker: heldBroker{}})
		if err != nil {
			t.Fatal(err)
		}
		books[l] = b
	}
	for _, st := range steps {
		r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) {
			c.Exits, c.Lang = books[st.lang], st.lang
			c.Stocks = map[broker.Code]string{"005930": "삼성전자"}
		})
		got := r.Handle(context.Background(), Request{Text: st.in, UserID: "console", Source: "console"})
		if !strings.Contains(got.Text, st.want) {
			t.Errorf("%s %q:\n got %q\nwant %q", st.lang, st.in, got.Text, st.want)
		}
	}
}

func TestExitEventText(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 10, 10, 0, 0, 0, broker.KST())
	stop := exits.Exit{Code: "005930", Kind: exits.Stop, BP: -500}
	trail := exits.Exit{Code: "005930", Kind: exits.Trail, BP: 300}
	sell := broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 10}
	fired := exits.Event{Kind: exits.EventFired, Time: at, Exit: stop, Name: "삼성전자", Price: 66_400, Level: 66_500, Avg: 70_000,
		Request: sell, Order: broker.Order{ID: "0000042"}}
	restart := fired
	restart.OnRestart = true
	tr := exits.Event{Kind: exits.EventFired, Time: at, Exit: trail, Name: "삼성전자", Price: 73_700, Level: 73_700, High: 76_000,
		Request: sell, Order: broker.Order{ID: "0000043"}}
	gone := exits.Event{Kind: exits.EventOff, Exit: stop, Reason: exits.OffGone}
	tests := []struct {
		lang Lang
		ev   exits.Event
		want string
	}{
		{Korean, fired, "🛑 삼성전자 (005930) 손절(-5%) 발동: 현재가 66,400원, 발동가 66,500원 (평균단가 70,000원)\n매도 10주 시장가 · 주문번호 0000042"},
		{English, fired, "🛑 삼성전자 (005930) stop-loss (-5%) fired: price 66,400 won, level 66,500 won (average price 70,000 won)\nSell 10 shares market · order 0000042"},
		{Korean, restart, "주문번호 0000042\n(hoga가 꺼져 있는 동안 가격이 발동가를 지나, 재시작 때 발견했습니다.)"},
		{English, restart, "order 0000042\n(The price passed the level while hoga was down; found on restart.)"},
		{Korean, tr, "추적손절(3%) 발동: 현재가 73,700원, 발동가 73,700원 (고점 76,000원)"},
		{Korean, gone, "005930 손절(-5%): 보유 종목이 없어져 감시를 껐습니다."},
		{English, gone, "005930 stop-loss (-5%): the position is gone, so the exit is off."},
		{Korean, exits.Event{Kind: exits.EventArmed, Exit: stop, Avg: 70_000}, "🛡 005930 손절(-5%): 규칙 파일의 청산을 켰습니다 (보유 확인, 평균단가 70,000원)."},
		{English, exits.Event{Kind: exits.EventOff, Exit: stop, Reason: exits.OffNotHeld}, "it arms again when the stock is held"},
	}
	for _, tc := range tests {
		got := NewFeed(FeedConfig{Lang: tc.lang}).FormatExitEvent(tc.ev).Text
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s %s\n got %q\nwant %q", tc.lang, tc.ev.Kind, got, tc.want)
		}
	}
	// Every kind renders in both languages without a format error.
	for _, lang := range []Lang{Korean, English} {
		f := NewFeed(FeedConfig{Lang: lang})
		for _, ev := range []exits.Event{fired, tr, gone,
			{Kind: exits.EventRefused, Exit: stop, Request: sell, Err: &broker.Error{Kind: broker.Rejected, Msg: "<no>"}},
			{Kind: exits.EventUnknown, Exit: stop, Request: sell, Err: &broker.Error{Kind: broker.UnknownOutcome, Msg: "timeout"}},
			{Kind: exits.EventCommitted, Exit: stop, Price: 66_000, Level: 66_500},
			{Kind: exits.EventArmed, Exit: trail, Avg: 70_000},
			{Kind: exits.EventOff, Exit: trail, Reason: exits.OffNotHeld},
			{Kind: exits.EventOff, Exit: stop, Reason: exits.OffFailures, Err: &broker.Error{Kind: broker.Rejected, Msg: "no"}},
		} {
			a := f.FormatExitEvent(ev)
			if a.Text == "" || strings.Contains(a.Text, "%!") || strings.Contains(a.Text, "exit.") || strings.Contains(a.Text, "<no>") {
				t.Errorf("%s %s: bad text %q", lang, ev.Kind, a.Text)
			}
		}
	}
}

// Every order and exit says where it came from: /exits marks an exit set
// over the HTTP API, and an order line or alert names the chat user, the
// console, the API, the rule or the exit that placed it (an exit's sell
// is not "rule exit:005930:stop").
func TestSourcesShown(t *testing.T) {
	t.Parallel()
	b, err := exits.New(exits.Options{Broker: heldBroker{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := b.Put(ctx, exits.Exit{Code: "005930", Kind: exits.Stop, BP: -500}, exits.SourceHTTP); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, exits.Exit{Code: "005930", Kind: exits.Take, BP: 1000}, exits.SourceChat); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang Lang
		want []string
	}{
		{Korean, []string{"005930 손절 -5% — 발동가 66,500원 · 감시 중 · HTTP API", "005930 익절 +10% — 발동가 77,000원 · 감시 중\n"}},
		{English, []string{"005930 stop-loss -5% — triggers at 66,500 won · watching · HTTP API", "005930 take-profit +10% — triggers at 77,000 won · watching"}},
	} {
		r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) { c.Exits, c.Lang = b, tc.lang })
		got := r.Handle(ctx, Request{Text: "/exits", UserID: "console", Source: "console"}).Text + "\n"
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s /exits:\n got %q\nwant %q", tc.lang, got, w)
			}
		}
		if strings.Count(got, "HTTP API") != 1 {
			t.Errorf("%s /exits: the chat's take is marked too:\n%s", tc.lang, got)
		}
	}

	for _, tc := range []struct {
		lang     Lang
		src, usr string
		want     string
	}{
		{Korean, "telegram", "42", "텔레그램 사용자 42"},
		{Korean, "console", "console", "콘솔"},
		{Korean, "http", "http", "HTTP API"},
		{Korean, "strategy", "rule:005930", "자동매매 규칙 005930"},
		{Korean, "strategy", "exit:005930:stop", "손절(005930)"},
		{Korean, "strategy", "exit:005930:take", "익절(005930)"},
		{Korean, "strategy", "exit:005930:trail", "추적손절(005930)"},
		{Korean, "strategy", "exit:005930:other", "보호 청산(005930)"},
		{English, "strategy", "exit:005930:stop", "stop-loss (005930)"},
		{English, "strategy", "rule:005930", "rule 005930"},
	} {
		r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) { c.Lang = tc.lang })
		line := r.FormatOrder(broker.Order{ID: "1", Code: "005930", Side: broker.Sell, Qty: 1, Type: broker.Market, Source: tc.src, User: tc.usr})
		if !strings.HasSuffix(line, " · "+tc.want) {
			t.Errorf("%s order by %s:%s: %q, want it to end %q", tc.lang, tc.src, tc.usr, line, tc.want)
		}
		ev := broker.OrderEvent{Kind: broker.EventFilled, Request: broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 1,
			Source: tc.src, User: tc.usr}, Order: broker.Order{ID: "1", Code: "005930", Status: broker.StatusFilled, FilledQty: 1, Qty: 1, AvgFillPrice: 66_000}}
		if a := NewFeed(FeedConfig{Lang: tc.lang}).FormatOrderEvent(ev); !strings.Contains(a.Text, tc.want) {
			t.Errorf("%s fill alert by %s:%s: %q, want %q in it", tc.lang, tc.src, tc.usr, a.Text, tc.want)
		}
	}
}

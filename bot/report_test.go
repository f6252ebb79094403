package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/pnl"
	"github.com/hoga-trade/hoga/pnl/pnltest"
	"github.com/hoga-trade/hoga/strategy"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// Issue 17, Done when 3: the close report's text in Korean and English,
// golden. The day is TestGoldenReplies': 2 of 3 shares sold at 72,000
// against yesterday's 70,000 (realised +3,691), one stock held, one rule,
// one stop-loss, two errors.
func TestCloseReportGolden(t *testing.T) {
	t.Parallel()
	b := newFakeBroker()
	b.SetBalance(broker.Balance{Cash: 9_785_000, Orderable: 9_785_000, StockValue: 71_500, Total: 9_856_500, Cost: 70_000, PnL: 1_500,
		Positions: []broker.Position{{Code: "005930", Name: "삼성전자", Qty: 1, AvgPrice: 70_000, Price: 71_500, Cost: 70_000, Value: 71_500, PnL: 1_500, PnLPct: 2.14}}})
	rule := strategy.Rule{Code: "005930", BuyBelow: 65_000, SellAbove: 75_000, Qty: 3, Type: broker.Limit, Enabled: true}
	in := CloseReportInput{Errors: 2, ErrorLines: []string{"11:02:13 ⚠️ 005930 시세 조회 실패: 증권사 응답 없음", "14:55:40 ⚠️ <token> refresh failed"}}
	for _, lang := range []Lang{Korean, English} {
		book, err := exits.New(exits.Options{Broker: heldBroker{}})
		if err != nil {
			t.Fatal(err)
		}
		r, _ := newTestRouter(t, b, func(c *Config) {
			c.Lang, c.Mode = lang, "mock"
			c.PnL = todaysFills
			c.Rules = &positionedRules{list: []strategy.RuleStatus{{Rule: rule, BuyArmed: true, SellArmed: true, LastPrice: 71_500, Held: 1, PositionKnown: true}}}
			c.Exits = book
			c.Stocks = map[broker.Code]string{"005930": "삼성전자"}
		})
		if got := r.Handle(context.Background(), Request{Text: "/stop 005930 -5%", UserID: "console", Source: "console"}).Text; !strings.Contains(got, "66,500") {
			t.Fatalf("/stop: %s", got)
		}
		golden(t, string(lang)+"_report", r.CloseReport(context.Background(), in))
		// Sent again after a crash before delivery: the same with a note.
		again := r.CloseReport(context.Background(), CloseReportInput{Again: true})
		if !strings.Contains(again, r.t("report.again")) {
			t.Errorf("%s: a repeated report without its note:\n%s", lang, again)
		}
	}
}

// A quiet day: no fills, no errors, nothing to watch, and a broker that
// cannot give the balance: each part says so, the report still goes.
func TestCloseReportQuietDay(t *testing.T) {
	t.Parallel()
	b := newFakeBroker()
	b.Fail("balance", &broker.Error{Kind: broker.Transient, Code: "EGW00201", Msg: "server busy"})
	r, _ := newTestRouter(t, b, func(c *Config) {
		c.PnL = func(ctx context.Context, n int) (pnl.Report, error) { return pnl.Compute(ctx, pnltest.Days{}, t0, n) }
		c.Rules = &positionedRules{}
	})
	got := r.CloseReport(context.Background(), CloseReportInput{})
	for _, want := range []string{"오늘 체결이 없습니다.", "잔고를 읽지 못했습니다:", "자동매매 규칙과 손절·익절이 없습니다.", "오늘 오류 없음."} {
		if !strings.Contains(got, want) {
			t.Errorf("quiet report lacks %q:\n%s", want, got)
		}
	}
	// hoga restarted at 12:30: the errors before are not counted, and the
	// report says so.
	got = r.CloseReport(context.Background(), CloseReportInput{Since: t0.Add(150 * time.Minute)})
	for _, want := range []string{"오늘 오류 없음.\n(오류는 hoga가 시작한 12:30:00 이후만 셉니다.)"} {
		if !strings.Contains(got, want) {
			t.Errorf("quiet report lacks %q:\n%s", want, got)
		}
	}
}

// errStore is an ErrorStore in memory; fail makes GetSetting fail.
type errStore struct {
	mu   sync.Mutex
	m    map[string]string
	fail error
}

func (s *errStore) GetSetting(_ context.Context, k string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return "", false, s.fail
	}
	v, ok := s.m[k]
	return v, ok, nil
}

func (s *errStore) PutSetting(_ context.Context, k, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
	return nil
}

// TestFeedErrorsSurviveARestart: the day's error count and last lines are
// stored as each error is published, and a new feed (hoga restarted)
// counts them with its own; another day's are not counted, and a store
// that cannot be read leaves the count at this run's, said by
// ErrorsSince.
func TestFeedErrorsSurviveARestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 12, 4, 9, 0, 0, 0, broker.KST()))
	st := &errStore{m: map[string]string{}}
	f := NewFeed(FeedConfig{Clock: clk, Store: st})
	if err := f.RestoreErrors(ctx); err != nil || !f.ErrorsSince().IsZero() {
		t.Fatalf("restore of nothing: %v, since %v", err, f.ErrorsSince())
	}
	f.Error(ctx, "one")
	clk.Advance(time.Minute)
	f.Error(ctx, "two")

	clk.Advance(time.Hour)
	g := NewFeed(FeedConfig{Clock: clk, Store: st})
	g.Error(ctx, "three") // before the restore: counted after the stored ones
	if err := g.RestoreErrors(ctx); err != nil {
		t.Fatal(err)
	}
	n, lines := g.ErrorsOn("2026-12-04")
	want := []string{"09:00:00 ⚠️ one", "09:01:00 ⚠️ two", "10:01:00 ⚠️ three"}
	if n != 3 || !slices.Equal(lines, want) {
		t.Fatalf("after a restart: %d %q; want 3 %q", n, lines, want)
	}
	g.Error(ctx, "four")
	h := NewFeed(FeedConfig{Clock: clk, Store: st})
	if err := h.RestoreErrors(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := h.ErrorsOn("2026-12-04"); n != 4 {
		t.Fatalf("after a second restart: %d errors; want 4", n)
	}

	clk.Advance(24 * time.Hour) // the next day: yesterday's are not today's
	d := NewFeed(FeedConfig{Clock: clk, Store: st})
	if err := d.RestoreErrors(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := d.ErrorsOn("2026-12-05"); n != 0 {
		t.Fatalf("the next day: %d errors; want 0", n)
	}

	st.fail = errors.New("disk gone")
	e := NewFeed(FeedConfig{Clock: clk, Store: st})
	if err := e.RestoreErrors(ctx); err == nil || !e.ErrorsSince().Equal(clk.Now()) {
		t.Fatalf("an unreadable store: %v, since %v; want an error and since now", err, e.ErrorsSince())
	}
}

package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

func TestBrokerWatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := clock.NewFake(t0)
	fb := newFakeBroker()
	f := NewFeed(FeedConfig{Clock: clk})
	rec := &alertRecorder{}
	f.AddSink(rec)
	w := broker.Observe(fb, NewBrokerWatch(fb.Name(), f, clk).Observe)
	down := &broker.Error{Kind: broker.Transient, Msg: "connection refused"}
	steps := []struct {
		name    string
		err     error // what the broker's next order answer is
		advance time.Duration
		want    string // the alert it causes, "" for none
	}{
		{"healthy", nil, 0, ""},
		{"first_failure", down, 0, "브로커(fake) 문제: connection refused — 증권사 서버나 네트워크 문제"},
		{"repeat_is_quiet", down, time.Minute, ""},
		{"another_kind", &broker.Error{Kind: broker.Auth, Code: "EGW00123", Msg: "기간이 만료된 token 입니다."}, 0, "[EGW00123] 기간이 만료된 token 입니다. — 앱 키"},
		{"user_error_is_no_alert", &broker.Error{Kind: broker.InsufficientFunds, Msg: "no cash"}, 0, ""},
		{"reminder_after_quiet_period", down, WatchRepeat, "connection refused"},
		{"recovered", nil, 0, "브로커(fake)가 다시 정상입니다"},
		{"healthy_again_is_quiet", nil, 0, ""},
		{"fails_again_alerts_at_once", down, time.Second, "connection refused"},
	}
	for _, st := range steps {
		clk.Advance(st.advance)
		fb.Fail("place", st.err)
		before := len(rec.alerts)
		_, _ = w.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1})
		got := rec.alerts[before:]
		switch {
		case st.want == "" && len(got) != 0:
			t.Errorf("%s: unexpected alert %q", st.name, got[0].Text)
		case st.want != "" && (len(got) != 1 || !strings.Contains(got[0].Text, st.want)):
			t.Errorf("%s: alerts %+v; want one containing %q", st.name, got, st.want)
		case len(got) == 1 && got[0].Type != AlertErrors:
			t.Errorf("%s: alert type %s", st.name, got[0].Type)
		}
	}
}

// Issue 21, item 1: an order list that stays unreadable is told once, not
// per poll, and its return once; other calls' successes do not end it.
func TestBrokerWatchUnreadableList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := clock.NewFake(t0)
	f := NewFeed(FeedConfig{Clock: clk})
	rec := &alertRecorder{}
	f.AddSink(rec)
	w := NewBrokerWatch("kis", f, clk)
	bad := &broker.Error{Kind: broker.Unreadable, Msg: "KIS sent an order list without output1"}
	steps := []struct {
		name string
		call string
		err  error
		want string
	}{
		{"one_bad_list_is_quiet", broker.CallOrdersToday, bad, ""},
		{"list_recovers_quietly", broker.CallOrdersToday, nil, ""},
		{"bad_1", broker.CallOrdersToday, bad, ""},
		{"bad_2", broker.CallOrdersToday, bad, ""},
		{"bad_3_alerts", broker.CallOrdersToday, bad, "주문 목록을 3번 연속 읽을 수 없습니다"},
		{"bad_4_quiet", broker.CallOrdersToday, bad, ""},
		{"quote_ok_does_not_end_it", broker.CallQuote, nil, ""},
		{"bad_after_ten_minutes_still_quiet", broker.CallOrdersToday, bad, ""},
		{"list_read_again", broker.CallOrdersToday, nil, "주문 목록을 다시 읽을 수 있습니다"},
		{"next_ok_quiet", broker.CallOrdersToday, nil, ""},
	}
	for _, st := range steps {
		if st.name == "bad_after_ten_minutes_still_quiet" {
			clk.Advance(WatchRepeat + time.Minute)
		}
		before := len(rec.alerts)
		w.Observe(ctx, st.call, st.err, 0)
		got := rec.alerts[before:]
		switch {
		case st.want == "" && len(got) != 0:
			t.Errorf("%s: unexpected alert %q", st.name, got[0].Text)
		case st.want != "" && (len(got) != 1 || !strings.Contains(got[0].Text, st.want)):
			t.Errorf("%s: alerts %+v; want one containing %q", st.name, got, st.want)
		}
	}
}

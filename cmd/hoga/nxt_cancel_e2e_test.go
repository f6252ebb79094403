package main

import (
	"strings"
	"testing"
)

// TestNXTCancelThroughRun: at 19:00 KST, when only Nextrade trades, a live
// /buy … nxt rests at the fake (below the price), and /cancel of it goes
// out to NXT, where the order is: KIS EXCG_ID_DVSN_CD=NXT on
// order-rvsecncl, Kiwoom dmst_stex_tp=NXT on kt10003. Both fakes refuse a
// cancel sent to another venue than the order's, as the exchange would not
// find it there; before the journal kept venues, hoga sent every cancel
// of its own orders as KRX (issue 16). The tracker follows the order
// rather than calling it expired at KRX's close.
func TestNXTCancelThroughRun(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"kis", "kiwoom"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			getenv, m, sent := nxtFake(t, name)
			m.SetPrice("005930", 70_000)
			out := runScript(t, getenv, "2026-03-04 19:00:00", "/buy 005930 1 69000 nxt\n1\n/cancel 1\n1\n/orders\n")
			orders, cancels := sent()
			if strings.Join(orders, ",") != "NXT" || strings.Join(cancels, ",") != "NXT" {
				t.Errorf("orders sent to %v, cancels to %v; want [NXT] and [NXT]\n%s", orders, cancels, out)
			}
			for _, w := range []string{"취소 요청 완료", "· NXT — 취소"} {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			// An NXT order lives until 20:00: placing it at 19:00 must
			// not alert an expiry at KRX's 15:30 close.
			if strings.Contains(out, "만료") {
				t.Errorf("the order was called expired at 19:00:\n%s", out)
			}
		})
	}
}

// TestNXTPriceThroughRun: /price says which venue it quotes. In KRX's
// session it is KRX's price; at 19:00, while only Nextrade trades, it is
// NXT's (asked with KIS FID_COND_MRKT_DIV_CODE=NX, Kiwoom stk_cd …_NX);
// for a stock NXT does not list it is KRX's last price.
func TestNXTPriceThroughRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, at, code string
		want           []string
		not            []string
	}{
		{name: "krx_hours", at: "2026-03-04 10:00:00", code: "005930",
			want: []string{"현재가 70,000원", "📍 KRX(한국거래소) 가격"}, not: []string{"NXT(넥스트레이드) 가격"}},
		{name: "nxt_after", at: "2026-03-04 19:00:00", code: "005930",
			want: []string{"현재가 70,500원", "📍 NXT(넥스트레이드) 가격"}},
		{name: "nxt_unlisted", at: "2026-03-04 19:00:00", code: "000660",
			want: []string{"📍 KRX(한국거래소) 가격"}, not: []string{"NXT(넥스트레이드) 가격"}},
	}
	for _, b := range []string{"kis", "kiwoom"} {
		for _, tt := range tests {
			t.Run(b+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				getenv, m, _ := nxtFake(t, b)
				m.SetPrice("005930", 70_000)
				m.SetNXTPrice("005930", 70_500)
				m.SetNXTListed("000660", false)
				out := runScript(t, getenv, tt.at, "/price "+tt.code+"\n")
				for _, w := range tt.want {
					if !strings.Contains(out, w) {
						t.Errorf("output lacks %q:\n%s", w, out)
					}
				}
				for _, w := range tt.not {
					if strings.Contains(out, w) {
						t.Errorf("output has %q:\n%s", w, out)
					}
				}
			})
		}
	}
}

// TestNXTUnlistedThroughRun: which stocks Nextrade trades comes from the
// broker (KIS search-stock-info, Kiwoom ka10100). At 19:00 an NXT order
// for a stock NXT does not list is refused by hoga with the reason, and
// one naming no venue (SOR, the live default) keeps to KRX's hours and is
// refused with KRX's next session; neither reaches the broker. A listed
// stock still goes to NXT.
func TestNXTUnlistedThroughRun(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"kis", "kiwoom"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			getenv, m, sent := nxtFake(t, name)
			m.SetPrice("000660", 180_000)
			m.SetPrice("005930", 70_000)
			m.SetNXTListed("000660", false)
			out := runScript(t, getenv, "2026-03-04 19:00:00",
				"/buy 000660 1 180000 nxt\n/buy 000660 1 180000\n/buy 005930 1 69000 nxt\n1\n")
			for _, w := range []string{"넥스트레이드(NXT)에서 거래되지 않는 종목입니다", "다음 개장: 03-05 (목) 09:00", "매수 주문 접수"} {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if orders, _ := sent(); strings.Join(orders, ",") != "NXT" {
				t.Errorf("orders at the fake went to %v; want only the listed stock's, [NXT]\n%s", orders, out)
			}
		})
	}
}

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/clock"
)

// statusAfter types lines into hoga's console and returns the /status
// reply they end with (the output after the lines were typed, to the
// reply's last line).
func (h *liveHoga) statusAfter(lines ...string) string {
	h.t.Helper()
	from := len(h.out.String())
	for _, l := range lines {
		h.send(l)
	}
	h.send("/status")
	var reply string
	waitFor(h.t, "the /status reply", func() bool {
		out := h.out.String()[from:]
		i := strings.Index(out, "hoga 상태")
		if i < 0 {
			return false
		}
		// The reply ends with its token, tracker or stream line; the
		// prompt's next reply has not come, as nothing more was typed.
		reply = out[i:]
		return strings.Contains(reply, "실시간:")
	})
	return reply
}

// /status right after /rule add is true at that moment: the rule's code,
// which the supervisor subscribes at its next look (once a second, after
// the code's price limits), is said to be on its way — it read "구독
// 0종목" and nothing more, or listed it as past the broker's limit. On
// the default paper broker (README's example) and on the KIS and Kiwoom
// fakes' WebSockets; no clock moves between the command and /status.
func TestStatusRightAfterRuleAdd(t *testing.T) {
	t.Parallel()
	const pending = "구독 준비 중인 종목 (그동안 조회로 확인): "
	t.Run("paper", func(t *testing.T) {
		t.Parallel()
		clk := clock.NewFake(kstAt(2026, 12, 8, 10, 0, 0))
		h := startHoga(t, clk, env("HOGA_DATA_DIR", t.TempDir(), "HOGA_PAPER_SEED", "1", "HOGA_LOG_LEVEL", "error"))
		waitFor(t, "the stream supervisor to start", func() bool { return h.app.streamLooks.Load() > 0 })
		got := h.statusAfter("/rule add 005930 buy<190000 sell>210000 qty=3")
		if !strings.Contains(got, "구독 0종목") || !strings.Contains(got, pending+"005930") {
			t.Fatalf("/status right after /rule add:\n%s", got)
		}
		looks := h.app.streamLooks.Load()
		clk.Advance(time.Second)
		waitFor(t, "the supervisor's look", func() bool { return h.app.streamLooks.Load() > looks })
		got = h.statusAfter()
		if !strings.Contains(got, "구독 1종목") || strings.Contains(got, pending) {
			t.Fatalf("/status after the supervisor's look:\n%s", got)
		}
	})
	for _, name := range []string{"kis", "kiwoom"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := startStreamHoga(t, name, kstAt(2026, 12, 8, 10, 0, 0), "always")
			r.streaming() // the rules file's 005930
			got := r.statusAfter("/rule add 000660 buy<1000 qty=1")
			if !strings.Contains(got, "구독 1종목") || !strings.Contains(got, pending+"000660") || strings.Contains(got, "구독 한도 초과") {
				t.Fatalf("/status right after /rule add:\n%s", got)
			}
			r.tick()
			waitFor(t, "000660 to stream", func() bool { return r.app.stream.Streaming("000660") })
			got = r.statusAfter()
			if !strings.Contains(got, "구독 2종목") || strings.Contains(got, pending) || strings.Contains(got, "구독 한도 초과") {
				t.Fatalf("/status once it streams:\n%s", got)
			}
		})
	}
}

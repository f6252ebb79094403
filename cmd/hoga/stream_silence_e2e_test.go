package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// streamHoga is hoga run() against a broker fake with its WebSocket, on a
// fake clock, with one rule on 005930 (so one code is subscribed).
type streamHoga struct {
	*liveHoga
	silence func(bool) // the fake's dead path on or off
	ping    func()     // the fake's keep-alive (PINGPONG / PING)
	quotes  func() int // quote calls counted at the fake
	alerts  *alertLog
	kis     *brokertest.KISFake // when the broker is KIS
	// The fake's market and connection.
	setPrice    func(code string, price int64) bool
	drop        func()
	orders      func() int
	ordersDebug func() string
}

// alertLog is an alert sink that keeps every alert's text.
type alertLog struct {
	mu    sync.Mutex
	texts []string
}

func (l *alertLog) SendAlert(_ context.Context, a bot.Alert) error {
	l.mu.Lock()
	l.texts = append(l.texts, a.Text)
	l.mu.Unlock()
	return nil
}

// count is how many alerts contain s.
func (l *alertLog) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, t := range l.texts {
		if strings.Contains(t, s) {
			n++
		}
	}
	return n
}

func (l *alertLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.texts, "\n")
}

const (
	lostText = "동안 끊겨 있습니다"
	backText = "실시간 시세 연결이 돌아왔습니다"
)

func startStreamHoga(t *testing.T, brokerName string, at time.Time, hours string) *streamHoga {
	t.Helper()
	return startStreamHogaRules(t, brokerName, at, hours, "rules:\n  - code: \"005930\"\n    buy_below: 1000\n    qty: 1\n", "100ms")
}

// startStreamHogaNotices is startStreamHoga with the account's fill
// notices subscribed too (KIS: HOGA_KIS_HTS_ID; Kiwoom registers 00
// always).
func startStreamHogaNotices(t *testing.T, brokerName string, at time.Time) *streamHoga {
	t.Helper()
	return startStreamHogaRules(t, brokerName, at, "always", "rules:\n  - code: \"005930\"\n    buy_below: 1000\n    qty: 1\n", "1h", "HOGA_KIS_HTS_ID", "hoga01")
}

// startStreamHogaRules is startStreamHoga with the given rules file and
// strategy interval.
func startStreamHogaRules(t *testing.T, brokerName string, at time.Time, hours, rulesYAML, interval string, extraEnv ...string) *streamHoga {
	t.Helper()
	clk := clock.NewFake(at)
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte(rulesYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	common := append([]string{"HOGA_MARKET_HOURS", hours, "HOGA_RULES_FILE", rules, "HOGA_STRATEGY_INTERVAL", interval}, extraEnv...)
	r := &streamHoga{}
	switch brokerName {
	case "kis":
		// The fakes keep the wall clock: their tokens' expiry must agree
		// with the clients', which read it too.
		fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
		r.liveHoga = startHoga(t, clk, kisEnv(fake, dir, append(common, "HOGA_KIS_WS_URL", fake.WSURL())...))
		r.silence, r.ping = fake.SilenceStreams, fake.PingPong
		r.kis = fake
		r.setPrice, r.drop, r.orders = fake.SetPrice, fake.DropStreams, func() int { return len(fake.Orders()) }
		r.quotes = func() int { return fake.QuoteCalls("005930") }
	case "kiwoom":
		fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{RateLimit: -1, Stocks: kwStocks})
		t.Cleanup(fake.Close)
		r.liveHoga = startHoga(t, clk, env(append([]string{"HOGA_BROKER", "kiwoom", "HOGA_MODE", "mock",
			"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
			"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_KIWOOM_WS_URL", fake.WSURL(), "HOGA_KIWOOM_RPS", "200",
			"HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_LOG_LEVEL", "error"}, common...)...))
		r.silence, r.ping = fake.SilenceStreams, fake.Ping
		r.setPrice, r.drop, r.orders = fake.SetPrice, fake.DropStreams, func() int { return len(fake.Orders()) }
		r.ordersDebug = func() string { return fmt.Sprintf("%+v", fake.Orders()) }
		r.quotes = func() int { return fake.Requests("ka10001") }
	default:
		t.Fatalf("broker %q", brokerName)
	}
	waitFor(t, "the stream supervisor to start", func() bool { return r.app.streamLooks.Load() > 0 })
	r.alerts = &alertLog{}
	r.app.feed.AddSink(r.alerts) // the console leaves system alerts to the log
	return r
}

// tick moves hoga's clock one second and waits until the stream's
// supervisor has looked at the stream at the new time.
func (r *streamHoga) tick() {
	r.t.Helper()
	looks := r.app.streamLooks.Load()
	r.clk.Advance(time.Second)
	waitFor(r.t, "the stream supervisor to look", func() bool { return r.app.streamLooks.Load() > looks })
}

// reconnect moves the clock until the stream waits to try again, then to
// that moment, and waits (in real time: connecting takes no clock time)
// until it is connected. The fake's keep-alive goes out each second.
func (r *streamHoga) reconnect() {
	r.t.Helper()
	for i := 0; r.app.stream.Status().Retry.IsZero(); i++ {
		if r.app.stream.Status().Connected {
			return
		}
		if i > 60 {
			r.t.Fatal("the stream never waited to reconnect")
		}
		r.ping()
		r.tick()
	}
	r.clk.Set(r.app.stream.Status().Retry)
	waitFor(r.t, "the reconnect", func() bool { return r.app.stream.Status().Connected })
}

// streaming moves the clock one second, so the supervisor subscribes the
// rule's code, and waits (in real time: connecting takes no clock time)
// until it streams.
func (r *streamHoga) streaming() {
	r.t.Helper()
	r.tick()
	waitFor(r.t, "005930 to stream", func() bool { return r.app.stream.Streaming("005930") })
}

func (r *streamHoga) count(s string) int { return r.alerts.count(s) }

// Issue 15 through run(), both brokers: a stream that goes silent during
// the session (a dead path: the fake delivers nothing, not even answers
// to a reconnect) is detected at 30 s, the rule's code falls back to
// polling, the owner hears "stream lost" exactly once a minute later, and
// "back" exactly once when the fake talks again.
func TestStreamSilenceAlertsOnceThroughRun(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"kis", "kiwoom"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := startStreamHoga(t, name, kstAt(2026, 12, 8, 10, 0, 0), "always")
			r.streaming()
			r.silence(true)
			quiet := r.clk.Now()
			var detected, lost time.Time
			for range 180 {
				r.tick()
				if testing.Verbose() {
					st := r.app.stream.Status()
					t.Logf("%s connected=%v since=%s last=%s", r.clk.Now().Format("15:04:05"), st.Connected, st.Since.Format("15:04:05"), st.LastMsg.Format("15:04:05"))
				}
				now := r.clk.Now()
				if detected.IsZero() && !r.app.stream.Streaming("005930") {
					detected = now
					// Polling takes over (the strategy's own interval).
					base := r.quotes()
					r.polled("005930 to be polled", 100*time.Millisecond, func() bool { return r.quotes() > base })
				}
				if lost.IsZero() && r.count(lostText) > 0 {
					lost = now
				}
			}
			// Replaced within 30 s of the last frame; the supervisor's
			// look (1 s) is when the test sees it.
			if detected.IsZero() || detected.Sub(quiet) > 31*time.Second {
				t.Fatalf("silence detected at %v, %s after it began; want ≤ 30 s (+1 s look)", detected, detected.Sub(quiet))
			}
			if lost.IsZero() {
				t.Fatalf("no stream-lost alert in 180 s of silence:\n%s", r.alerts.String())
			}
			if d := lost.Sub(detected); d < streamLostAfter || d > streamLostAfter+5*time.Second {
				t.Fatalf("stream-lost alert %s after the stream went down; want a minute", d)
			}
			if n := r.count(lostText); n != 1 || r.count(backText) != 0 {
				t.Fatalf("%d lost alerts, %d back; want 1 and 0:\n%s", n, r.count(backText), r.alerts.String())
			}
			t.Logf("silence at %s, detected +%s, lost alert +%s", quiet.Format("15:04:05"), detected.Sub(quiet), lost.Sub(quiet))

			// Back: the attempt in flight lost its answers to the dead path
			// and its watchdog ends it; the next one is answered.
			r.silence(false)
			r.reconnect()
			for i := 0; r.count(backText) == 0; i++ {
				if i > 5 {
					t.Fatalf("no back alert after the reconnect:\n%s", r.alerts.String())
				}
				r.ping()
				r.tick()
			}
			r.streaming()
			for range 30 {
				r.ping()
				r.tick()
			}
			if l, b := r.count(lostText), r.count(backText); l != 1 || b != 1 {
				t.Fatalf("%d lost and %d back alerts, want 1 and 1:\n%s", l, b, r.alerts.String())
			}
		})
	}
}

// Issue 15: silence counts only in the session (broker.Calendar.InSession,
// irregular days included). A silent stream outside it is neither
// replaced nor alerted; in the session it is, even at an hour that is
// closed on a normal day (수능 closes at 16:30).
func TestStreamSilenceOnlyInSessionThroughRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		at   time.Time
		lost bool
	}{
		{"night", kstAt(2026, 12, 8, 21, 0, 0), false},
		{"saturday", kstAt(2026, 12, 5, 11, 0, 0), false},
		{"성탄절", kstAt(2026, 12, 25, 11, 0, 0), false},
		{"first trading day before its 10:00 open", kstAt(2027, 1, 4, 9, 5, 0), false},
		{"normal day 16:10, after the close", kstAt(2026, 11, 18, 16, 10, 0), false},
		{"수능 16:10, still in session", kstAt(2026, 11, 19, 16, 10, 0), true},
	} {
		for _, name := range []string{"kis", "kiwoom"} {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				r := startStreamHoga(t, name, tc.at, "krx")
				r.streaming()
				r.silence(true)
				for range 120 {
					r.tick()
				}
				if got := r.count(lostText) == 1; got != tc.lost {
					t.Fatalf("lost alerts %d, want alert %v:\n%s", r.count(lostText), tc.lost, r.alerts.String())
				}
				if !tc.lost {
					if st := r.app.stream.Status(); !st.Connected || st.Reconnects != 0 {
						t.Fatalf("a quiet stream outside the session was replaced: %+v", st)
					}
				}
			})
		}
	}
}

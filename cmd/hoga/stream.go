package main

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/kis"
	"github.com/hoga-trade/hoga/broker/kiwoom"
	"github.com/hoga-trade/hoga/broker/paper"
	"github.com/hoga-trade/hoga/broker/tracker"
)

// realtime is what cmd/hoga needs of a broker's stream (kis.Stream,
// kiwoom.Stream).
type realtime interface {
	Run(ctx context.Context) error
	Subscribe(code broker.Code)
	Unsubscribe(code broker.Code)
	Streaming(code broker.Code) bool
	Status() broker.StreamStatus
}

// implausibleTicksAlert is how many impossible trades of a code in a row
// make an alert: the number of failed quotes after which the strategy
// tells the owner.
const implausibleTicksAlert = 3

// streamLostAfter is how long the stream may be down before the alert
// feed hears of it (issue 15): short gaps are covered by polling quietly.
const streamLostAfter = time.Minute

// buildStream makes the realtime stream of the configured broker, feeding
// a.ticks, which the strategy reads. A REST host overridden without a
// WebSocket host (a proxy or a fake without one) means no stream: hoga
// never dials the real broker behind an override.
func (a *app) buildStream() {
	cfg := a.cfg
	a.ticks = broker.NewTickBook()
	a.tickLimits = broker.NewTickLimits()
	tick := func(name string) func(broker.Tick) {
		return func(t broker.Tick) {
			a.metrics.StreamMessage(name, "trade")
			// Checked as quotes are (broker.Quote.Plausible): an
			// impossible trade is dropped, counted, never fed to a rule,
			// and the owner hears of a run of them once.
			if n, err := a.tickLimits.Check(t, a.clock.Now()); err != nil {
				a.metrics.StreamTickDropped(name)
				a.log.Warn("realtime trade dropped as impossible", "code", t.Code, "price", t.Price, "in_a_row", n)
				var iq *broker.ImplausibleQuote
				if n == implausibleTicksAlert && errors.As(err, &iq) {
					a.feed.Publish(context.Background(), bot.Alert{Type: bot.AlertErrors, Text: bot.Text(cfg.lang, "alert.implausible_ticks",
						bot.Esc(string(t.Code)), n, bot.Group(t.Price), bot.Group(iq.Quote.LowerLimit), bot.Group(iq.Quote.UpperLimit))})
				}
				return
			}
			a.ticks.Put(t)
		}
	}
	switch cl := a.inner.(type) {
	case *paper.Exchange:
		// The paper exchange pushes its simulated trades through the same
		// shape, so rules and exits on paper run on ticks as they do on a
		// real broker's stream, and polling is its fallback only for codes
		// not (yet) subscribed.
		a.streamName = "paper"
		a.stream = cl.NewStream(paper.StreamOptions{OnTick: tick("paper"), Clock: a.clock})
	case *kis.Client:
		if cfg.KISBaseURL != "" && cfg.KISWSURL == "" {
			a.log.Info("realtime stream off: HOGA_KIS_BASE_URL is overridden without HOGA_KIS_WS_URL")
			return
		}
		a.streamName = "kis"
		a.stream = cl.NewStream(kis.StreamOptions{
			URL: cfg.KISWSURL, HTSID: cfg.KISHTSID,
			OnTick: tick("kis"),
			OnNotice: func(n kis.Notice) {
				a.metrics.StreamMessage("kis", "notice")
				a.log.Debug("kis fill notice", "order", n.OrderNo, "code", n.Code, "fill", n.Fill, "qty", n.Qty, "price", n.Price)
				// Fills reach the owner through the order tracker (issue
				// 14), which stores each once whether the push or the poll
				// saw it first. An acknowledgement (a cancel, a refusal)
				// carries no fill: the tracker polls to learn its effect.
				if n.Fill && !n.Rejected {
					a.tracker.Notify(tracker.Push{OrderID: n.OrderNo, Qty: n.Qty, Price: n.Price, Time: noticeTime(a.clock.Now(), n.Hour),
						Exchange: n.Exchange}) // journaled for a SOR order: KIS's list never says where it went
				} else {
					a.tracker.Kick()
				}
			},
			OnUp: func() {
				a.inUseTold.Store(false)
				a.tracker.Kick() // after a gap, poll the order list once
			},
			// Another program holds the key's realtime session: the owner
			// hears once until a session is up again.
			OnInUse: func() {
				if !a.inUseTold.Swap(true) {
					a.feed.System(context.Background(), "alert.stream_in_use")
				}
			},
			OnDown: func(error) { a.metrics.StreamReconnect("kis") },
			// KIS refused a code at its limit (OPSP0008): it is polled, and
			// the owner hears of each code once.
			OnLimit: func(code broker.Code, msgCd string) {
				if _, told := a.limitTold.LoadOrStore(code, true); !told {
					a.feed.System(context.Background(), "alert.stream_limit", bot.Esc(string(code)), "KIS "+msgCd)
				}
			},
			OnDecodeError: func() { a.metrics.StreamDecodeError("kis") },
			Active:        a.streamActive,
			Clock:         a.clock,
			Logger:        a.log.With("broker", "kis"),
		})
	case *kiwoom.Client:
		if cfg.KiwoomBaseURL != "" && cfg.KiwoomWSURL == "" {
			a.log.Info("realtime stream off: HOGA_KIWOOM_BASE_URL is overridden without HOGA_KIWOOM_WS_URL")
			return
		}
		a.streamName = "kiwoom"
		a.stream = cl.NewStream(kiwoom.StreamOptions{
			URL: cfg.KiwoomWSURL, Orders: true,
			OnTick: tick("kiwoom"),
			OnOrder: func(n kiwoom.OrderNotice) {
				a.metrics.StreamMessage("kiwoom", "notice")
				a.log.Debug("kiwoom order notice", "order", n.OrderNo, "code", n.Code, "state", n.State, "exec", n.ExecNo, "qty", n.ExecQty, "price", n.ExecPx)
				if n.Fill() {
					// 902 (remaining) makes the cumulative quantity exact;
					// 909 identifies the execution.
					cum := int64(0)
					if n.OrderQty > 0 && n.Remaining >= 0 && n.Remaining < n.OrderQty {
						cum = n.OrderQty - n.Remaining
					}
					a.tracker.Notify(tracker.Push{OrderID: n.OrderNo, Qty: n.ExecQty, Price: n.ExecPx, CumQty: cum,
						ExecID: n.ExecNo, Time: noticeTime(a.clock.Now(), n.Hour)})
				} else {
					a.tracker.Kick()
				}
			},
			OnUp:          a.tracker.Kick,
			OnDown:        func(error) { a.metrics.StreamReconnect("kiwoom") },
			OnDecodeError: func() { a.metrics.StreamDecodeError("kiwoom") },
			Active:        a.streamActive,
			Clock:         a.clock,
			Logger:        a.log.With("broker", "kiwoom"),
		})
	default:
		return
	}
	a.ticks.SetStreaming(a.stream.Streaming)
	a.background["stream"] = a.runStream
}

// runStream runs the stream and its supervisor: subscriptions follow the
// enabled rules and the armed exits; the alert feed hears once when the stream has been down
// for streamLostAfter and once when it is back. While it is down the
// strategy polls every code by itself (Streaming is false), which is also
// the REST snapshot after a gap.
func (a *app) runStream(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- a.stream.Run(ctx) }()
	every := a.clock.NewTicker(time.Second)
	defer every.Stop()
	a.streamLooks.Add(1) // started: its ticker is on the clock
	subscribed := map[broker.Code]bool{}
	limitTries := map[broker.Code]time.Time{}
	watch := streamWatch{downSince: a.clock.Now(), last: a.clock.Now()}
	for {
		select {
		case <-ctx.Done():
			<-done
			return nil
		case err := <-done:
			return err
		case <-every.C():
			// The clock's now, not the tick's time: a fake clock moved a
			// minute at once delivers the first missed tick only.
			now := a.clock.Now()
			if want, ok := a.wantStreamed(ctx); ok {
				// In code order: past the broker's limit, which codes
				// stream and which are polled is then the same every
				// start (a map's order made it a different code each
				// time, and TestStreamAgainstFakeKIS flaked when the
				// code it watched was the one left to polling).
				for _, c := range slices.Sorted(maps.Keys(want)) {
					// The day's limits first, so that the first trade
					// is checked against them (and again each day).
					a.learnLimits(ctx, c, now, limitTries)
					if !subscribed[c] {
						a.stream.Subscribe(c)
						subscribed[c] = true
					}
				}
				for c := range subscribed {
					if !want[c] {
						a.stream.Unsubscribe(c)
						delete(subscribed, c)
					}
				}
			}
			st := a.stream.Status()
			if key, args := watch.observe(now, st.Connected, a.streamActive(now), len(st.Subscribed), a.cfg.lang); key != "" {
				a.feed.System(ctx, key, args...)
			}
			a.streamLooks.Add(1)
		}
	}
}

// wantStreamed is the codes the stream should carry: the enabled rules'
// and the armed exits' (a stop then checks the last trade each second
// instead of asking for a quote). ok is false without a strategy engine
// or when its rules cannot be read: the subscriptions are then left as
// they are.
func (a *app) wantStreamed(ctx context.Context) (want map[broker.Code]bool, ok bool) {
	if a.engine == nil {
		return nil, false
	}
	rules, err := a.engine.Rules(ctx)
	if err != nil {
		return nil, false
	}
	want = map[broker.Code]bool{}
	for _, r := range rules {
		if r.Enabled && r.Disabled == "" {
			want[r.Code] = true
		}
	}
	if a.exits != nil {
		if xs, err := a.exits.List(ctx); err == nil {
			for _, x := range xs {
				if x.Armed {
					want[x.Code] = true
				}
			}
		}
	}
	return want, true
}

// streamStatus is the stream's status as /status shows it, true at the
// moment it is asked: a code a rule or exit wants that the supervisor
// has not subscribed yet (it looks once a second, and learns the code's
// price limits first) is pending, not missing — "/rule add" then
// "/status" read "구독 0종목" before.
func (a *app) streamStatus(ctx context.Context) broker.StreamStatus {
	st := a.stream.Status()
	want, ok := a.wantStreamed(ctx)
	if !ok {
		return st
	}
	known := map[broker.Code]bool{}
	for _, l := range [][]broker.Code{st.Subscribed, st.Polled, st.Pending} {
		for _, c := range l {
			known[c] = true
		}
	}
	for c := range want {
		if !known[c] {
			st.Pending = append(st.Pending, c)
		}
	}
	slices.Sort(st.Pending)
	return st
}

// learnLimits records code's price limits for today from a quote (through
// the guard, so it is measured and rate limited), at most once a minute
// while quotes fail. Without them a tick is checked only for ≤ 0.
func (a *app) learnLimits(ctx context.Context, code broker.Code, now time.Time, tries map[broker.Code]time.Time) {
	if a.tickLimits.Known(code, now) || now.Sub(tries[code]) < time.Minute {
		return
	}
	tries[code] = now
	q, err := a.guard.Quote(ctx, code)
	if err != nil {
		a.log.Warn("realtime: no quote for the day's price limits; trades checked only for ≤ 0", "code", code, "err", err)
		return
	}
	a.tickLimits.Set(q, now)
}

// streamActive says when the stream is expected to carry trades: the KRX
// session, open to close (broker.Calendar.InSession), or always when hoga
// keeps no market hours (HOGA_MARKET_HOURS=always). Only then does its
// silence count, or its absence deserve an alert: a stream quiet or down
// at night, on a weekend or a holiday is not news.
func (a *app) streamActive(now time.Time) bool {
	return !a.cfg.marketHours || a.cal.InSession(now)
}

// streamWatch decides the stream's lost/back alerts from its state, one
// observation a second: "lost" once after streamLostAfter down during the
// session (a short reconnect is not worth a message, nor a stream down
// at night), "back" once when it reconnects after that, with how long it
// was down. A stream that was never up counts as down from start.
type streamWatch struct {
	downSince time.Time     // zero while connected
	counted   time.Duration // session time down, so far
	last      time.Time     // the previous observation
	alerted   bool
}

// observe returns the catalog key and arguments of the alert to send now,
// or "". active says whether now is session time (streamActive).
func (w *streamWatch) observe(now time.Time, connected, active bool, subscribed int, lang bot.Lang) (string, []any) {
	prev := w.last
	w.last = now
	switch {
	case connected:
		down := now.Sub(w.downSince)
		was := w.alerted
		w.downSince, w.counted, w.alerted = time.Time{}, 0, false
		if was {
			return "alert.stream_back", []any{bot.Duration(lang, down), subscribed}
		}
	case w.downSince.IsZero():
		w.downSince = now
	default:
		if active && now.After(prev) {
			w.counted += now.Sub(prev)
		}
		if !w.alerted && w.counted >= streamLostAfter {
			w.alerted = true
			return "alert.stream_lost", []any{bot.Duration(lang, now.Sub(w.downSince))}
		}
	}
	return "", nil
}

// noticeTime is the fill time a notice's HHMMSS gives on today's KST date,
// or now when it is missing or malformed (or in the future: a clock skew
// must not make the fill→alert latency negative).
func noticeTime(now time.Time, hhmmss string) time.Time {
	k := now.In(broker.KST())
	t, err := time.ParseInLocation("150405", hhmmss, broker.KST())
	if err != nil || len(hhmmss) != 6 {
		return now
	}
	at := time.Date(k.Year(), k.Month(), k.Day(), t.Hour(), t.Minute(), t.Second(), 0, broker.KST())
	if at.After(now) {
		return now
	}
	return at
}

package main

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/kis"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
)

// TestRunServesKIS starts the command as main would, reads the settings it
// prints, and trades through the real KIS client against it.
func TestRunServesKIS(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-broker", "kis", "-addr", "127.0.0.1:0", "-walk", "0", "-mode", "live"}, pw, io.Discard)
		pw.Close()
	}()
	env := map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && strings.HasPrefix(k, "HOGA_") {
			env[k] = v
		}
		if strings.HasPrefix(line, "# list prices:") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if env["HOGA_BROKER"] != "kis" || env["HOGA_MODE"] != "live" || env["HOGA_KIS_BASE_URL"] == "" || env["HOGA_KIS_WS_URL"] == "" || env["HOGA_KIS_HTS_ID"] == "" {
		t.Fatalf("printed settings = %v", env)
	}
	c, err := kis.New(kis.Options{
		AppKey: redact.Secret(env["HOGA_KIS_APP_KEY"]), AppSecret: redact.Secret(env["HOGA_KIS_APP_SECRET"]),
		Account: env["HOGA_KIS_ACCOUNT"], Mode: kis.ModeLive, BaseURL: env["HOGA_KIS_BASE_URL"],
	})
	if err != nil {
		t.Fatal(err)
	}
	// The printed WebSocket URL and HTS id carry trades and fill notices,
	// as the try-it walk in README needs (issue 12).
	ticks, notices, acked := make(chan broker.Tick, 16), make(chan kis.Notice, 16), make(chan struct{}, 4)
	st := c.NewStream(kis.StreamOptions{
		URL: env["HOGA_KIS_WS_URL"], HTSID: env["HOGA_KIS_HTS_ID"],
		OnTick:   func(tk broker.Tick) { ticks <- tk },
		OnNotice: func(n kis.Notice) { notices <- n },
		OnAck: func(trID, _, msgCd string) {
			if msgCd == "OPSP0000" {
				acked <- struct{}{}
			}
		},
	})
	st.Subscribe("005930")
	sctx, scancel := context.WithCancel(ctx)
	sdone := make(chan struct{})
	go func() { defer close(sdone); _ = st.Run(sctx) }()
	defer func() { scancel(); <-sdone }()
	for range 2 { // the trade TR and the notice TR
		wait(t, acked, "subscribe answers")
	}
	resp, err := http.Post(env["HOGA_KIS_BASE_URL"]+"/_fake/price?code=005930&price=190000", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if tk := wait(t, ticks, "a trade on the stream"); tk.Code != "005930" || tk.Price != 190_000 {
		t.Errorf("tick = %+v", tk)
	}
	q, err := c.Quote(ctx, "005930")
	if err != nil || q.Price != 190_000 || q.Name != "삼성전자" {
		t.Fatalf("quote = %+v, %v", q, err)
	}
	if _, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1}); err != nil {
		t.Fatal(err)
	}
	if n := wait(t, notices, "a fill notice on the stream"); !n.Fill || n.Qty != 1 || n.Price != 190_000 {
		t.Errorf("notice = %+v", n)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run: %v", err)
	}
}

// wait takes the next value from c; the limit only guards a hang.
func wait[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(30 * time.Second):
		t.Fatalf("no %s", what)
		panic("unreachable")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-broker", "nope"}, {"-mode", "paper"}, {"-addr", "256.0.0.1:0"}, {"-port", "70000"}, {"-port", "-1"}, {"extra"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}

func TestWalkPricesStaysOnGridAndInLimits(t *testing.T) {
	t.Parallel()
	fc := clock.NewFake(time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	prices := map[string]int64{"005930": 65_800, "000660": 1_995, "035720": 41_950}
	m := market{
		codes: []string{"005930", "000660", "035720"},
		price: func(c string) (int64, bool) { mu.Lock(); defer mu.Unlock(); p, ok := prices[c]; return p, ok },
		set:   func(c string, p int64) { mu.Lock(); prices[c] = p; mu.Unlock() },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		walkPrices(ctx, fc, time.Second, rand.New(rand.NewPCG(1, 2)), m)
		close(done)
	}()
	moved := false
	for i := 0; i < 2000; i++ {
		fc.BlockUntil(1, done)
		fc.Advance(time.Second)
	}
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	for c, start := range map[string]int64{"005930": 65_800, "000660": 1_995, "035720": 41_950} {
		p := prices[c]
		if !broker.OnTick(p) || p*10 < start*7 || p*10 > start*13 {
			t.Errorf("%s walked to %d from %d", c, p, start)
		}
		if p != start {
			moved = true
		}
	}
	if !moved {
		t.Error("no price moved in 2000 steps")
	}
}

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/kiwoom"
)

// TestRunServesKiwoom starts the command with -broker kiwoom, reads the
// settings it prints, and trades through the real Kiwoom client against it.
func TestRunServesKiwoom(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-broker", "kiwoom", "-addr", "127.0.0.1:0", "-walk", "0", "-mode", "live", "-cash", "5000000"}, pw, io.Discard)
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
	if env["HOGA_BROKER"] != "kiwoom" || env["HOGA_MODE"] != "live" || env["HOGA_KIWOOM_BASE_URL"] == "" || env["HOGA_KIWOOM_APP_KEY"] == "" || env["HOGA_KIWOOM_WS_URL"] == "" {
		t.Fatalf("printed settings = %v", env)
	}
	c, err := kiwoom.New(kiwoom.Options{
		AppKey: env["HOGA_KIWOOM_APP_KEY"], SecretKey: env["HOGA_KIWOOM_SECRET_KEY"],
		Mode: env["HOGA_MODE"], BaseURL: env["HOGA_KIWOOM_BASE_URL"],
	})
	if err != nil {
		t.Fatal(err)
	}
	// The printed WebSocket URL carries trades and order notices, as the
	// try-it walk in README needs (issue 12).
	ticks, notices, acked := make(chan broker.Tick, 16), make(chan kiwoom.OrderNotice, 16), make(chan string, 4)
	st := c.NewStream(kiwoom.StreamOptions{
		URL: env["HOGA_KIWOOM_WS_URL"], Orders: true,
		OnTick:  func(tk broker.Tick) { ticks <- tk },
		OnOrder: func(n kiwoom.OrderNotice) { notices <- n },
		OnAck:   func(trnm, code string) { acked <- trnm + " " + code },
	})
	st.Subscribe("005930")
	sctx, scancel := context.WithCancel(ctx)
	sdone := make(chan struct{})
	go func() { defer close(sdone); _ = st.Run(sctx) }()
	defer func() { scancel(); <-sdone }()
	for range 2 { // the order notices (00), then the trades (0B)
		wait(t, acked, "a registration answer")
	}
	resp, err := http.Post(env["HOGA_KIWOOM_BASE_URL"]+"/_fake/price?code=005930&price=190000", "", nil)
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
	for n := wait(t, notices, "an order notice"); !n.Fill(); n = wait(t, notices, "a fill notice") {
	}
	b, err := c.Balance(ctx)
	if err != nil || b.Cash != 5_000_000-190_000 {
		t.Fatalf("balance = %+v, %v", b, err)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run: %v", err)
	}
}

func TestRunRejectsBadKiwoomFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-broker", "kiwoom", "-mode", "paper"}, {"-broker", "kiwoom", "-addr", "256.0.0.1:0"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}

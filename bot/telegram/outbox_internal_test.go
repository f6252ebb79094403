package telegram

import (
	"context"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// A chat's send queue and its goroutine retire once idle, and a later
// message makes a new one (issue 21, item 5: per-chat state is bounded).
func TestIdleQueueRetires(t *testing.T) {
	t.Parallel()
	srv := telegramtest.Start(telegramtest.Config{Token: "123456:idle-test-token-secret"})
	defer srv.Close()
	router, err := bot.NewRouter(bot.Config{Broker: brokertest.NewBroker("stub", nil), Allowed: func(string) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Config{Token: "123456:idle-test-token-secret", APIURL: srv.URL, Allowed: []int64{111}, Router: router,
		PollTimeout: time.Second, Limits: Unlimited(), IdleQueue: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	retired := make(chan int64, 4)
	b.retired = func(chat int64) { retired <- chat }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait, stop := context.WithTimeout(ctx, 5*time.Second)
	defer stop()
	if err := srv.WaitPolling(wait); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"A1", "A2"} {
		if err := b.SendAlert(ctx, bot.Alert{Text: text}); err != nil {
			t.Fatal(err)
		}
		select {
		case chat := <-retired:
			if chat != 111 {
				t.Fatalf("retired chat %d", chat)
			}
		case <-wait.Done():
			t.Fatalf("queue %d never retired", i+1)
		}
		b.mu.Lock()
		n := len(b.outboxes)
		b.mu.Unlock()
		if n != 0 {
			t.Fatalf("%d queues left after retiring", n)
		}
	}
	if n := len(srv.BotMessages(111)); n != 2 {
		t.Errorf("%d alerts delivered, want 2 (a retired queue must not lose the next message)", n)
	}
}

// A send waiting out its backoff goes as soon as a poll finds Telegram
// again, on a clock that does not move; and an alert that goes a minute
// or more after it was queued says when it happened. The day-of-use trial
// of issue 19 waited 24 s after Telegram was back for a backlog of fills
// all stamped with that minute.
func TestBackoffEndsWhenTelegramIsBackAndLateAlertsSayWhen(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 12, 4, 10, 0, 0, 0, broker.KST()))
	router, err := bot.NewRouter(bot.Config{Broker: brokertest.NewBroker("stub", nil), Allowed: func(string) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Config{Token: "123456:wake-test-token-secret", APIURL: "http://127.0.0.1:9", Allowed: []int64{111}, Router: router, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	b.outage("unreachable") // polls fail: Telegram is away
	woke := make(chan bool, 1)
	go func() { woke <- b.retrySleep(context.Background(), 30*time.Second) }()
	clk.BlockUntil(1, nil)
	b.pollOK() // a poll gets through: the clock has not moved
	if !<-woke {
		t.Fatal("retrySleep reported a cancelled context")
	}

	it := b.sendItems("💰 fill", nil, false, true, 0, time.Time{})[0]
	clk.Advance(59 * time.Second)
	b.stampIfLate(it)
	if it.text != "💰 fill" {
		t.Fatalf("stamped at 59 s: %q", it.text)
	}
	clk.Advance(time.Minute)
	b.stampIfLate(it) // a send that fails: tried again later
	clk.Advance(4 * time.Minute)
	b.stampIfLate(it) // the resend says how late it is now, once
	if want := "💰 fill\n⏱ 10:00:00 에 일어난 일 · 5분 59초 늦게 전달"; it.text != want {
		t.Fatalf("late alert = %q, want %q", it.text, want)
	}
}

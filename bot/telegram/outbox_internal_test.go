package telegram

import (
	"context"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker"
)

// stubBroker is the least broker.Broker a router needs.
type stubBroker struct{}

func (stubBroker) Name() string { return "stub" }
func (stubBroker) Quote(context.Context, broker.Code) (broker.Quote, error) {
	return broker.Quote{Code: "005930", Price: 70000}, nil
}
func (stubBroker) PlaceOrder(context.Context, broker.OrderRequest) (broker.Order, error) {
	return broker.Order{}, &broker.Error{Kind: broker.Rejected}
}
func (stubBroker) CancelOrder(context.Context, broker.CancelRequest) (broker.Order, error) {
	return broker.Order{}, &broker.Error{Kind: broker.NotFound}
}
func (stubBroker) OrdersToday(context.Context) ([]broker.Order, error) { return nil, nil }
func (stubBroker) Balance(context.Context) (broker.Balance, error)     { return broker.Balance{}, nil }

// A chat's send queue and its goroutine retire once idle, and a later
// message makes a new one (issue 21, item 5: per-chat state is bounded).
func TestIdleQueueRetires(t *testing.T) {
	t.Parallel()
	srv := telegramtest.Start(telegramtest.Config{Token: "123456:idle-test-token-secret"})
	defer srv.Close()
	router, err := bot.NewRouter(bot.Config{Broker: stubBroker{}, Allowed: func(string) bool { return true }})
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

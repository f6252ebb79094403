package telegram_test

import (
	"context"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/telegramtest"
)

// apiCalls counts OnAPICall reports by "method outcome".
type apiCalls struct {
	mu      sync.Mutex
	n       map[string]int
	changed chan struct{}
}

func newAPICalls() *apiCalls { return &apiCalls{n: map[string]int{}, changed: make(chan struct{})} }

func (a *apiCalls) record(method, outcome string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n[method+" "+outcome]++
	close(a.changed)
	a.changed = make(chan struct{})
}

func (a *apiCalls) snapshot() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.n)
}

// waitFor waits until key has been reported at least n times: the report
// follows the answer, so the fake server sees a call before the hook does.
func (a *apiCalls) waitFor(ctx context.Context, t *testing.T, key string, n int) {
	t.Helper()
	for {
		a.mu.Lock()
		got, ch := a.n[key], a.changed
		a.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("%q reported %d times, want %d; all: %v", key, got, n, a.snapshot())
		}
	}
}

func TestOnAPICall(t *testing.T) {
	t.Parallel()
	calls := newAPICalls()
	h := newHarness(t, options{mode: "live", allowed: []int64{owner}, onAPICall: calls.record,
		beforeRun: func(s *telegramtest.Server) { s.AddChat(telegramtest.Chat{ID: owner, Type: "private"}) }})

	// Start-up is done once the bot polls: the owner's menu in three
	// languages, the default menus cleared.
	if got := calls.snapshot(); got["getMe ok"] != 1 || got["deleteWebhook ok"] != 1 || got["setMyCommands ok"] != 3 || got["deleteMyCommands ok"] != 3 {
		t.Fatalf("start-up reports %v", got)
	}

	// A 429, then the resend after retry_after.
	h.srv.TooManyRequests(1, 1)
	if err := h.tb.SendAlert(context.Background(), bot.Alert{Type: bot.AlertOrders, Text: "A1"}); err != nil {
		t.Fatal(err)
	}
	calls.waitFor(h.ctx(), t, "sendMessage rate_limited", 1)
	if !h.clk.BlockUntil(1, h.ctx().Done()) {
		t.Fatal("the queue did not wait for retry_after")
	}
	h.clk.Advance(time.Second)
	calls.waitFor(h.ctx(), t, "sendMessage ok", 1)

	// A confirmed order: prompt, answered press, edits.
	prompt, _ := h.prompt(owner)
	mark := h.srv.CallCount()
	if _, err := h.srv.PressButton(owner, owner, prompt.MessageID, "확인"); err != nil {
		t.Fatal(err)
	}
	h.wait(mark, "result edited into the prompt", edited(owner, prompt.MessageID, "주문 접수"))
	calls.waitFor(h.ctx(), t, "answerCallbackQuery ok", 1)
	calls.waitFor(h.ctx(), t, "editMessageText ok", 1)

	// A refusal (the user blocked the bot) is an error.
	h.srv.Forbid(owner)
	if err := h.tb.SendAlert(context.Background(), bot.Alert{Type: bot.AlertOrders, Text: "A2"}); err != nil {
		t.Fatal(err)
	}
	calls.waitFor(h.ctx(), t, "sendMessage error", 1)

	if err := h.stop(); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	// Every request but the long poll is reported, with the outcome the
	// server gave it.
	want := map[string]int{}
	for _, c := range h.srv.Calls() {
		if c.Is("getUpdates") {
			continue
		}
		outcome := "error"
		switch c.Status {
		case 200:
			outcome = "ok"
		case 429:
			outcome = "rate_limited"
		}
		want[c.Method+" "+outcome]++
	}
	if got := calls.snapshot(); !maps.Equal(got, want) {
		t.Errorf("reported %v\nserver saw %v", got, want)
	}
	if got := calls.snapshot(); got["sendMessage rate_limited"] != 1 || got["sendMessage error"] < 1 {
		t.Errorf("reports %v", got)
	}
}

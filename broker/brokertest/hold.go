package brokertest

import (
	"context"
	"sync"
)

// holds keeps requests of chosen endpoints unanswered until released: a
// broker slow to answer one list (Kiwoom paging ka10075 at 4 requests a
// second, a loaded gateway), without a timer, so a test can look at what
// the client does meanwhile and then let the answer go.
type holds struct {
	mu      sync.Mutex
	m       map[string]chan struct{}
	stopped bool
}

// hold makes requests to key wait until the returned release is called
// (or the fake is closed); release is idempotent.
func (h *holds) hold(key string) (release func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return func() {}
	}
	if h.m == nil {
		h.m = map[string]chan struct{}{}
	}
	ch, ok := h.m[key]
	if !ok {
		ch = make(chan struct{})
		h.m[key] = ch
	}
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.m[key] == ch {
			delete(h.m, key)
			close(ch)
		}
	}
}

// releaseAll lets every held request go and holds nothing more: the fake
// is closing, and its server waits for the handlers.
func (h *holds) releaseAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopped = true
	for k, ch := range h.m {
		close(ch)
		delete(h.m, k)
	}
}

// wait blocks while key is held, until it is released or ctx ends (the
// client gave up). It reports whether the request should be answered.
func (h *holds) wait(ctx context.Context, key string) bool {
	h.mu.Lock()
	ch := h.m[key]
	h.mu.Unlock()
	if ch == nil {
		return true
	}
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

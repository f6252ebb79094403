package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/guard"
	"github.com/hoga-trade/hoga/store"
)

// TestLookupWithTheRealStore reads orders through a real guard over a real
// *store.DB, as cmd/hoga wires it: by client id, by today's broker number,
// and a confirmation that lapsed while nothing was journaled.
func TestLookupWithTheRealStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conf := &recordingConfirmer{}
	e := newEnv(t)
	g, err := guard.New(guard.Options{Broker: e.fb, Journal: db, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	e.restart(func(c *Config) { c.Orders, c.Live, c.Confirmer = g, true, conf })

	r := e.do("POST", "/orders", buy10, "Idempotency-Key", "store-1")
	if r.status != http.StatusAccepted {
		t.Fatalf("%d %s", r.status, r.body)
	}
	cid := r.json(t)["client_id"].(string)
	if m := e.do("GET", "/orders/"+cid, "").json(t); m["state"] != StateAwaiting {
		t.Fatalf("awaiting: %v", m)
	}
	// The owner confirms: the guard journals the order under cid.
	now := e.clock.Now()
	entry := broker.JournalEntry{ClientID: cid, Source: "http", User: "42", Code: "005930", Side: broker.Buy, Type: broker.Limit,
		Qty: 10, Price: 70_000, State: broker.StatusPending, Created: now, Updated: now}
	if err := db.InsertOrder(ctx, entry); err != nil {
		t.Fatal(err)
	}
	if m := e.do("GET", "/orders/"+cid, "").json(t); m["state"] != "pending" {
		t.Fatalf("pending: %v", m)
	}
	if _, err := db.UpdateOrder(ctx, cid, func(en *broker.JournalEntry) error {
		en.State, en.BrokerID = broker.StatusRejected, "0000000042"
		en.SetErr(&broker.Error{Kind: broker.InsufficientFunds, Code: "APBK0952", Msg: "주문가능금액을 초과했습니다"})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{cid, "0000000042"} {
		m := e.do("GET", "/orders/"+id, "").json(t)
		errObj, _ := m["error"].(map[string]any)
		if m["state"] != "rejected" || m["client_id"] != cid || errObj["kind"] != "insufficient_funds" || errObj["code"] != "APBK0952" {
			t.Fatalf("GET /orders/%s: %v", id, m)
		}
	}
	// The same key after a restart shows the journaled outcome.
	e.restart()
	r = e.do("POST", "/orders", buy10, "Idempotency-Key", "store-1")
	if r.status != http.StatusOK || r.json(t)["state"] != "rejected" || len(conf.asked()) != 1 {
		t.Fatalf("after restart: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/orders/nothing-here", ""); r.status != http.StatusNotFound {
		t.Fatalf("missing: %d %s", r.status, r.body)
	}
}

func TestConcurrentRetriesPlaceOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var wg sync.WaitGroup
	statuses := make([]int, 16)
	for i := range statuses {
		wg.Go(func() { statuses[i] = e.do("POST", "/orders", buy10, "Idempotency-Key", "storm").status })
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusCreated && s != http.StatusConflict {
			t.Errorf("request %d: %d", i, s)
		}
	}
	if n := e.fb.Calls("place"); n != 1 {
		t.Fatalf("%d orders for one key", n)
	}
}

// FuzzPostOrder throws arbitrary bodies at POST /orders: the server never
// fails with a 5xx or panics, and answers 201 only for a body that is a
// valid order.
func FuzzPostOrder(f *testing.F) {
	for _, s := range []string{
		buy10,
		`{"code":"005930","side":"sell","qty":1,"type":"market"}`,
		`{"code":"0088m0","side":"BUY","qty":1,"type":"Limit","price":1000}`,
		`{"code":"005930","side":"buy","qty":9223372036854775807,"type":"limit","price":9223372036854775807}`,
		`{"qty":1e3}`, `{}`, `[]`, `null`, `{"code":"005930"}{}`, "\xff", `{"code":"005930","code":"000660","side":"buy","qty":1,"type":"market"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		e := newEnv(t)
		req := httptest.NewRequest("POST", "/orders", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%q → %d %s", body, rec.Code, rec.Body)
		}
		if rec.Code == http.StatusCreated {
			if e.fb.Calls("place") != 1 {
				t.Fatalf("201 without an order for %q", body)
			}
			return
		}
		if e.fb.Calls("place") != 0 {
			t.Fatalf("%q → %d but an order was placed", body, rec.Code)
		}
		if !strings.HasPrefix(rec.Body.String(), `{"error":{"kind":"`) {
			t.Fatalf("%q → %d %s: not an error envelope", body, rec.Code, rec.Body)
		}
	})
}

func TestOrderTimeoutOutlivesTheClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	entered, release := e.holdPlace()
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("POST", "/orders", strings.NewReader(buy10)).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+testToken)
	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		done <- rec.Code
	}()
	<-entered
	cancel() // the client hangs up mid-order
	release()
	if code := <-done; code != http.StatusCreated {
		t.Fatalf("status %d: the hang-up must not cut the order short", code)
	}
	list, _ := e.fb.OrdersToday(context.Background())
	if len(list) != 1 || e.j.Writes() != 2 {
		t.Fatalf("orders %v, journal writes %d", list, e.j.Writes())
	}
}

func TestIdempotencyMemoryIsBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.srv.book
	for i := range maxKeys + 10 {
		it, res := b.begin(fmt.Sprintf("k%d", i), [32]byte{})
		if res != beginNew {
			t.Fatalf("key %d: %v", i, res)
		}
		b.finish(it, nil)
		if i%1000 == 0 {
			e.clock.Advance(time.Millisecond)
		}
	}
	if n := len(b.byKey); n > maxKeys {
		t.Fatalf("%d keys kept; max %d", n, maxKeys)
	}
	e.clock.Advance(DefaultIdempotencyTTL + time.Second)
	b.begin("fresh", [32]byte{})
	if n := len(b.byKey); n != 1 {
		t.Fatalf("%d keys after the retention; want 1", n)
	}
}

// BenchmarkGetPrice measures the API's own overhead on an authenticated
// read (auth, routing, JSON, metrics) over an in-memory broker.
func BenchmarkGetPrice(b *testing.B) {
	e := newEnv(b)
	req := httptest.NewRequest("GET", "/price/005930", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// TestCloseRetryUnderTheSameKey: "type":"close" and "type":"market" are
// both a Market order with no price, told apart only by the closing flag.
// A retry under the same Idempotency-Key that changes one into the other
// is a different order: refused 422 like any other changed body, from
// memory and, after a restart, from the journal's session column (a real
// *store.DB, as cmd/hoga wires it). The same body replays, after a restart
// too, still "type":"close" (issue 16).
func TestCloseRetryUnderTheSameKey(t *testing.T) {
	t.Parallel()
	const (
		closeBody  = `{"code":"005930","side":"buy","qty":10,"type":"close"}`
		marketBody = `{"code":"005930","side":"buy","qty":10,"type":"market"}`
		limitBody  = `{"code":"005930","side":"buy","qty":10,"type":"limit","price":70000}`
	)
	tests := []struct {
		name, first, retry string
		same               bool
		wantType           string // the first order's "type"
	}{
		{"close then market", closeBody, marketBody, false, "close"},
		{"market then close", marketBody, closeBody, false, "market"},
		{"close then limit", closeBody, limitBody, false, "close"},
		{"limit then close", limitBody, closeBody, false, "limit"},
		{"close then close", closeBody, closeBody, true, "close"},
		{"sor then nxt", `{"code":"005930","side":"buy","qty":10,"type":"limit","price":70000,"venue":"sor"}`,
			`{"code":"005930","side":"buy","qty":10,"type":"limit","price":70000,"venue":"nxt"}`, false, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, store.Options{Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			e := newEnv(t)
			e.reguard(func(o *guard.Options) {
				o.Journal, o.Venues, o.DefaultVenue = db, broker.LiveVenues, broker.VenueSOR
			})
			first := e.do("POST", "/orders", tt.first, "Idempotency-Key", "close-1")
			if first.status != http.StatusCreated {
				t.Fatalf("first: %d %s", first.status, first.body)
			}
			if got := first.json(t)["type"]; got != tt.wantType {
				t.Fatalf("first type %v; want %s", got, tt.wantType)
			}
			for _, when := range []string{"in memory", "after a restart"} {
				if when == "after a restart" {
					e.restart()
				}
				r := e.do("POST", "/orders", tt.retry, "Idempotency-Key", "close-1")
				if tt.same {
					if r.status != http.StatusCreated && r.status != http.StatusOK {
						t.Fatalf("%s: same retry %d %s; want the first answer", when, r.status, r.body)
					}
					if m := r.json(t); m["type"] != "close" || m["id"] != first.json(t)["id"] {
						t.Fatalf("%s: same retry answered %s; want order %v, type close", when, r.body, first.json(t)["id"])
					}
				} else {
					kind, body := r.errKind(t)
					if r.status != http.StatusUnprocessableEntity || kind != "idempotency_key_reused" {
						t.Fatalf("%s: changed retry %d %s; want 422 idempotency_key_reused", when, r.status, r.body)
					}
					if body["message"] != e.srv.msg("idem.reused") {
						t.Errorf("%s: message %v; want the catalog's idem.reused", when, body["message"])
					}
				}
				if n := e.fb.Calls("place"); n != 1 {
					t.Fatalf("%s: the broker got %d orders; want 1", when, n)
				}
			}
			// The refused body does not stick to the key: the first
			// order, retried, is still answered.
			if r := e.do("POST", "/orders", tt.first, "Idempotency-Key", "close-1"); (r.status != http.StatusOK && r.status != http.StatusCreated) ||
				r.json(t)["id"] != first.json(t)["id"] || r.json(t)["type"] != tt.wantType {
				t.Fatalf("the first order retried after the refusals: %d %s", r.status, r.body)
			}
			if got, err := db.OrderByClientID(ctx, keyClientID("close-1", 0)); err != nil || got.Session.Closing() != (tt.wantType == "close") {
				t.Errorf("journal row session %q, %v; closing should be %t", got.Session, err, tt.wantType == "close")
			}
		})
	}
}

// TestLiveRetryAfterRestartIsCompared: with live confirmations a retry
// whose key is journaled (the owner confirmed before a restart) is
// answered from the journal without reaching the guard, so it is compared
// there: the same order shows its state, a changed one (close→market, a
// different quantity) is 422 like any other reuse of the key (issue 16).
func TestLiveRetryAfterRestartIsCompared(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conf := &recordingConfirmer{}
	e := newEnv(t)
	e.reguard(func(o *guard.Options) {
		o.Journal, o.Venues, o.DefaultVenue = db, broker.LiveVenues, broker.VenueSOR
	})
	e.restart(func(c *Config) { c.Live, c.Confirmer = true, conf })
	conf.checker = e.g
	const closeBody = `{"code":"005930","side":"buy","qty":10,"type":"close"}`
	if r := e.do("POST", "/orders", closeBody, "Idempotency-Key", "live-close"); r.status != http.StatusAccepted {
		t.Fatalf("%d %s", r.status, r.body)
	}
	// The owner presses [확인]: the chat's confirmer places it through
	// the guard, which journals it.
	asked := conf.asked()
	if len(asked) != 1 {
		t.Fatalf("asked %d times", len(asked))
	}
	if _, err := e.g.PlaceOrder(ctx, asked[0]); err != nil {
		t.Fatal(err)
	}
	e.restart()
	for _, tc := range []struct {
		body   string
		status int
	}{
		{`{"code":"005930","side":"buy","qty":10,"type":"market"}`, http.StatusUnprocessableEntity},
		{`{"code":"005930","side":"buy","qty":11,"type":"close"}`, http.StatusUnprocessableEntity},
		{closeBody, http.StatusOK},
	} {
		r := e.do("POST", "/orders", tc.body, "Idempotency-Key", "live-close")
		if r.status != tc.status {
			t.Fatalf("%s after the restart: %d %s; want %d", tc.body, r.status, r.body, tc.status)
		}
		if tc.status == http.StatusOK {
			if m := r.json(t); m["type"] != "close" || m["state"] != "accepted" {
				t.Errorf("the same order after the restart: %s", r.body)
			}
		} else if kind, _ := r.errKind(t); kind != "idempotency_key_reused" {
			t.Errorf("%s: kind %s; want idempotency_key_reused", tc.body, kind)
		}
	}
	if n, len1 := e.fb.Calls("place"), len(conf.asked()); n != 1 || len1 != 1 {
		t.Fatalf("%d orders placed, owner asked %d times; want 1 and 1", n, len1)
	}
}

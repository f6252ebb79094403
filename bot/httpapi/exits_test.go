package httpapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// withExits gives the server a real exits book over the env's guard, its
// state in store (kept across a restart of the book or the server).
func withExits(e *env, store *exits.MemSettings) *exits.Book {
	e.t.Helper()
	b, err := exits.New(exits.Options{Broker: e.g, Store: store, Clock: e.clock})
	if err != nil {
		e.t.Fatal(err)
	}
	e.restart(func(c *Config) { c.Exits = b })
	return b
}

func TestExitRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	withExits(e, exits.NewMemSettings())

	// Arm, as /stop 005930 -5% does: 69,000 average → 65,550, off the
	// 100-won tick: 65,500.
	r := e.do("POST", "/exits", `{"code":"005930","kind":"stop","level":"-5%"}`)
	if r.status != 201 || r.header.Get("Location") != "/exits/005930/stop" {
		t.Fatalf("POST stop: %d %v %s", r.status, r.header, r.body)
	}
	m := r.json(t)
	if m["level"] != "-5%" || m["bp"] != -500.0 || m["trigger_price"] != 65_500.0 || m["avg_price"] != 69_000.0 ||
		m["state"] != "armed" || m["source"] != "http" || m["code"] != "005930" || m["kind"] != "stop" {
		t.Fatalf("POST stop body %s", r.body)
	}
	// A price as a JSON number, and as the chat writes it.
	if r := e.do("POST", "/exits", `{"code":"005930","kind":"take","level":80000}`); r.status != 201 || r.json(t)["price"] != 80_000.0 {
		t.Fatalf("POST take 80000: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/exits", `{"code":"005930","kind":"trail","level":"2.5%"}`); r.status != 201 || r.json(t)["bp"] != 250.0 {
		t.Fatalf("POST trail: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/exits", "")
	var list struct {
		Exits []exitJSON `json:"exits"`
	}
	decode(t, r, &list)
	if len(list.Exits) != 3 || list.Exits[0].Kind != "stop" || list.Exits[1].Kind != "take" || list.Exits[2].Kind != "trail" {
		t.Fatalf("GET /exits %s", r.body)
	}

	// Refusals, each with a kind and a sentence saying what to do.
	for _, tc := range []struct {
		body, hdr string
		status    int
		kind, msg string
	}{
		{`{"code":"005930","kind":"stop","level":"5%"}`, "", 400, "invalid", "-5%"},
		{`{"code":"005930","kind":"stop","level":"-100%"}`, "", 400, "invalid", "청산 가격"},
		{`{"code":"005930","kind":"trail","level":65000}`, "", 400, "invalid", "3%"},
		{`{"code":"005930","kind":"take","level":1.5}`, "", 400, "invalid", "1.5"},
		{`{"code":"005930","kind":"stopp","level":"-5%"}`, "", 400, "invalid", "stop(손절)"},
		{`{"code":"005930","kind":"stop"}`, "", 400, "invalid", "level"},
		{`{"code":"59","kind":"stop","level":"-5%"}`, "", 400, "invalid", ""},
		{`{"code":"000660","kind":"stop","level":"-5%"}`, "", 422, "not_held", "000660"},
		{`{"code":"005930","kind":"stop","level":"-5%","qty":1}`, "", 400, "invalid", "qty"},
		{``, "", 400, "invalid", "kind"},
		{`{"code":"005930","kind":"stop","level":"-5%"}`, "text/plain", 415, "unsupported_media_type", ""},
	} {
		var r result
		if tc.hdr != "" {
			r = e.do("POST", "/exits", tc.body, "Content-Type", tc.hdr)
		} else {
			r = e.do("POST", "/exits", tc.body)
		}
		if r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.body, r.status, r.body, tc.status)
			continue
		}
		kind, eo := r.errKind(t)
		if kind != tc.kind || !strings.Contains(eo["message"].(string), tc.msg) {
			t.Errorf("%s: %s, want kind %s message ~%q", tc.body, r.body, tc.kind, tc.msg)
		}
	}
	if r := e.do("POST", "/exits", `{"code":"005930","kind":"stop","level":"-5%"}`, "Authorization", ""); r.status != 401 {
		t.Fatalf("no token: %d", r.status)
	}
	if r := e.do("GET", "/exits", "", "Authorization", "Bearer wrong-token-0123456789"); r.status != 401 {
		t.Fatalf("wrong token: %d", r.status)
	}

	// Delete one kind, then the rest of the stock; twice is 404.
	r = e.do("DELETE", "/exits/005930/take", "")
	if r.status != 200 || !strings.Contains(string(r.body), `"deleted":[{"code":"005930","kind":"take"`) {
		t.Fatalf("DELETE take: %d %s", r.status, r.body)
	}
	if r := e.do("DELETE", "/exits/005930/take", ""); r.status != 404 {
		t.Fatalf("DELETE take again: %d %s", r.status, r.body)
	} else if k, eo := r.errKind(t); k != "not_found" || !strings.Contains(eo["message"].(string), "익절") {
		t.Fatalf("DELETE take again: %s", r.body)
	}
	if r := e.do("DELETE", "/exits/005930/stopp", ""); r.status != 400 {
		t.Fatalf("DELETE bad kind: %d", r.status)
	}
	r = e.do("DELETE", "/exits/005930", "")
	decode(t, r, &struct{}{})
	if r.status != 200 || strings.Count(string(r.body), `"code"`) != 2 {
		t.Fatalf("DELETE all: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/exits", ""); string(r.body) != "{\"exits\":[]}\n" {
		t.Fatalf("GET after deletes: %s", r.body)
	}
}

// A retried POST /exits with its Idempotency-Key answers the first
// result and never re-arms: not within the server's memory, and not after
// a restart of hoga once the stop has sold.
func TestExitIdempotency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	store := exits.NewMemSettings()
	book := withExits(e, store)
	body := `{"code":"005930","kind":"stop","level":"-5%"}`
	first := e.do("POST", "/exits", body, "Idempotency-Key", "k-1")
	if first.status != 201 {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	again := e.do("POST", "/exits", body, "Idempotency-Key", "k-1")
	if again.status != 201 || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
		t.Fatalf("retry: %d %v %s", again.status, again.header, again.body)
	}
	if r := e.do("POST", "/exits", `{"code":"005930","kind":"stop","level":"-6%"}`, "Idempotency-Key", "k-1"); r.status != 422 {
		t.Fatalf("same key, other exit: %d %s", r.status, r.body)
	} else if k, _ := r.errKind(t); k != "idempotency_key_reused" {
		t.Fatalf("same key, other exit: %s", r.body)
	}

	// The stop sells at 65,000 (the fake fills market orders).
	e.fb.FillMarketOrders(true)
	q := samsung("005930")
	q.Price = 65_000
	e.fb.SetQuote(q)
	e.clock.Advance(time.Second)
	book.Check(context.Background())
	if p := e.fb.Placed(); len(p) != 1 || p[0].Side != broker.Sell || p[0].Qty != 10 {
		t.Fatalf("placed %+v", p)
	}

	// hoga restarts (new book on the same store, new server: the key
	// cache is gone); the client retries: the fired stop is shown, not
	// re-armed, and nothing more is sold.
	book2, err := exits.New(exits.Options{Broker: e.g, Store: store, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	e.restart(func(c *Config) { c.Exits = book2 })
	r := e.do("POST", "/exits", body, "Idempotency-Key", "k-1")
	if r.status != 201 || r.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry after restart: %d %v %s", r.status, r.header, r.body)
	}
	if m := r.json(t); m["state"] != "off" || m["off_reason"] != "fired" || m["fired_price"] != 65_000.0 || m["order_id"] == nil {
		t.Fatalf("retry after restart: %s", r.body)
	}
	e.clock.Advance(time.Second)
	book2.Check(context.Background())
	if n := len(e.fb.Placed()); n != 1 {
		t.Fatalf("%d sells after the retry", n)
	}
	// Without a key, the same POST re-arms: the owner's new intent.
	if r := e.do("POST", "/exits", body); r.status != 201 || r.json(t)["state"] != "armed" {
		t.Fatalf("POST without key: %d %s", r.status, r.body)
	}
}

// An exit says who set it, in POST's answer and GET /exits: "http" for
// POST /exits, "chat" for /stop; through a fire (the stored state keeps
// it) and a restart (the store keeps it). The exit's sell is the exit's
// order, whoever set the exit.
func TestExitSourceIsWhoSetIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	store := exits.NewMemSettings()
	book := withExits(e, store)
	if r := e.do("POST", "/exits", `{"code":"005930","kind":"stop","level":"-5%"}`); r.status != 201 || r.json(t)["source"] != "http" {
		t.Fatalf("POST stop: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/exits", `{"code":"005930","kind":"trail","level":"3%"}`, "Idempotency-Key", "t-1"); r.status != 201 || r.json(t)["source"] != "http" {
		t.Fatalf("POST trail with a key: %d %s", r.status, r.body)
	}
	// /take from the chat.
	if err := book.Put(context.Background(), exits.Exit{Code: "005930", Kind: exits.Take, Price: 80_000}, exits.SourceChat); err != nil {
		t.Fatal(err)
	}
	sources := func(when string, want map[string]string) {
		t.Helper()
		var list struct {
			Exits []struct{ Kind, Source string } `json:"exits"`
		}
		decode(t, e.do("GET", "/exits", ""), &list)
		got := map[string]string{}
		for _, x := range list.Exits {
			got[x.Kind] = x.Source
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s source %q, want %q (all: %v)", when, k, got[k], v, got)
			}
		}
	}
	sources("armed", map[string]string{"stop": "http", "take": "chat", "trail": "http"})

	// The stop sells at 65,000: fired, still the API's, and its sell is
	// the exit's order.
	e.fb.FillMarketOrders(true)
	q := samsung("005930")
	q.Price = 65_000
	e.fb.SetQuote(q)
	e.clock.Advance(time.Second)
	book.Check(context.Background())
	p := e.fb.Placed()
	if len(p) != 1 || p[0].Source != "strategy" || p[0].User != "exit:005930:stop" {
		t.Fatalf("placed %+v", p)
	}
	sources("after the stop fired", map[string]string{"stop": "http", "take": "chat", "trail": "http"})

	// hoga restarts: the store says who set each.
	book2, err := exits.New(exits.Options{Broker: e.g, Store: store, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	e.restart(func(c *Config) { c.Exits = book2 })
	sources("after a restart", map[string]string{"stop": "http", "take": "chat", "trail": "http"})

	// The chat re-sets the stop: the chat's now; the API takes it back.
	if err := book2.Put(context.Background(), exits.Exit{Code: "005930", Kind: exits.Stop, BP: -300}, exits.SourceChat); err != nil {
		t.Fatal(err)
	}
	sources("re-set from the chat", map[string]string{"stop": "chat"})
	if r := e.do("POST", "/exits", `{"code":"005930","kind":"stop","level":"-4%"}`); r.status != 201 || r.json(t)["source"] != "http" {
		t.Fatalf("POST stop again: %d %s", r.status, r.body)
	}
	sources("re-set over HTTP", map[string]string{"stop": "http"})
}

func TestExitRoutesOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, p := range []string{"/exits", "/profit", "/daily", "/performance"} {
		if r := e.do("GET", p, ""); r.status != 404 {
			t.Errorf("GET %s without a book: %d", p, r.status)
		}
	}
}

func decode(t *testing.T, r result, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%v\n%s", err, r.body)
	}
}

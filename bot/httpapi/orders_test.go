package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/guard"
)

const buy10 = `{"code":"005930","side":"buy","qty":10,"type":"limit","price":70000}`

func TestPostOrderPlaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("POST", "/orders", buy10)
	if r.status != http.StatusCreated {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	m := r.json(t)
	cid, _ := m["client_id"].(string)
	if !regexp.MustCompile(`^http-[0-9a-f]{16}$`).MatchString(cid) {
		t.Errorf("client_id %q", cid)
	}
	if m["id"] != "0000000001" || m["state"] != "accepted" || m["code"] != "005930" || m["side"] != "buy" ||
		m["type"] != "limit" || m["qty"] != 10.0 || m["price"] != 70000.0 || m["source"] != "http" {
		t.Errorf("order %s", r.body)
	}
	if loc := r.header.Get("Location"); loc != "/orders/"+cid {
		t.Errorf("Location %q", loc)
	}
	if e.fb.Calls("place") != 1 {
		t.Fatalf("placed %d orders", e.fb.Calls("place"))
	}
	je, err := e.j.OrderByClientID(context.Background(), cid)
	if err != nil || je.Source != "http" || je.BrokerID != "0000000001" {
		t.Fatalf("journal %+v %v", je, err)
	}

	// Market orders leave the price out.
	r = e.do("POST", "/orders", `{"code":"005930","side":"sell","qty":3,"type":"market"}`)
	if r.status != http.StatusCreated || r.json(t)["type"] != "market" {
		t.Fatalf("market: %d %s", r.status, r.body)
	}
	// A content type with parameters is fine, and so is none.
	r = e.do("POST", "/orders", buy10, "Content-Type", "application/json; charset=utf-8")
	if r.status != http.StatusCreated {
		t.Fatalf("charset param: %d %s", r.status, r.body)
	}
	r = e.do("POST", "/orders", buy10, "Content-Type", "")
	if r.status != http.StatusCreated {
		t.Fatalf("no content type: %d %s", r.status, r.body)
	}
	if e.fb.Calls("place") != 4 {
		t.Fatalf("placed %d orders; want 4 (no key: each POST is a new order)", e.fb.Calls("place"))
	}
}

func TestPostOrderRejectsBadBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		ctype  string
		status int
		kind   string
	}{
		{"unknown_field", `{"code":"005930","side":"buy","qty":10,"type":"limit","price":70000,"account":"x"}`, "", 400, "invalid"},
		{"trailing_object", buy10 + `{}`, "", 400, "invalid"},
		{"trailing_garbage", buy10 + `x`, "", 400, "invalid"},
		{"two_objects", buy10 + "\n" + buy10, "", 400, "invalid"},
		{"empty", ``, "", 400, "invalid"},
		{"not_json", `code=005930&qty=10`, "", 400, "invalid"},
		{"array", `[` + buy10 + `]`, "", 400, "invalid"},
		{"qty_string", `{"code":"005930","side":"buy","qty":"10","type":"limit","price":70000}`, "", 400, "invalid"},
		{"qty_fraction", `{"code":"005930","side":"buy","qty":1.5,"type":"limit","price":70000}`, "", 400, "invalid"},
		{"qty_zero", `{"code":"005930","side":"buy","qty":0,"type":"limit","price":70000}`, "", 400, "invalid"},
		{"qty_negative", `{"code":"005930","side":"buy","qty":-1,"type":"limit","price":70000}`, "", 400, "invalid"},
		{"no_type", `{"code":"005930","side":"buy","qty":10,"price":70000}`, "", 400, "invalid"},
		{"market_with_price", `{"code":"005930","side":"buy","qty":10,"type":"market","price":70000}`, "", 400, "invalid"},
		{"limit_without_price", `{"code":"005930","side":"buy","qty":10,"type":"limit"}`, "", 400, "invalid"},
		{"bad_side", `{"code":"005930","side":"short","qty":10,"type":"limit","price":70000}`, "", 400, "invalid"},
		{"bad_code", `{"code":"5930","side":"buy","qty":10,"type":"limit","price":70000}`, "", 400, "invalid"},
		{"off_tick", `{"code":"005930","side":"buy","qty":10,"type":"limit","price":70050}`, "", 400, "invalid"},
		{"bad_venue", `{"code":"005930","side":"buy","qty":10,"type":"limit","price":70000,"venue":"nyse"}`, "", 400, "invalid"},
		{"venue_number", `{"code":"005930","side":"buy","qty":10,"type":"limit","price":70000,"venue":1}`, "", 400, "invalid"},
		{"too_large", `{"code":"005930","side":"buy","qty":10,"type":"limit","price":70000,"pad":"` + strings.Repeat("x", 5000) + `"}`, "", 413, "too_large"},
		{"form_content_type", buy10, "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
		{"text_content_type", buy10, "text/plain", 415, "unsupported_media_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			hdr := []string{}
			if tt.ctype != "" {
				hdr = append(hdr, "Content-Type", tt.ctype)
			}
			r := e.do("POST", "/orders", tt.body, hdr...)
			kind, _ := r.errKind(t)
			if r.status != tt.status || kind != tt.kind {
				t.Fatalf("%d %s; want %d %s", r.status, r.body, tt.status, tt.kind)
			}
			if e.fb.Calls("place") != 0 || e.j.Writes() != 0 {
				t.Fatal("a bad request reached the broker or the journal")
			}
		})
	}
}

// TestPostOrderVenue: the optional venue field (krx, nxt, sor in any case)
// reaches the broker and comes back in the order; left out, the guard's
// default applies (issue 16): SOR on a live account.
func TestPostOrderVenue(t *testing.T) {
	t.Parallel()
	tests := []struct{ field, want string }{
		{`,"venue":"nxt"`, "NXT"},
		{`,"venue":"SOR"`, "SOR"},
		{`,"venue":"Krx"`, "KRX"},
		{``, "SOR"},
	}
	for _, tt := range tests {
		e := newEnv(t)
		e.reguard(func(o *guard.Options) { o.Venues = broker.LiveVenues })
		r := e.do("POST", "/orders", `{"code":"005930","side":"buy","qty":10,"type":"limit","price":70000`+tt.field+`}`)
		if r.status != http.StatusCreated {
			t.Fatalf("%s: %d %s", tt.field, r.status, r.body)
		}
		got, _ := r.json(t)["venue"].(string)
		if got != tt.want {
			t.Errorf("%s: venue %q; want %q (%s)", tt.field, got, tt.want, r.body)
		}
	}
}

func TestTrailingWhitespaceIsFine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if r := e.do("POST", "/orders", buy10+"\n \t\n"); r.status != http.StatusCreated {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestPostOrderRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(e *env)
		status   int
		kind     string
		clientID bool // the refusal was journaled and names the order
	}{
		{"halted", func(e *env) { e.setHalted(true) }, 409, "halted", false},
		{"market_closed", func(e *env) { e.reguard(closedToday) }, 409, "market_closed", false},
		{"limit", func(e *env) { e.reguard(func(o *guard.Options) { o.MaxOrderKRW = 100_000 }) }, 422, "limit_exceeded", false},
		{"broker_rejects", func(e *env) {
			e.fb.Fail("place", &broker.Error{Kind: broker.InsufficientFunds, Code: "APBK0952", Msg: "주문가능금액을 초과"})
		}, 422, "insufficient_funds", true},
		{"broker_rate_limited", func(e *env) {
			e.fb.Fail("place", &broker.Error{Kind: broker.RateLimited, Code: "EGW00201", RetryAfter: time.Second})
		}, 429, "rate_limited", true},
		{"broker_down", func(e *env) { e.fb.Fail("place", &broker.Error{Kind: broker.Transient, Msg: "connection refused"}) }, 503, "transient", true},
		{"broker_auth", func(e *env) { e.fb.Fail("place", &broker.Error{Kind: broker.Auth, Code: "EGW00123"}) }, 502, "auth", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tt.setup(e)
			r := e.do("POST", "/orders", buy10)
			kind, body := r.errKind(t)
			if r.status != tt.status || kind != tt.kind {
				t.Fatalf("%d %s; want %d %s", r.status, r.body, tt.status, tt.kind)
			}
			if cid, _ := body["client_id"].(string); (cid != "") != tt.clientID {
				t.Errorf("client_id %q; want one: %v", cid, tt.clientID)
			}
			if tt.kind == "market_closed" && body["next_open"] != "2026-11-26T09:00:00+09:00" {
				t.Errorf("next_open %v", body["next_open"])
			}
		})
	}
}

func TestUnknownOutcomeIs202WithTheClientID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fb.Fail("place", &broker.Error{Kind: broker.UnknownOutcome, Msg: "timeout after the request was sent"})
	r := e.do("POST", "/orders", buy10, "Idempotency-Key", "k-unknown")
	if r.status != http.StatusAccepted {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := r.json(t)
	cid := m["client_id"].(string)
	if m["state"] != "unknown" || cid != keyClientID("k-unknown", 0) || r.header.Get("Location") != "/orders/"+cid {
		t.Fatalf("body %s, Location %q", r.body, r.header.Get("Location"))
	}
	if errObj, _ := m["error"].(map[string]any); errObj["kind"] != "unknown_outcome" {
		t.Errorf("error %v", m["error"])
	}
	// The caller polls; the journal says unknown.
	g := e.do("GET", "/orders/"+cid, "")
	if g.status != 200 || g.json(t)["state"] != "unknown" {
		t.Fatalf("poll: %d %s", g.status, g.body)
	}
	// A retry with the key never resends.
	e.fb.Fail("place", nil)
	r2 := e.do("POST", "/orders", buy10, "Idempotency-Key", "k-unknown")
	if r2.status != http.StatusAccepted || !bytes.Equal(r.body, r2.body) || e.fb.Calls("place") != 1 {
		t.Fatalf("retry: %d %s (placed %d)", r2.status, r2.body, e.fb.Calls("place"))
	}
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.do("POST", "/orders", buy10, "Idempotency-Key", "order-2026-11-25-001")
	if first.status != http.StatusCreated {
		t.Fatalf("%d %s", first.status, first.body)
	}
	if got := first.json(t)["client_id"]; got != keyClientID("order-2026-11-25-001", 0) {
		t.Fatalf("client_id %v; want the key's", got)
	}
	again := e.do("POST", "/orders", buy10, "Idempotency-Key", "order-2026-11-25-001")
	if again.status != first.status || !bytes.Equal(again.body, first.body) || again.header.Get("Location") != first.header.Get("Location") {
		t.Fatalf("retry answered %d %s; want the first answer %d %s", again.status, again.body, first.status, first.body)
	}
	if again.header.Get("Idempotent-Replayed") != "true" {
		t.Error("replay not marked")
	}
	if n := e.fb.Calls("place"); n != 1 {
		t.Fatalf("the broker got %d orders; want 1", n)
	}

	other := e.do("POST", "/orders", `{"code":"005930","side":"buy","qty":11,"type":"limit","price":70000}`, "Idempotency-Key", "order-2026-11-25-001")
	if kind, _ := other.errKind(t); other.status != http.StatusUnprocessableEntity || kind != "idempotency_key_reused" {
		t.Fatalf("different body: %d %s", other.status, other.body)
	}

	// After a restart the memory is gone; the journal still knows.
	e.restart()
	after := e.do("POST", "/orders", buy10, "Idempotency-Key", "order-2026-11-25-001")
	if after.status != http.StatusCreated || after.json(t)["id"] != first.json(t)["id"] {
		t.Fatalf("after restart: %d %s", after.status, after.body)
	}
	other = e.do("POST", "/orders", `{"code":"005930","side":"sell","qty":10,"type":"limit","price":70000}`, "Idempotency-Key", "order-2026-11-25-001")
	if kind, _ := other.errKind(t); other.status != http.StatusUnprocessableEntity || kind != "idempotency_key_reused" {
		t.Fatalf("different body after restart: %d %s", other.status, other.body)
	}
	if n := e.fb.Calls("place"); n != 1 {
		t.Fatalf("the broker got %d orders; want 1", n)
	}

	// A different key is a different order.
	if r := e.do("POST", "/orders", buy10, "Idempotency-Key", "order-2026-11-25-002"); r.status != http.StatusCreated {
		t.Fatalf("second key: %d %s", r.status, r.body)
	}
	if n := e.fb.Calls("place"); n != 2 {
		t.Fatalf("the broker got %d orders; want 2", n)
	}
	bad := e.do("POST", "/orders", buy10, "Idempotency-Key", "has space")
	if kind, _ := bad.errKind(t); bad.status != 400 || kind != "invalid" {
		t.Fatalf("bad key: %d %s", bad.status, bad.body)
	}
}

func TestKeyClientIDIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := keyClientID("k", 0), keyClientID("k", 0)
	// sha256("k") = 8254c329a92850f6d539dd376f4816ee2764517da5e0235514af433164480d7a
	if a != b || a != "http-8254c329a92850f6" {
		t.Fatalf("%q %q", a, b)
	}
	if keyClientID("k", 2) != a+"-2" || keyClientID("k2", 0) == a {
		t.Fatal("attempt ids")
	}
}

func TestIdempotentRetryAfterNothingWasDone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// The broker's rate limit refused the first try (journaled as
	// rejected, nothing done); a retry with the key must really retry.
	e.fb.FailPlace(&broker.Error{Kind: broker.RateLimited, Code: "EGW00201", RetryAfter: time.Second})
	r := e.do("POST", "/orders", buy10, "Idempotency-Key", "retry-me")
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("%d %s", r.status, r.body)
	}
	r = e.do("POST", "/orders", buy10, "Idempotency-Key", "retry-me")
	if r.status != http.StatusCreated || r.json(t)["client_id"] != keyClientID("retry-me", 1) {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	// From then on the key is settled, also after a restart.
	e.restart()
	r2 := e.do("POST", "/orders", buy10, "Idempotency-Key", "retry-me")
	if r2.status != http.StatusCreated || r2.json(t)["id"] != r.json(t)["id"] || e.fb.Calls("place") != 2 {
		t.Fatalf("after restart: %d %s (placed %d)", r2.status, r2.body, e.fb.Calls("place"))
	}

	// hoga's own refusals are not journaled: once the reason is gone the
	// same key goes through.
	e.setHalted(true)
	h := e.do("POST", "/orders", buy10, "Idempotency-Key", "after-resume")
	if h.status != http.StatusConflict {
		t.Fatalf("halted: %d %s", h.status, h.body)
	}
	e.setHalted(false)
	h = e.do("POST", "/orders", buy10, "Idempotency-Key", "after-resume")
	if h.status != http.StatusCreated || h.json(t)["client_id"] != keyClientID("after-resume", 0) {
		t.Fatalf("after resume: %d %s", h.status, h.body)
	}
	// A broker rejection of substance is final for the key.
	e.fb.Fail("place", &broker.Error{Kind: broker.InsufficientFunds, Msg: "no cash"})
	f1 := e.do("POST", "/orders", buy10, "Idempotency-Key", "no-cash")
	e.fb.Fail("place", nil)
	f2 := e.do("POST", "/orders", buy10, "Idempotency-Key", "no-cash")
	if f1.status != 422 || f2.status != 422 || !bytes.Equal(f1.body, f2.body) {
		t.Fatalf("final rejection: %d %s / %d %s", f1.status, f1.body, f2.status, f2.body)
	}
}

func TestIdempotencyKeyInFlightIs409(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	entered, release := e.holdPlace()
	var wg sync.WaitGroup
	var first result
	wg.Go(func() { first = e.do("POST", "/orders", buy10, "Idempotency-Key", "slow") })
	<-entered
	second := e.do("POST", "/orders", buy10, "Idempotency-Key", "slow")
	release()
	wg.Wait()
	if kind, _ := second.errKind(t); second.status != http.StatusConflict || kind != "conflict" || second.header.Get("Retry-After") == "" {
		t.Fatalf("concurrent retry: %d %s", second.status, second.body)
	}
	if first.status != http.StatusCreated || e.fb.Calls("place") != 1 {
		t.Fatalf("first: %d, placed %d", first.status, e.fb.Calls("place"))
	}
}

func TestGetOrders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/orders", "")
	if r.status != 200 || string(bytes.TrimSpace(r.body)) != `{"orders":[],"awaiting_confirmation":[]}` {
		t.Fatalf("empty: %d %s", r.status, r.body)
	}
	p := e.do("POST", "/orders", buy10).json(t)
	e.fb.AddOrder(broker.Order{ID: "0000000777", Code: "000660", Side: broker.Sell, Type: broker.Limit, Qty: 1, Price: 200_000,
		Status: broker.StatusAccepted, Time: t0.Add(-time.Hour)})
	r = e.do("GET", "/orders", "")
	list, _ := r.json(t)["orders"].([]any)
	if r.status != 200 || len(list) != 2 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	// Sorted by time: the foreign order came first.
	if list[0].(map[string]any)["id"] != "0000000777" || list[1].(map[string]any)["client_id"] != p["client_id"] {
		t.Errorf("orders %s", r.body)
	}
}

func TestGetOrderByEitherID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.do("POST", "/orders", buy10).json(t)
	cid, bid := p["client_id"].(string), p["id"].(string)
	for _, id := range []string{cid, bid} {
		r := e.do("GET", "/orders/"+id, "")
		m := r.json(t)
		if r.status != 200 || m["client_id"] != cid || m["id"] != bid || m["state"] != "accepted" {
			t.Fatalf("GET /orders/%s: %d %s", id, r.status, r.body)
		}
	}
	// Fills come from the broker's list.
	e.fb.SetStatus(bid, broker.StatusPartial, 4)
	m := e.do("GET", "/orders/"+cid, "").json(t)
	if m["state"] != "partial" || m["filled_qty"] != 4.0 || m["avg_fill_price"] != 70000.0 {
		t.Fatalf("partial: %v", m)
	}
	// When the broker cannot be asked, the journal's view is shown.
	e.fb.Fail("orders", &broker.Error{Kind: broker.Transient})
	if m := e.do("GET", "/orders/"+cid, "").json(t); m["state"] != "accepted" {
		t.Fatalf("journal view: %v", m)
	}
	e.fb.Fail("orders", nil)
	// An order placed outside hoga is found by its number.
	e.fb.AddOrder(broker.Order{ID: "0000000777", Code: "000660", Side: broker.Sell, Type: broker.Limit, Qty: 1, Price: 200_000, Status: broker.StatusFilled, FilledQty: 1})
	if r := e.do("GET", "/orders/0000000777", ""); r.status != 200 || r.json(t)["state"] != "filled" {
		t.Fatalf("foreign: %d %s", r.status, r.body)
	}
	r := e.do("GET", "/orders/http-ffffffffffffffff", "")
	if kind, _ := r.errKind(t); r.status != 404 || kind != "not_found" {
		t.Fatalf("missing: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/orders/"+strings.Repeat("a", 65), "")
	if kind, _ := r.errKind(t); r.status != 400 || kind != "invalid" {
		t.Fatalf("bad id: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/orders/a%27b", "")
	if r.status != 400 {
		t.Fatalf("quote in id: %d %s", r.status, r.body)
	}
}

// TestGetsHaveNoSideEffects proves the seed's bug cannot come back: no
// GET, with or without a token, places, cancels or journals anything.
func TestGetsHaveNoSideEffects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.do("POST", "/orders", buy10).json(t)
	placed, cancels, writes := e.fb.Calls("place"), e.fb.Calls("cancel"), e.j.Writes()
	paths := []string{"/healthz", "/readyz", "/metrics", "/price/005930", "/balance", "/orders",
		"/orders/" + p["client_id"].(string), "/orders/" + p["id"].(string), "/orders/nope",
		"/buy/005930/10", "/orders?side=buy&qty=10", "/price/005930?buy=1"}
	for _, path := range paths {
		for _, auth := range []string{"Bearer " + testToken, ""} {
			for _, method := range []string{"GET", "HEAD"} {
				e.do(method, path, "", "Authorization", auth)
			}
		}
	}
	if e.fb.Calls("place") != placed || e.fb.Calls("cancel") != cancels || e.j.Writes() != writes {
		t.Fatalf("GETs changed state: placed %d→%d, cancels %d→%d, journal writes %d→%d",
			placed, e.fb.Calls("place"), cancels, e.fb.Calls("cancel"), writes, e.j.Writes())
	}
}

func liveEnv(t *testing.T, c *recordingConfirmer) *env {
	return newEnv(t, func(cfg *Config) {
		cfg.Live, cfg.Confirmer, cfg.ConfirmTTL = true, c, time.Minute
	})
}

func TestLiveOrderIsConfirmedInChat(t *testing.T) {
	t.Parallel()
	conf := &recordingConfirmer{}
	e := liveEnv(t, conf)
	r := e.do("POST", "/orders", buy10)
	if r.status != http.StatusAccepted {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := r.json(t)
	cid := m["client_id"].(string)
	if m["state"] != StateAwaiting || m["expires_at"] != "2026-11-25T10:01:00+09:00" || r.header.Get("Location") != "/orders/"+cid {
		t.Fatalf("202 body %s", r.body)
	}
	if e.fb.Calls("place") != 0 || e.j.Writes() != 0 {
		t.Fatal("a live order was placed before confirmation")
	}
	asked := conf.asked()
	if len(asked) != 1 || asked[0].ClientID != cid || asked[0].Source != "http" || asked[0].Qty != 10 {
		t.Fatalf("asked %+v", asked)
	}
	if g := e.do("GET", "/orders/"+cid, ""); g.json(t)["state"] != StateAwaiting {
		t.Fatalf("before press: %s", g.body)
	}
	if l := e.do("GET", "/orders", "").json(t)["awaiting_confirmation"].([]any); len(l) != 1 {
		t.Fatalf("awaiting list %v", l)
	}

	// The owner presses [확인]: the chat places the request it was given.
	e.clock.Advance(30 * time.Second)
	if _, err := e.g.PlaceOrder(context.Background(), asked[0]); err != nil {
		t.Fatal(err)
	}
	g := e.do("GET", "/orders/"+cid, "")
	gm := g.json(t)
	if g.status != 200 || gm["state"] != "accepted" || gm["id"] != "0000000001" {
		t.Fatalf("after press: %d %s", g.status, g.body)
	}
	if l := e.do("GET", "/orders", "").json(t)["awaiting_confirmation"].([]any); len(l) != 0 {
		t.Fatalf("pressed order still listed as awaiting: %v", l)
	}
	// Long after the TTL it stays accepted: the journal wins.
	e.clock.Advance(time.Hour)
	if gm := e.do("GET", "/orders/"+cid, "").json(t); gm["state"] != "accepted" {
		t.Fatalf("later: %v", gm)
	}
}

func TestLiveOrderExpiresUnpressed(t *testing.T) {
	t.Parallel()
	conf := &recordingConfirmer{}
	e := liveEnv(t, conf)
	cid := e.do("POST", "/orders", buy10, "Idempotency-Key", "live-1").json(t)["client_id"].(string)
	if cid != keyClientID("live-1", 0) {
		t.Fatalf("client id %q", cid)
	}
	// Within the TTL plus the grace for a last-moment press it is awaiting.
	e.clock.Advance(time.Minute + DefaultConfirmGrace - time.Second)
	if m := e.do("GET", "/orders/"+cid, "").json(t); m["state"] != StateAwaiting {
		t.Fatalf("in grace: %v", m)
	}
	e.clock.Advance(time.Second)
	m := e.do("GET", "/orders/"+cid, "").json(t)
	if m["state"] != StateExpired || m["expires_at"] != nil {
		t.Fatalf("after TTL: %v", m)
	}
	// A retry with the same key reports the expiry; it does not ask again.
	r := e.do("POST", "/orders", buy10, "Idempotency-Key", "live-1")
	if r.status != http.StatusOK || r.json(t)["state"] != StateExpired || len(conf.asked()) != 1 {
		t.Fatalf("retry: %d %s, asked %d", r.status, r.body, len(conf.asked()))
	}
	if e.fb.Calls("place") != 0 {
		t.Fatal("placed")
	}
}

func TestLiveIdempotentRetryWhileAwaiting(t *testing.T) {
	t.Parallel()
	conf := &recordingConfirmer{}
	e := liveEnv(t, conf)
	first := e.do("POST", "/orders", buy10, "Idempotency-Key", "live-2")
	second := e.do("POST", "/orders", buy10, "Idempotency-Key", "live-2")
	if second.status != http.StatusAccepted || !bytes.Equal(first.body, second.body) || len(conf.asked()) != 1 {
		t.Fatalf("retry: %d %s vs %s; asked %d", second.status, second.body, first.body, len(conf.asked()))
	}
	// Pressed, then the process restarts: the same key shows the order.
	if _, err := e.g.PlaceOrder(context.Background(), conf.asked()[0]); err != nil {
		t.Fatal(err)
	}
	e.restart()
	r := e.do("POST", "/orders", buy10, "Idempotency-Key", "live-2")
	if r.status != http.StatusOK || r.json(t)["state"] != "accepted" || len(conf.asked()) != 1 || e.fb.Calls("place") != 1 {
		t.Fatalf("after restart: %d %s, asked %d", r.status, r.body, len(conf.asked()))
	}
	other := e.do("POST", "/orders", `{"code":"005930","side":"buy","qty":1,"type":"limit","price":70000}`, "Idempotency-Key", "live-2")
	if other.status != http.StatusUnprocessableEntity {
		t.Fatalf("different body: %d %s", other.status, other.body)
	}
}

func TestLiveRefusalsNeverAsk(t *testing.T) {
	t.Parallel()
	conf := &recordingConfirmer{}
	e := liveEnv(t, conf)
	e.setHalted(true)
	r := e.do("POST", "/orders", buy10)
	if kind, _ := r.errKind(t); r.status != http.StatusConflict || kind != "halted" || len(conf.asked()) != 0 {
		t.Fatalf("halted: %d %s, asked %d", r.status, r.body, len(conf.asked()))
	}
	e.setHalted(false)
	conf.err = &broker.Error{Kind: broker.Transient, Msg: "quote failed"}
	r = e.do("POST", "/orders", buy10)
	if kind, _ := r.errKind(t); r.status != http.StatusServiceUnavailable || kind != "transient" {
		t.Fatalf("confirmer failed: %d %s", r.status, r.body)
	}
	if l := e.do("GET", "/orders", "").json(t)["awaiting_confirmation"].([]any); len(l) != 0 {
		t.Fatalf("an order nobody was asked about is awaiting: %v", l)
	}
}

func TestLiveAwaitingIsBounded(t *testing.T) {
	t.Parallel()
	conf := &recordingConfirmer{}
	e := newEnv(t, func(cfg *Config) { cfg.Live, cfg.Confirmer, cfg.MaxAwaiting = true, conf, 2 })
	for i := range 2 {
		if r := e.do("POST", "/orders", buy10); r.status != http.StatusAccepted {
			t.Fatalf("order %d: %d", i, r.status)
		}
	}
	r := e.do("POST", "/orders", buy10)
	if kind, _ := r.errKind(t); r.status != http.StatusTooManyRequests || kind != "rate_limited" {
		t.Fatalf("third: %d %s", r.status, r.body)
	}
	// Once they expire there is room again.
	e.clock.Advance(DefaultConfirmTTL + time.Second)
	if r := e.do("POST", "/orders", buy10); r.status != http.StatusAccepted {
		t.Fatalf("after expiry: %d %s", r.status, r.body)
	}
}

// chatSink collects alerts published on the feed.
type chatSink struct {
	mu     sync.Mutex
	alerts []bot.Alert
}

func (s *chatSink) SendAlert(_ context.Context, a bot.Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts = append(s.alerts, a)
	return nil
}

// TestChatConfirmerEndToEnd runs the live flow through the real router
// and feed: the prompt goes out with buttons, the owner presses [확인], and
// GET /orders/{id} shows the order the guard placed.
func TestChatConfirmerEndToEnd(t *testing.T) {
	t.Parallel()
	var router *bot.Router
	sink := &chatSink{}
	e := newEnv(t, func(cfg *Config) {
		var err error
		// The router does the dry run (its Checker), so its refusal is
		// what the HTTP client sees.
		router, err = bot.NewRouter(bot.Config{Broker: cfg.Broker, Checker: cfg.Broker.(bot.Checker), Mode: "live", Lang: bot.English,
			Clock: cfg.Clock, Allowed: func(id string) bool { return id == "42" }})
		if err != nil {
			t.Fatal(err)
		}
		feed := bot.NewFeed(bot.FeedConfig{Lang: bot.English})
		feed.AddSink(sink)
		cfg.Live, cfg.Router, cfg.Confirmer = true, router, bot.Confirmer{Router: router, Feed: feed}
	})

	r := e.do("POST", "/orders", buy10)
	if r.status != http.StatusAccepted {
		t.Fatalf("%d %s", r.status, r.body)
	}
	cid := r.json(t)["client_id"].(string)
	sink.mu.Lock()
	if len(sink.alerts) != 1 || len(sink.alerts[0].Buttons) != 2 || sink.alerts[0].Type != bot.AlertConfirm {
		sink.mu.Unlock()
		t.Fatalf("alerts %+v", sink.alerts)
	}
	ok := sink.alerts[0].Buttons[0]
	sink.mu.Unlock()
	if !strings.HasPrefix(ok.Data, "ok:") {
		t.Fatalf("first button %+v", ok)
	}
	if e.fb.Calls("place") != 0 {
		t.Fatal("placed before the press")
	}
	// Someone not allowed presses: nothing happens.
	router.Press(context.Background(), bot.Press{Data: ok.Data, UserID: "7", Source: "telegram"}, nil)
	if e.fb.Calls("place") != 0 {
		t.Fatal("an unauthorized press placed the order")
	}
	reply := router.Press(context.Background(), bot.Press{Data: ok.Data, UserID: "42", Source: "telegram"}, nil)
	if !strings.Contains(reply.Text, "0000000001") {
		t.Fatalf("press reply %q", reply.Text)
	}
	g := e.do("GET", "/orders/"+cid, "").json(t)
	if g["state"] != "accepted" || g["id"] != "0000000001" || g["source"] != "http" || g["user"] != "42" {
		t.Fatalf("after press: %v", g)
	}

	// The router's refusal (a halted guard) comes back as its sentence,
	// with the guard's kind: 409 halted, as when the server checked
	// itself (it was 422 rejected through the chat confirmer: issue 13.4).
	e.setHalted(true)
	r = e.do("POST", "/orders", buy10)
	if kind, body := r.errKind(t); r.status != http.StatusConflict || kind != "halted" || !strings.HasPrefix(body["message"].(string), "Halted") {
		t.Fatalf("refused by the router: %d %s", r.status, r.body)
	}
}

// GET /orders/{id} finds an order by its number as a person types it
// ("1", "777") the way the guard's /cancel does: both sides in the
// broker's written form (issue 12.5; KIS pads to 10 digits).
func TestGetOrderByShortNumber(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.do("POST", "/orders", buy10).json(t)
	cid, bid := p["client_id"].(string), p["id"].(string)
	short := strings.TrimLeft(bid, "0")
	if r := e.do("GET", "/orders/"+short, ""); r.status != 200 || r.json(t)["client_id"] != cid {
		t.Fatalf("GET /orders/%s: %d %s", short, r.status, r.body)
	}
	e.fb.AddOrder(broker.Order{ID: "0000000777", Code: "000660", Side: broker.Sell, Type: broker.Limit, Qty: 1, Price: 200_000, Status: broker.StatusFilled, FilledQty: 1})
	if r := e.do("GET", "/orders/777", ""); r.status != 200 || r.json(t)["id"] != "0000000777" {
		t.Fatalf("foreign by short number: %d %s", r.status, r.body)
	}
}

// A filled order shows its fills from the journal: it read "filled" with
// filled_qty 0 and avg_fill_price 0 while GET /orders listed 3 @ 197,700
// (trial run of issue 12, paper broker).
func TestGetFilledOrderShowsItsFills(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.do("POST", "/orders", buy10).json(t)
	cid, bid := p["client_id"].(string), p["id"].(string)
	if _, err := e.j.UpdateOrder(context.Background(), cid, func(x *broker.JournalEntry) error {
		x.State, x.FilledQty, x.FillAmount = broker.StatusFilled, 10, 4*69_900+6*70_000
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{cid, bid} {
		m := e.do("GET", "/orders/"+id, "").json(t)
		if m["state"] != "filled" || m["filled_qty"] != 10.0 || m["avg_fill_price"] != 69_960.0 {
			t.Errorf("GET /orders/%s: %v", id, m)
		}
	}
}

// An HTTP order the owner declines in the chat reads "declined" at once
// (it read awaiting_confirmation until it expired), and the prompt says it
// came from the HTTP API (issue 12.10).
func TestDeclinedInChatReadsDeclined(t *testing.T) {
	t.Parallel()
	var router *bot.Router
	sink := &chatSink{}
	var srv *Server
	e := newEnv(t, func(cfg *Config) {
		var err error
		router, err = bot.NewRouter(bot.Config{Broker: cfg.Broker, Checker: cfg.Broker.(bot.Checker), Mode: "live", Lang: bot.English,
			Clock: cfg.Clock, Allowed: func(id string) bool { return id == "42" }})
		if err != nil {
			t.Fatal(err)
		}
		feed := bot.NewFeed(bot.FeedConfig{Lang: bot.English})
		feed.AddSink(sink)
		cfg.Live, cfg.Router = true, router
		cfg.Confirmer = bot.Confirmer{Router: router, Feed: feed, OnDecline: func(req broker.OrderRequest) { srv.Declined(req.ClientID) }}
	})
	srv = e.srv
	r := e.do("POST", "/orders", buy10)
	if r.status != http.StatusAccepted {
		t.Fatalf("%d %s", r.status, r.body)
	}
	cid := r.json(t)["client_id"].(string)
	sink.mu.Lock()
	prompt := sink.alerts[0]
	sink.mu.Unlock()
	if !strings.Contains(prompt.Text, "From: HTTP API") {
		t.Errorf("the prompt does not say where the order came from:\n%s", prompt.Text)
	}
	no := prompt.Buttons[1]
	if !strings.HasPrefix(no.Data, "no:") {
		t.Fatalf("second button %+v", no)
	}
	router.Press(context.Background(), bot.Press{Data: no.Data, UserID: "42", Source: "telegram"}, nil)
	g := e.do("GET", "/orders/"+cid, "")
	if m := g.json(t); g.status != 200 || m["state"] != "declined" {
		t.Fatalf("after the decline: %d %s", g.status, g.body)
	}
	list := e.do("GET", "/orders", "").json(t)
	if aw, _ := list["awaiting_confirmation"].([]any); len(aw) != 0 {
		t.Errorf("a declined order is still listed as awaiting: %v", list)
	}
	if e.fb.Calls("place") != 0 {
		t.Fatal("a declined order was placed")
	}
}

// TestPostOrderClose: "type":"close" is a closing-price order (시간외 종가),
// as /buy … close: it goes to KRX as the session's order and comes back
// with "type":"close"; a price with it is refused; a mock account refuses
// it (issue 16).
func TestPostOrderClose(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.reguard(func(o *guard.Options) { o.Venues, o.DefaultVenue = broker.LiveVenues, broker.VenueSOR })
	r := e.do("POST", "/orders", `{"code":"005930","side":"buy","qty":10,"type":"close"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if m := r.json(t); m["type"] != "close" || m["venue"] != "KRX" {
		t.Errorf("type %v venue %v; want close KRX (%s)", m["type"], m["venue"], r.body)
	}
	if r := e.do("POST", "/orders", `{"code":"005930","side":"buy","qty":10,"type":"close","price":70000}`); r.status != http.StatusBadRequest {
		t.Errorf("close with a price: %d %s; want 400", r.status, r.body)
	}
	m := newEnv(t) // a mock account: KRX only, no off-hours types
	if r := m.do("POST", "/orders", `{"code":"005930","side":"buy","qty":10,"type":"close"}`); r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `"code":"close_mock"`) {
		t.Errorf("mock close: %d %s; want 422 close_mock", r.status, r.body)
	}
}

// TestExchangeField: "exchange" is where a SOR order traded, from the
// broker's view or the journal's row; absent for an order sent elsewhere
// and for one whose fills came from both exchanges (issue 16).
func TestExchangeField(t *testing.T) {
	t.Parallel()
	s := &Server{}
	for _, tc := range []struct {
		venue, exchange broker.Venue
		want            string
	}{
		{broker.VenueSOR, broker.VenueNXT, "NXT"},
		{broker.VenueSOR, broker.VenueKRX, "KRX"},
		{broker.VenueSOR, "", ""},
		{broker.VenueNXT, broker.VenueNXT, ""},
		{broker.VenueKRX, "", ""},
	} {
		if got := orderOut(broker.Order{Venue: tc.venue, Exchange: tc.exchange}).Exchange; got != tc.want {
			t.Errorf("order %s→%s: exchange %q; want %q", tc.venue, tc.exchange, got, tc.want)
		}
		if got := s.entryOut(broker.JournalEntry{Venue: tc.venue, Exchange: tc.exchange}).Exchange; got != tc.want {
			t.Errorf("row %s→%s: exchange %q; want %q", tc.venue, tc.exchange, got, tc.want)
		}
	}
	if got := s.entryOut(broker.JournalEntry{Venue: broker.VenueSOR, Exchange: broker.VenueSOR}).Exchange; got != "" {
		t.Errorf("row with fills on both: exchange %q; want none", got)
	}
}

package httpapi

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/guard"
	"github.com/hoga-trade/hoga/metrics"
)

var controlRoutes = []struct{ method, path, body string }{
	{"GET", "/price/005930", ""},
	{"GET", "/balance", ""},
	{"GET", "/orders", ""},
	{"GET", "/orders/http-0123456789abcdef", ""},
	{"POST", "/orders", `{"code":"005930","side":"buy","qty":1,"type":"limit","price":70000}`},
}

func TestControlRoutesNeedTheToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		auth      string
		challenge string
	}{
		{"missing", "", `Bearer realm="hoga"`},
		{"wrong_scheme", "Basic " + testToken, `Bearer realm="hoga", error="invalid_request"`},
		{"token_without_scheme", testToken, `Bearer realm="hoga", error="invalid_request"`},
		{"wrong_token", "Bearer " + strings.Repeat("x", len(testToken)), `Bearer realm="hoga", error="invalid_token"`},
		{"prefix_of_token", "Bearer " + testToken[:len(testToken)-1], `Bearer realm="hoga", error="invalid_token"`},
		{"token_plus_more", "Bearer " + testToken + "0", `Bearer realm="hoga", error="invalid_token"`},
		{"empty_bearer", "Bearer ", `Bearer realm="hoga", error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			for _, rt := range controlRoutes {
				r := e.do(rt.method, rt.path, rt.body, "Authorization", tt.auth)
				if r.status != http.StatusUnauthorized {
					t.Fatalf("%s %s: status %d; want 401", rt.method, rt.path, r.status)
				}
				if got := r.header.Get("WWW-Authenticate"); got != tt.challenge {
					t.Errorf("%s %s: WWW-Authenticate %q; want %q", rt.method, rt.path, got, tt.challenge)
				}
				if kind, _ := r.errKind(t); kind != "unauthorized" {
					t.Errorf("kind %q", kind)
				}
			}
			if n := e.fb.Calls("place") + e.fb.Calls("quote") + e.fb.Calls("balance") + e.fb.Calls("orders"); n != 0 {
				t.Fatalf("refused requests reached the broker %d times", n)
			}
		})
	}
}

func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/price/005930", "", "Authorization", "bearer "+testToken)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
}

// TestAuthComparesInConstantTime reads auth.go: the token must be checked
// with subtle.ConstantTimeCompare, and never with == or != (whose time
// depends on how much of the token matched).
func TestAuthComparesInConstantTime(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "auth.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var fn *ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "authorize" {
			fn = fd
		}
	}
	if fn == nil {
		t.Fatal("no authorize func in auth.go")
	}
	constantTime := false
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "ConstantTimeCompare" {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "subtle" {
					constantTime = true
				}
			}
		case *ast.BinaryExpr:
			if n.Op != token.EQL && n.Op != token.NEQ {
				return true
			}
			for _, side := range []ast.Expr{n.X, n.Y} {
				ast.Inspect(side, func(m ast.Node) bool {
					if call, ok := m.(*ast.CallExpr); ok {
						if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "ConstantTimeCompare" {
							return false // its result may be compared; its arguments are the point
						}
					}
					if id, ok := m.(*ast.Ident); ok && (id.Name == "cred" || id.Name == "got" || id.Name == "tokenHash") {
						t.Errorf("authorize compares %s with %s", id.Name, n.Op)
					}
					return true
				})
			}
			// The only == allowed on the token is the "none configured" test.
			if sel, ok := n.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "Token" {
				if lit, ok := n.Y.(*ast.BasicLit); !ok || lit.Value != `""` {
					t.Errorf("authorize compares the token with %s", n.Op)
				}
			}
		}
		return true
	})
	if !constantTime {
		t.Fatal("authorize does not use subtle.ConstantTimeCompare")
	}
}

// TestConfigNeverPrintsToken: a Config printed whole with any verb shows
// no token (it was a plain string: every verb printed it).
func TestConfigNeverPrintsToken(t *testing.T) {
	t.Parallel()
	cfg := Config{Addr: "127.0.0.1:0", Token: testToken}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
		if out := fmt.Sprintf(verb, cfg); strings.Contains(out, testToken) || strings.Contains(out, "s3cret") {
			t.Errorf("%s printed the token: %s", verb, out)
		}
	}
}

func TestOpenRoutesNeedNoToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.Metrics = metrics.New() })
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		r := e.do("GET", path, "", "Authorization", "")
		if r.status != http.StatusOK {
			t.Errorf("GET %s without a token: %d %s", path, r.status, r.body)
		}
	}
}

func TestNoTokenTurnsControlRoutesOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.Token = "" })
	for _, rt := range controlRoutes {
		r := e.do(rt.method, rt.path, rt.body)
		if r.status != http.StatusForbidden {
			t.Fatalf("%s %s: %d; want 403", rt.method, rt.path, r.status)
		}
		if kind, _ := r.errKind(t); kind != "forbidden" {
			t.Errorf("kind %q", kind)
		}
	}
	if r := e.do("GET", "/healthz", ""); r.status != http.StatusOK {
		t.Fatalf("healthz %d", r.status)
	}
	if e.fb.Calls("place") != 0 {
		t.Fatal("an order was placed without a token")
	}
}

func TestNewChecksTheConfig(t *testing.T) {
	t.Parallel()
	fb := newFakeBroker(nil)
	tests := []struct {
		name     string
		cfg      Config
		wantErr  string
		wantAddr string
	}{
		{"any_v4_without_token", Config{Addr: "0.0.0.0:8080"}, "without HOGA_HTTP_TOKEN", ""},
		{"any_v6_without_token", Config{Addr: "[::]:8080"}, "without HOGA_HTTP_TOKEN", ""},
		{"lan_without_token", Config{Addr: "192.168.0.10:8080"}, "without HOGA_HTTP_TOKEN", ""},
		{"hostname_without_token", Config{Addr: "hoga.example.com:8080"}, "without HOGA_HTTP_TOKEN", ""},
		{"port_only_is_loopback", Config{Addr: ":8080"}, "", "127.0.0.1:8080"},
		{"localhost", Config{Addr: "localhost:8080"}, "", "localhost:8080"},
		{"v6_loopback", Config{Addr: "[::1]:8080"}, "", "[::1]:8080"},
		{"loopback_range", Config{Addr: "127.0.0.2:8080"}, "", "127.0.0.2:8080"},
		{"any_with_token", Config{Addr: "0.0.0.0:8080", Token: testToken}, "", "0.0.0.0:8080"},
		{"short_token", Config{Addr: ":8080", Token: "short"}, "at least 16", ""},
		{"token_with_space", Config{Addr: ":8080", Token: "0123456789 abcdef"}, "spaces", ""},
		{"no_port", Config{Addr: "127.0.0.1"}, "host:port", ""},
		{"live_without_confirmer", Config{Addr: ":8080", Live: true, Orders: brokertest.NewJournal(nil)}, "Confirmer", ""},
		{"live_without_journal", Config{Addr: ":8080", Live: true, Confirmer: &recordingConfirmer{}}, "Orders", ""},
		{"ready_check_unnamed", Config{Addr: ":8080", Ready: []ReadyCheck{{Check: func(context.Context) error { return nil }}}}, "ready check", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.Broker = fb
			s, err := New(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New = %v; want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Addr() != tt.wantAddr {
				t.Errorf("Addr = %q; want %q", s.Addr(), tt.wantAddr)
			}
		})
	}
	if _, err := New(Config{Addr: ":8080"}); err == nil {
		t.Error("New without a broker succeeded")
	}
}

func TestPrice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/price/005930", "")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, type %q: %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	m := r.json(t)
	if m["code"] != "005930" || m["price"] != 70000.0 || m["name"] != "삼성전자" || m["upper_limit"] != 90300.0 {
		t.Errorf("quote %s", r.body)
	}
	if ts, _ := m["time"].(string); !strings.HasSuffix(ts, "+09:00") {
		t.Errorf("time %q is not in KST", ts)
	}
	// Lower-case alphanumeric codes are folded, as in chat.
	if r := e.do("GET", "/price/0088m0", ""); r.status != http.StatusOK || r.json(t)["code"] != "0088M0" {
		t.Errorf("alphanumeric code: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/price/12", "")
	if kind, _ := r.errKind(t); r.status != http.StatusBadRequest || kind != "invalid" {
		t.Errorf("bad code: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/price/999999", "")
	if kind, _ := r.errKind(t); r.status != http.StatusNotFound || kind != "not_found" {
		t.Errorf("unknown stock: %d %s", r.status, r.body)
	}
}

func TestBalance(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/balance", "")
	if r.status != http.StatusOK {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	m := r.json(t)
	pos, _ := m["positions"].([]any)
	if m["cash"] != 5e6 || m["orderable"] != 4.3e6 || len(pos) != 1 {
		t.Fatalf("balance %s", r.body)
	}
	p := pos[0].(map[string]any)
	if p["code"] != "005930" || p["qty"] != 10.0 || p["pnl"] != 1e4 {
		t.Errorf("position %v", p)
	}
}

func TestUnknownRoutesAndMethodsAnswerJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/buy/005930/10", "")
	if kind, _ := r.errKind(t); r.status != http.StatusNotFound || kind != "not_found" {
		t.Errorf("seed-style route: %d %s", r.status, r.body)
	}
	r = e.do("DELETE", "/orders", "")
	if kind, _ := r.errKind(t); r.status != http.StatusMethodNotAllowed || kind != "method_not_allowed" {
		t.Errorf("DELETE /orders: %d %s", r.status, r.body)
	}
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "POST") || !strings.Contains(allow, "GET") {
		t.Errorf("Allow %q", allow)
	}
	r = e.do("GET", "/price/005930/", "")
	if r.status != http.StatusNotFound {
		t.Errorf("trailing slash: %d", r.status)
	}
	if e.fb.Calls("place") != 0 {
		t.Fatal("order placed")
	}
}

func TestErrorKindsMapToStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind   broker.Kind
		status int
	}{
		{broker.Invalid, 400},
		{broker.Rejected, 422},
		{broker.InsufficientFunds, 422},
		{broker.LimitExceeded, 422},
		{broker.Halted, 409},
		{broker.MarketClosed, 409},
		{broker.NotFound, 404},
		{broker.Auth, 502},
		{broker.RateLimited, 429},
		{broker.Transient, 503},
		{broker.UnknownOutcome, 504},
		{broker.Internal, 500},
		{broker.Unreadable, 502},
		{broker.Duplicate, 409},
	}
	if len(tests) != len(kindStatus) {
		t.Fatalf("the table has %d kinds; the test covers %d", len(kindStatus), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.fb.Fail("quote", &broker.Error{Kind: tt.kind, Code: "X1", Msg: "broker says no", RetryAfter: 1500 * time.Millisecond,
				NextOpen: t0.Add(time.Hour)})
			r := e.do("GET", "/price/005930", "")
			if r.status != tt.status || StatusFor(tt.kind) != tt.status {
				t.Fatalf("status %d; want %d", r.status, tt.status)
			}
			kind, body := r.errKind(t)
			if kind != tt.kind.String() {
				t.Errorf("kind %q; want %q", kind, tt.kind)
			}
			switch tt.kind {
			case broker.RateLimited:
				if r.header.Get("Retry-After") != "2" || body["retry_after"] != 2.0 {
					t.Errorf("Retry-After %q, body %v; want 2 (1.5s rounded up)", r.header.Get("Retry-After"), body)
				}
			case broker.MarketClosed:
				if body["next_open"] != "2026-11-25T11:00:00+09:00" {
					t.Errorf("next_open %v", body["next_open"])
				}
			case broker.Internal:
				if strings.Contains(string(r.body), "broker says no") || body["code"] != nil {
					t.Errorf("internal error leaks detail: %s", r.body)
				}
			default:
				if body["code"] != "X1" {
					t.Errorf("broker code missing: %s", r.body)
				}
			}
		})
	}
}

func TestPlainErrorsAreInternal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fb.Fail("balance", errors.New("dial tcp: secret detail"))
	r := e.do("GET", "/balance", "")
	kind, body := r.errKind(t)
	if r.status != 500 || kind != "internal" || strings.Contains(body["message"].(string), "secret") {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestMessagesUseTheRouterLanguage(t *testing.T) {
	t.Parallel()
	for _, lang := range []bot.Lang{bot.Korean, bot.English} {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			fb := newFakeBroker(nil)
			router, err := bot.NewRouter(bot.Config{Broker: fb, Lang: lang})
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, func(c *Config) { c.Router = router })
			e.fb.Fail("quote", &broker.Error{Kind: broker.RateLimited, Code: "EGW00201", Msg: "초당 거래건수를 초과하였습니다."})
			r := e.do("GET", "/price/005930", "")
			_, body := r.errKind(t)
			msg := body["message"].(string)
			want := map[bot.Lang]string{bot.Korean: "브로커 요청 한도를 넘었습니다: [EGW00201] 초당 거래건수를 초과하였습니다.",
				bot.English: "Broker rate limit reached: [EGW00201] 초당 거래건수를 초과하였습니다."}[lang]
			if !strings.HasPrefix(msg, want) {
				t.Errorf("message %q; want it to start %q (no HTML, no leading symbol)", msg, want)
			}
			r = e.do("GET", "/balance", "", "Authorization", "")
			_, body = r.errKind(t)
			if lang == bot.English && !strings.HasPrefix(body["message"].(string), "Authentication required") {
				t.Errorf("401 message %q", body["message"])
			}
			if lang == bot.Korean && !strings.HasPrefix(body["message"].(string), "인증이 필요합니다") {
				t.Errorf("401 message %q", body["message"])
			}
		})
	}
}

func TestPlainStripsChatMarkup(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"❌ 요청이 올바르지 않습니다: <code>12</code>", "요청이 올바르지 않습니다: 12"},
		{"⏳ Broker rate limit reached: a &amp; b", "Broker rate limit reached: a & b"},
		{"⛔ Halted", "Halted"},
		{"[EGW00201] x", "[EGW00201] x"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		if got := plain(tt.in); got != tt.want {
			t.Errorf("plain(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// panicQuote is a broker whose Quote panics.
type panicQuote struct{ *brokertest.Broker }

func (panicQuote) Quote(context.Context, broker.Code) (broker.Quote, error) { panic("quote") }

func TestPanicsAnswer500JSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.reguard(func(o *guard.Options) { o.Broker = panicQuote{e.fb} })
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/price/005930", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	e.h.ServeHTTP(rec, req)
	r := result{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if kind, _ := r.errKind(t); r.status != 500 || kind != "internal" {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

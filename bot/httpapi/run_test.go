package httpapi

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/metrics"
)

func TestHealthz(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fb.Fail("quote", &broker.Error{Kind: broker.Transient})
	r := e.do("GET", "/healthz", "", "Authorization", "")
	if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"status":"ok"}` {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if e.fb.Calls("quote") != 0 {
		t.Fatal("liveness must not depend on the broker")
	}
}

func TestReadyzChecksAndCaches(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	storeErr := error(nil)
	e := newEnv(t, func(c *Config) {
		c.Ready = []ReadyCheck{
			{Name: "token", Check: func(context.Context) error { return nil }},
			{Name: "store", Check: func(context.Context) error { mu.Lock(); defer mu.Unlock(); return storeErr }},
		}
	})
	r := e.do("GET", "/readyz", "", "Authorization", "")
	m := r.json(t)
	checks, _ := m["checks"].([]any)
	if r.status != 200 || m["ready"] != true || len(checks) != 3 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for i, name := range []string{"broker", "token", "store"} {
		c := checks[i].(map[string]any)
		if c["name"] != name || c["ok"] != true {
			t.Errorf("check %d: %v", i, c)
		}
	}
	// Probes within the cache window do not reach the broker.
	for range 20 {
		e.do("GET", "/readyz", "")
	}
	if n := e.fb.Calls("quote"); n != 1 {
		t.Fatalf("%d quotes for 21 probes; want 1", n)
	}
	e.fb.Fail("quote", &broker.Error{Kind: broker.RateLimited, Msg: "초당 거래건수를 초과하였습니다."})
	mu.Lock()
	storeErr = errors.New("disk full at /secret/path")
	mu.Unlock()
	e.clock.Advance(DefaultReadyCacheTTL)
	r = e.do("GET", "/readyz", "")
	m = r.json(t)
	checks, _ = m["checks"].([]any)
	if r.status != http.StatusServiceUnavailable || m["ready"] != false {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if c := checks[0].(map[string]any); c["ok"] != false || c["error"] != "rate_limited" {
		t.Errorf("broker check %v", c)
	}
	if c := checks[2].(map[string]any); c["ok"] != false || c["error"] != "failed" {
		t.Errorf("store check %v", c)
	}
	if strings.Contains(string(r.body), "secret") || strings.Contains(string(r.body), "초과") {
		t.Errorf("readyz leaks detail without auth: %s", r.body)
	}
	if n := e.fb.Calls("quote"); n != 2 {
		t.Fatalf("quotes %d; want 2", n)
	}
}

func TestReadyzTimesOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) {
		c.ReadyTimeout = 20 * time.Millisecond
		c.Ready = []ReadyCheck{{Name: "slow", Check: func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}}}
	})
	r := e.do("GET", "/readyz", "")
	checks := r.json(t)["checks"].([]any)
	if c := checks[1].(map[string]any); r.status != 503 || c["error"] != "timeout" {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	e := newEnv(t, func(c *Config) { c.Metrics = m })
	e.do("GET", "/price/005930", "")
	e.do("GET", "/price/005930", "", "Authorization", "")
	e.do("GET", "/nowhere", "")
	r := e.do("GET", "/metrics", "", "Authorization", "", "Accept", "text/plain; version=0.0.4")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(r.body)))
	if err != nil {
		t.Fatalf("exposition does not parse: %v", err)
	}
	f := fams["hoga_http_requests_total"]
	if f == nil || f.GetType() != dto.MetricType_COUNTER {
		t.Fatalf("hoga_http_requests_total missing: %v", f)
	}
	got := map[string]float64{}
	for _, mt := range f.GetMetric() {
		var route, code string
		for _, l := range mt.GetLabel() {
			switch l.GetName() {
			case "route":
				route = l.GetValue()
			case "code":
				code = l.GetValue()
			}
		}
		got[route+" "+code] = mt.GetCounter().GetValue()
	}
	for k, want := range map[string]float64{"GET /price/{code} 200": 1, "GET /price/{code} 401": 1, "unmatched 404": 1} {
		if got[k] != want {
			t.Errorf("requests[%s] = %v; want %v (all: %v)", k, got[k], want, got)
		}
	}
	for _, name := range []string{"hoga_build_info", "go_goroutines", "hoga_http_request_duration_seconds"} {
		if fams[name] == nil {
			t.Errorf("%s missing", name)
		}
	}
	problems, err := testutil.GatherAndLint(m.Registry(), "hoga_http_requests_total", "hoga_http_request_duration_seconds")
	if err != nil || len(problems) != 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
}

func TestMetricsOffWithoutMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if r := e.do("GET", "/metrics", ""); r.status != 404 {
		t.Fatalf("%d", r.status)
	}
}

func TestRunServesAndShutsDownGracefully(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	shutdown := make(chan struct{})
	e.srv.onShutdown = func() { close(shutdown) }
	addr, err := e.srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	if e.srv.Addr() != addr.String() || !strings.HasPrefix(addr.String(), "127.0.0.1:") {
		t.Fatalf("Addr %q, listened on %s", e.srv.Addr(), addr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- e.srv.Run(ctx) }()

	base := "http://" + addr.String()
	client := &http.Client{Timeout: 10 * time.Second}
	req, _ := http.NewRequest("GET", base+"/price/005930", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"price":70000`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}

	// An order is in flight when the stop comes: it finishes, and its
	// answer reaches the client.
	entered, release := e.holdPlace()
	posted := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest("POST", base+"/orders", strings.NewReader(buy10))
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			posted <- nil
			return
		}
		posted <- resp
	}()
	<-entered
	cancel()
	<-shutdown
	release()
	resp = <-posted
	if resp == nil {
		t.FailNow()
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight order: %d %s", resp.StatusCode, body)
	}
	if err := <-ran; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if _, err := net.Dial("tcp", addr.String()); err == nil {
		t.Fatal("still accepting after shutdown")
	}
}

func TestRunFailsWhenThePortIsTaken(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	e := newEnv(t, func(c *Config) { c.Addr = ln.Addr().String() })
	if err := e.srv.Run(context.Background()); err == nil {
		t.Fatal("Run on a taken port succeeded")
	}
}

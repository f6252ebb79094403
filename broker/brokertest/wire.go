package brokertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// The plumbing both wire fakes share and neither broker defines: where the
// server listens, the manual controls of cmd/fakebroker, a dropped
// connection, a gateway's HTML error page and the per-second request
// windows. What each broker says on the wire (codes, texts, headers) stays
// in its own fake.

// startServer serves h on addr ("" is a free loopback port, as
// httptest.NewServer picks).
func startServer(h http.Handler, addr string) (*httptest.Server, error) {
	srv := httptest.NewUnstartedServer(h)
	if addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, err
		}
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	return srv, nil
}

// readBody reads a request body, bounded.
func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	return b
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serveControl offers a fake's manual controls for cmd/fakebroker:
// POST /_fake/price?code=005930&price=64000 and GET /_fake/prices.
func (s *simAccount) serveControl(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_fake/price" && r.Method == http.MethodPost:
		code := r.URL.Query().Get("code")
		price, err := strconv.ParseInt(r.URL.Query().Get("price"), 10, 64)
		if err != nil || price <= 0 {
			http.Error(w, "price must be a positive number of won", http.StatusBadRequest)
			return
		}
		if !s.SetPrice(code, price) {
			http.Error(w, "no such stock: "+code, http.StatusNotFound)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"code": code, "price": price})
	case r.URL.Path == "/_fake/prices" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.prices())
	default:
		http.NotFound(w, r)
	}
}

// resetConn drops the connection with no answer (RST rather than FIN
// where it can).
func resetConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tcp, ok := conn.(*net.TCPConn); ok {
				_ = tcp.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// gatewayError answers HTTP 500 with a load balancer's HTML page saying
// title ("500 Internal Server Error"): no JSON at all.
func gatewayError(w http.ResponseWriter, title string) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, "<html><body><h1>%s</h1></body></html>", title)
}

// rateWindows is a broker's per-second request limit, counted per key (an
// app key; an app key and an api-id): calendar seconds, or with strict a
// sliding second (slideAdmit). Neither broker publishes its algorithm.
// Refused requests do not spend a window. The owner's lock guards it.
type rateWindows struct {
	limit  int // ≤ 0: no limit
	strict bool
	sec    map[string]rateWindow
	slide  map[string][]time.Time
}

type rateWindow struct {
	sec int64
	n   int
}

// admit reports whether a request under key arriving at now is within the
// limit, and counts it when it is.
func (rw *rateWindows) admit(key string, now time.Time) bool {
	switch {
	case rw.limit <= 0:
		return true
	case rw.strict:
		if rw.slide == nil {
			rw.slide = map[string][]time.Time{}
		}
		return slideAdmit(rw.slide, key, now, rw.limit)
	}
	if rw.sec == nil {
		rw.sec = map[string]rateWindow{}
	}
	win := rw.sec[key]
	if s := now.Unix(); win.sec != s {
		win = rateWindow{sec: s}
	}
	if win.n >= rw.limit {
		return false
	}
	win.n++
	rw.sec[key] = win
	return true
}

// slideAdmit is the strict sliding window: it admits a request arriving at
// now when fewer than limit requests under key were admitted in
// [now-1s, now], and records it. Refused requests are not recorded (a
// refusal does not spend the window).
func slideAdmit(m map[string][]time.Time, key string, now time.Time, limit int) bool {
	times := m[key]
	keep := times[:0]
	for _, t := range times {
		if now.Sub(t) <= time.Second {
			keep = append(keep, t)
		}
	}
	if len(keep) >= limit {
		m[key] = keep
		return false
	}
	m[key] = append(keep, now)
	return true
}

//go:build unix

package reliability

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fault is a way the broker's order call can go wrong on the wire. The
// proxy in front of the fake plays it on the next order request, so the
// same attack meets both brokers' clients.
type fault string

const (
	faultTimeout     fault = "timeout"      // the order reaches the broker; the answer never comes back in time
	faultResetBefore fault = "reset-before" // the connection drops before the broker sees the request
	faultResetAfter  fault = "reset-after"  // the broker takes the order, then the connection drops
	fault502         fault = "html-502"     // the broker takes the order; a gateway answers 502 with an HTML page
	faultTruncated   fault = "truncated"    // the broker's answer is cut off half way
	faultGarbage     fault = "garbage"      // 200 with bytes that are not JSON
	faultDrip        fault = "drip"         // the answer arrives a byte at a time, slower than hoga's timeout
	faultHuge        fault = "huge"         // the answer is 64 MiB
	faultToken       fault = "token-expiry" // the access token expires just before the order
)

var allFaults = []fault{faultTimeout, faultResetBefore, faultResetAfter, fault502, faultTruncated, faultGarbage, faultDrip, faultHuge, faultToken}

// faultProxy forwards to the fake and plays queued faults on order calls.
type faultProxy struct {
	t      *testing.T
	target string
	broker string
	srv    *httptest.Server

	mu     sync.Mutex
	queue  []fault
	played []fault
}

func newFaultProxy(t *testing.T, target, brokerName string) *faultProxy {
	p := &faultProxy{t: t, target: target, broker: brokerName}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *faultProxy) URL() string { return p.srv.URL }

// inject plays f on the next order call.
func (p *faultProxy) inject(f fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue = append(p.queue, f)
}

// pending reports whether a queued fault is still unplayed.
func (p *faultProxy) pending() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queue) > 0
}

// isOrder reports whether r places an order: KIS order-cash, Kiwoom
// kt10000/kt10001 (buy/sell) on /api/dostk/ordr.
func (p *faultProxy) isOrder(r *http.Request) bool {
	if p.broker == "kis" {
		return strings.HasSuffix(r.URL.Path, "/trading/order-cash")
	}
	id := r.Header.Get("api-id")
	return r.URL.Path == "/api/dostk/ordr" && (id == "kt10000" || id == "kt10001")
}

func (p *faultProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var f fault
	if p.isOrder(r) {
		p.mu.Lock()
		if len(p.queue) > 0 {
			f, p.queue = p.queue[0], p.queue[1:]
			p.played = append(p.played, f)
		}
		p.mu.Unlock()
	}
	switch f {
	case faultResetBefore:
		reset(w)
		return
	}
	status, hdr, answer, err := p.forward(r, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	switch f {
	case "":
		copyHeader(w.Header(), hdr)
		w.WriteHeader(status)
		w.Write(answer)
	case faultTimeout:
		// Hold the answer until hoga gives up (HOGA_BROKER_TIMEOUT).
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	case faultResetAfter:
		reset(w)
	case fault502:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n")
	case faultTruncated:
		hj, ok := w.(http.Hijacker)
		if !ok {
			reset(w)
			return
		}
		conn, buf, err := hj.Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: " + strconv.Itoa(len(answer)) + "\r\n\r\n")
		buf.Write(answer[:len(answer)/2])
		buf.Flush()
	case faultGarbage:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("\x00\xff{{{ not json \x1b[31m"))
	case faultDrip:
		copyHeader(w.Header(), hdr)
		w.WriteHeader(status)
		fl, _ := w.(http.Flusher)
		for i := 0; i < len(answer); i++ {
			if _, err := w.Write(answer[i : i+1]); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			case <-time.After(300 * time.Millisecond):
			}
		}
	case faultHuge:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(answer[:len(answer)-1]) // the real answer, then a huge value
		w.Write([]byte(`,"padding":"`))
		chunk := bytes.Repeat([]byte("A"), 1<<20)
		for i := 0; i < 64; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		w.Write([]byte(`"}`))
	case faultToken:
		// Played by the test (fake.ExpireTokens) before the order; the
		// call itself goes through.
		copyHeader(w.Header(), hdr)
		w.WriteHeader(status)
		w.Write(answer)
	}
}

func (p *faultProxy) forward(r *http.Request, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequest(r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		if k == "Content-Length" {
			continue
		}
		dst[k] = v
	}
}

// reset closes the connection without an answer.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	conn.Close()
}

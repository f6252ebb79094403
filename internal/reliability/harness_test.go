//go:build unix

package reliability

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // reads the journal the way an owner's sqlite3 would

	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
)

var (
	enabled   = flag.Bool("reliability", false, "run the reliability suite (builds hoga and drives it as a process)")
	kills     = flag.Int("kills", 20, "SIGKILLs in TestKillLoop, spread over the broker setups")
	seed      = flag.Int64("seed", 20, "seed of the kill moments and the order stream")
	debugLogs = flag.Bool("debug-logs", false, "run hoga with HOGA_LOG_LEVEL=debug (failures quote its log)")
	matrix    = flag.String("matrix", "short", "fault matrix: short (one fault of each kind per broker) or full (each fault for each broker and mode)")
)

// hogaBin is the binary TestMain builds, "" when the suite is off.
var hogaBin string

func TestMain(m *testing.M) {
	flag.Parse()
	if !*enabled {
		os.Exit(m.Run()) // every test skips
	}
	dir, err := os.MkdirTemp("", "hoga-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hogaBin = filepath.Join(dir, "hoga")
	build := exec.Command("go", "build", "-o", hogaBin, "github.com/hoga-trade/hoga/cmd/hoga")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building hoga:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func need(t *testing.T) {
	t.Helper()
	if !*enabled {
		t.Skip("the reliability suite runs with -reliability (see RELIABILITY.md)")
	}
}

// setup is one broker and mode hoga is attacked in.
type setup struct {
	broker string // kis or kiwoom
	mode   string // mock or live
}

func (s setup) String() string { return s.broker + "-" + s.mode }

var setups = []setup{{"kis", "mock"}, {"kiwoom", "mock"}, {"kis", "live"}, {"kiwoom", "live"}}

// orderCode is the stock every attack orders: each intent has its own
// quantity, so the fake's orders say which intent each one carries out.
const (
	orderCode  = "035720"
	orderPrice = 41_000
	ownerID    = 111
	httpToken  = "reliability-suite-token-0123456789"
	tgToken    = "7000000001:RELIABILITY"
)

// stocks is the fakes' market: the listed table (the readiness probe
// quotes from it) with the order stock set just above its order price, so
// every intent rests open. The loop must not hang on the table's price:
// when the fakes took paper's prices (47432cd) 035720 moved and every
// order was refused, so the loop tested nothing.
func stocks() []brokertest.Stock {
	out := brokertest.ListedStocks()
	for i := range out {
		if out[i].Code == orderCode {
			out[i].Price, out[i].PrevClose = 42_000, 42_000
		}
	}
	return out
}

// world is what outlives a hoga process: the broker fake (the exchange),
// the fault proxy in front of it, the Telegram fake and the data directory.
type world struct {
	t     *testing.T
	setup setup
	dir   string
	kis   *brokertest.KISFake
	kw    *brokertest.KiwoomFake
	proxy *faultProxy
	tg    *telegramtest.Server
	extra []string // more environment for hoga
	wrap  []string // a command hoga runs under (prlimit …), nil for none
	cred  *syscall.Credential

	stopPress chan struct{}
	pressDone chan struct{}
}

func newWorld(t *testing.T, s setup, extra ...string) *world {
	t.Helper()
	w := &world{t: t, setup: s, dir: filepath.Join(t.TempDir(), "data"), extra: extra}
	const cash = 10_000_000_000_000
	var target string
	switch s.broker {
	case "kis":
		// Mock: no rate limit (hoga's 1.8/s would make the loop crawl);
		// live keeps KIS's 20/s, which hoga's default 18/s pacing meets.
		rl := -1
		if s.mode == "live" {
			rl = 0
		}
		f, err := brokertest.NewKISServer(brokertest.KISFakeOptions{Mode: s.mode, Cash: cash, IssueGap: -1, RateLimit: rl, Stocks: stocks()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(f.Close)
		w.kis, target = f, f.URL()
	case "kiwoom":
		f := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{Mode: s.mode, Cash: cash, Stocks: stocks()})
		t.Cleanup(f.Close)
		w.kw, target = f, f.URL()
	}
	w.proxy = newFaultProxy(t, target, s.broker)
	if s.mode == "live" {
		w.tg = telegramtest.Start(telegramtest.Config{Token: tgToken})
		t.Cleanup(w.tg.Close)
		w.stopPress, w.pressDone = make(chan struct{}), make(chan struct{})
		go w.pressConfirmations()
		t.Cleanup(func() { close(w.stopPress); <-w.pressDone })
	}
	return w
}

// pressConfirmations is the owner on the phone: every live order's
// [확인] is pressed as soon as it appears (once; a stale prompt after a
// restart answers that it expired, as it should).
func (w *world) pressConfirmations() {
	defer close(w.pressDone)
	pressed := map[int]bool{}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-w.stopPress:
			return
		case <-tick.C:
		}
		for _, m := range w.tg.BotMessages(ownerID) {
			if pressed[m.MessageID] {
				continue
			}
			for _, b := range m.Buttons() {
				if b.Text == "확인" {
					pressed[m.MessageID] = true
					_, _ = w.tg.PressButton(ownerID, ownerID, m.MessageID, "확인")
				}
			}
		}
	}
}

// env is hoga's environment in this world.
func (w *world) env(httpAddr string) []string {
	e := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + w.dir, "TZ=UTC",
		"HOGA_BROKER=" + w.setup.broker, "HOGA_MODE=" + w.setup.mode,
		"HOGA_DATA_DIR=" + w.dir, "HOGA_MARKET_HOURS=always",
		"HOGA_HTTP_ADDR=" + httpAddr, "HOGA_HTTP_TOKEN=" + httpToken,
		"HOGA_MAX_ORDER_KRW=1000000000000", "HOGA_MAX_DAILY_ORDERS=1000000",
		"HOGA_BROKER_TIMEOUT=2s", "HOGA_LOG_LEVEL=info", "HOGA_LOG_FORMAT=json",
	}
	switch w.setup.broker {
	case "kis":
		key, secret, account := w.kis.Credentials()
		e = append(e, "HOGA_KIS_APP_KEY="+key, "HOGA_KIS_APP_SECRET="+secret, "HOGA_KIS_ACCOUNT="+account,
			"HOGA_KIS_BASE_URL="+w.proxy.URL())
		if w.setup.mode == "mock" {
			e = append(e, "HOGA_KIS_RPS=500")
		}
	case "kiwoom":
		key, secret, _ := w.kw.Credentials()
		e = append(e, "HOGA_KIWOOM_APP_KEY="+key, "HOGA_KIWOOM_SECRET_KEY="+secret, "HOGA_KIWOOM_BASE_URL="+w.proxy.URL())
	}
	if w.tg != nil {
		e = append(e, "HOGA_TELEGRAM_TOKEN="+tgToken, "HOGA_TELEGRAM_API_URL="+w.tg.URL,
			fmt.Sprintf("HOGA_TELEGRAM_ALLOWED_USERS=%d", ownerID))
	}
	if *debugLogs {
		e = append(e, "HOGA_LOG_LEVEL=debug") // a slow restart's log then shows each broker request
	}
	return append(e, w.extra...)
}

// fakeOrder is an order the broker fake holds, in either fake's terms.
type fakeOrder struct {
	No  string
	Qty int64
}

// brokerOrders lists the buy orders the fake holds for orderCode.
func (w *world) brokerOrders() []fakeOrder {
	var out []fakeOrder
	if w.kis != nil {
		for _, o := range w.kis.Orders() {
			if o.CancelOf == "" && o.Code == orderCode {
				out = append(out, fakeOrder{o.ODNO, o.Qty})
			}
		}
	} else {
		for _, o := range w.kw.Orders() {
			if !o.Cancel && o.Code == orderCode {
				out = append(out, fakeOrder{o.No, o.Qty})
			}
		}
	}
	return out
}

// hoga is one running hoga process.
type hoga struct {
	w      *world
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port
	log    *bytes.Buffer
	exited chan struct{}
	err    error
	ready  time.Duration // exec to the first 200 from /readyz
	t0     time.Time     // the exec
}

// lockedBuffer is a bytes.Buffer safe for the exec copier and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs hoga and waits until /readyz answers 200 (or it exits).
func (w *world) start() (*hoga, *lockedBuffer) {
	w.t.Helper()
	for attempt := 0; ; attempt++ {
		h, logs, t0 := w.launch()
		if h.waitReady(t0, logs, attempt < 3) {
			h.t0 = t0
			return h, logs
		}
		// The free port freeAddr found was taken before hoga bound it
		// (other tests run on this machine): a new port, not a finding.
	}
}

// launch runs hoga without waiting for it.
func (w *world) launch() (*hoga, *lockedBuffer, time.Time) {
	w.t.Helper()
	addr := freeAddr(w.t)
	logs := &lockedBuffer{}
	h := &hoga{w: w, base: "http://" + addr, exited: make(chan struct{})}
	h.cmd = exec.Command(hogaBin)
	if len(w.wrap) > 0 {
		h.cmd = exec.Command(w.wrap[0], append(w.wrap[1:], hogaBin)...)
	}
	if w.cred != nil {
		h.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: w.cred}
	}
	h.cmd.Env = w.env(addr)
	h.cmd.Dir = filepath.Dir(w.dir)
	h.cmd.Stdout, h.cmd.Stderr = logs, logs
	t0 := time.Now()
	if err := h.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	go func() { h.err = h.cmd.Wait(); close(h.exited) }()
	return h, logs, t0
}

// waitReady polls /readyz until it answers 200 and records the time from
// t0 (the exec). It returns false when hoga could not bind its port and
// retry allows another launch.
func (h *hoga) waitReady(t0 time.Time, logs *lockedBuffer, retry bool) bool {
	w := h.w
	w.t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-h.exited:
			if retry && strings.Contains(logs.String(), "address already in use") {
				return false
			}
			w.t.Fatalf("hoga (%s) exited before it was ready: %v\n%s", w.setup, h.err, tail(logs.String()))
		default:
		}
		resp, err := client.Get(h.base + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				h.ready = time.Since(t0)
				return true
			}
		}
		if time.Now().After(deadline) {
			h.kill()
			w.t.Fatalf("hoga (%s) not ready after 30 s\n%s", w.setup, tail(logs.String()))
		}
		time.Sleep(5 * time.Millisecond) // polling a process from outside: nothing to wait on
	}
}

// kill is SIGKILL: no shutdown, no deferred writes.
func (h *hoga) kill() {
	_ = h.cmd.Process.Signal(syscall.SIGKILL)
	<-h.exited
}

// stop is SIGTERM, the graceful stop, for the end of a test.
func (h *hoga) stop() {
	_ = h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-h.exited:
	case <-time.After(20 * time.Second):
		h.kill()
	}
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// outcome is what the HTTP client last heard about an intent.
type outcome int

const (
	outNone      outcome = iota // nothing final yet: retry with the same key
	outPlaced                   // 201, or 200 with an accepted state
	outUnknown                  // 202 unknown: hoga is reconciling
	outRejected                 // a final refusal
	outRetryable                // a refusal a retry may pass (rate limit, transient)
)

// apiOrder is the part of the HTTP API's answer the suite reads.
type apiOrder struct {
	ID       string `json:"id"`
	ClientID string `json:"client_id"`
	State    string `json:"state"`
	Qty      int64  `json:"qty"`
	Error    *struct {
		Kind    string `json:"kind"`
		Message string `json:"message"`
	} `json:"error"`
}

// post sends intent qty under key and reads the answer; err is a transport
// failure (hoga gone or going).
func (h *hoga) post(ctx context.Context, key string, qty int64) (outcome, apiOrder, error) {
	body := fmt.Sprintf(`{"code":%q,"side":"buy","type":"limit","qty":%d,"price":%d}`, orderCode, qty, orderPrice)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+"/orders", strings.NewReader(body))
	if err != nil {
		return outNone, apiOrder{}, err
	}
	req.Header.Set("Authorization", "Bearer "+httpToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return outNone, apiOrder{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return outNone, apiOrder{}, err
	}
	var o apiOrder
	var env struct {
		Error *struct {
			Kind    string `json:"kind"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &o)
	_ = json.Unmarshal(b, &env)
	switch {
	case resp.StatusCode == http.StatusCreated:
		return outPlaced, o, nil
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusAccepted:
		switch o.State {
		case "accepted", "partial", "filled", "cancelled":
			return outPlaced, o, nil
		case "unknown":
			return outUnknown, o, nil
		case "rejected", "expired", "declined":
			return outRejected, o, nil
		}
		return outNone, o, nil // awaiting the owner's press
	case resp.StatusCode == http.StatusConflict || resp.StatusCode == http.StatusTooManyRequests:
		return outRetryable, o, nil
	}
	if env.Error != nil {
		switch env.Error.Kind {
		case broker.RateLimited.String(), broker.Transient.String():
			return outRetryable, o, nil
		}
		o.Error = env.Error
	}
	return outRejected, o, nil
}

// journalRow is one row of the journal as the suite reads it.
type journalRow struct {
	ClientID, State, BrokerID, ErrCode, Note string
	Qty                                      int64
}

// journal reads every order row straight from hoga.db, read-only, the
// way an owner would with sqlite3 (hoga may be running or dead).
func (w *world) journal() []journalRow {
	w.t.Helper()
	path := filepath.Join(w.dir, "hoga.db")
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT client_id, state, broker_id, err_code, note, qty FROM orders WHERE code = ? ORDER BY id", orderCode)
	if err != nil {
		w.t.Fatalf("reading the journal: %v", err)
	}
	defer rows.Close()
	var out []journalRow
	for rows.Next() {
		var r journalRow
		if err := rows.Scan(&r.ClientID, &r.State, &r.BrokerID, &r.ErrCode, &r.Note, &r.Qty); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	return out
}

// verdict is the comparison of the fake's orders with the journal.
type verdict struct {
	Duplicates  []string // intents (quantities) the broker has more than once
	Lost        []string // broker orders with no journal row
	Phantom     []string // rows saying the broker took an order it does not have
	NeverPlaced []string // "never placed" verdicts for orders the broker has
}

func (v verdict) bad() bool {
	return len(v.Duplicates)+len(v.Lost)+len(v.Phantom)+len(v.NeverPlaced) > 0
}

// compare checks the promises: no intent twice at the broker, every broker
// order journaled, every row that says the broker took it matched at the
// broker, and no "never placed" for an order the broker has.
func (w *world) compare() verdict {
	var v verdict
	orders := w.brokerOrders()
	rows := w.journal()
	byQty := map[int64][]fakeOrder{}
	byNo := map[string]fakeOrder{}
	for _, o := range orders {
		byQty[o.Qty] = append(byQty[o.Qty], o)
		byNo[o.No] = o
	}
	rowsByQty := map[int64][]journalRow{}
	for _, r := range rows {
		rowsByQty[r.Qty] = append(rowsByQty[r.Qty], r)
	}
	for qty, os := range byQty {
		if len(os) > 1 {
			v.Duplicates = append(v.Duplicates, fmt.Sprintf("qty %d: %d broker orders", qty, len(os)))
		}
		if len(rowsByQty[qty]) == 0 {
			v.Lost = append(v.Lost, fmt.Sprintf("qty %d (broker %s)", qty, os[0].No))
		}
		for _, r := range rowsByQty[qty] {
			if r.State == string(broker.StatusRejected) && r.ErrCode == "not_at_broker" {
				v.NeverPlaced = append(v.NeverPlaced, fmt.Sprintf("qty %d row %s", qty, r.ClientID))
			}
		}
	}
	for _, r := range rows {
		if r.BrokerID == "" {
			continue
		}
		if o, ok := byNo[r.BrokerID]; !ok || o.Qty != r.Qty {
			v.Phantom = append(v.Phantom, fmt.Sprintf("row %s (qty %d) says broker order %s", r.ClientID, r.Qty, r.BrokerID))
		}
	}
	sort.Strings(v.Duplicates)
	sort.Strings(v.Lost)
	return v
}

var errStopped = errors.New("stopped")

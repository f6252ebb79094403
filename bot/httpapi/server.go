package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
	"github.com/hoga-trade/hoga/metrics"
)

// Defaults for zero Config fields.
const (
	DefaultConfirmTTL        = 60 * time.Second
	DefaultConfirmGrace      = 10 * time.Second
	DefaultReadyCode         = broker.Code("005930")
	DefaultReadyTimeout      = 3 * time.Second
	DefaultReadyCacheTTL     = 5 * time.Second
	DefaultMaxBodyBytes      = 4 << 10
	DefaultOrderTimeout      = 30 * time.Second
	DefaultShutdownTimeout   = 10 * time.Second
	DefaultIdempotencyTTL    = 24 * time.Hour
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 15 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	// DefaultMaxAwaiting bounds the orders awaiting confirmation at once.
	DefaultMaxAwaiting = 50
)

// MinTokenLen is the shortest bearer token New accepts. The token is all
// that stands between the network and the account; `openssl rand -hex 32`
// makes a good one.
const MinTokenLen = 16

// OrderLookup finds journaled orders for GET /orders/{id} and for
// idempotency keys. The guard (broker/guard's *Guard) implements it with
// its own replay semantics; both methods return a broker.NotFound error
// when hoga never journaled the order.
type OrderLookup interface {
	OrderByClientID(ctx context.Context, clientID string) (broker.JournalEntry, error)
	// OrderByBrokerID finds the row the broker numbered brokerID on day's
	// KST date (brokers restart their numbering daily).
	OrderByBrokerID(ctx context.Context, day time.Time, brokerID string) (broker.JournalEntry, error)
}

// Confirmer asks the owner to confirm a live order (buttons in Telegram),
// after the guard's dry run. req carries the ClientID the order will be
// journaled under once confirmed, which is how GET /orders/{id} learns the
// outcome. An error means nobody was asked; it is the refusal (Halted,
// MarketClosed, …) and is answered with its kind's status. bot.Confirmer
// implements it with the chat router and the alert feed.
type Confirmer interface {
	AskConfirm(ctx context.Context, req broker.OrderRequest) error
}

// ReadyCheck is one dependency /readyz reports on.
type ReadyCheck struct {
	// Name labels the check in the JSON ("token", "store").
	Name string
	// Check returns nil when the dependency is usable. It gets a context
	// bounded by Config.ReadyTimeout.
	Check func(ctx context.Context) error
}

// Config configures New. Zero values take the defaults noted.
type Config struct {
	// Addr is where to listen, host:port (HOGA_HTTP_ADDR). With no host
	// (":8080") it listens on 127.0.0.1 only. A non-loopback host needs
	// a Token. Required.
	Addr string
	// Token is the bearer token for every route but /healthz, /readyz and
	// /metrics (HOGA_HTTP_TOKEN), at least MinTokenLen bytes. Empty turns
	// the control routes off (403) and is allowed on loopback only.
	Token redact.Secret

	// Broker is the guarded broker (broker/guard): every order takes the
	// same checked, journaled, idempotent path as from the chat. Required.
	Broker broker.Broker
	// Orders is the guard's view of its journal, for GET /orders/{id} by
	// client order id, and for the outcome of a confirmed live order.
	// Required when Live; without it GET /orders/{id} searches only the
	// broker's list of today's orders.
	Orders OrderLookup
	// Router supplies the error sentences (the chat's, in its language).
	// Optional: without it messages are the broker's own, and Korean
	// is the language of the HTTP layer's own messages.
	Router *bot.Router

	// Exits are the protective exits (strategy/exits.Book) for GET, POST
	// and DELETE /exits; nil answers those routes 404.
	Exits ExitBook
	// PnL computes P&L for GET /profit, /daily and /performance (the
	// chat's source); nil answers those routes 404.
	PnL PnLSource

	// Live makes POST /orders ask the owner instead of placing the order:
	// set it exactly when the chat asks for confirmation (HOGA_MODE=live
	// or HOGA_CONFIRM=always).
	Live bool
	// Confirmer asks the owner. Required when Live.
	Confirmer Confirmer
	// ConfirmTTL is how long a confirmation stays pressable; use the
	// router's (HOGA_CONFIRM_TTL). Default DefaultConfirmTTL.
	ConfirmTTL time.Duration
	// ConfirmGrace is how long after ConfirmTTL an unanswered order is
	// still shown as awaiting_confirmation instead of expired, covering a
	// press at the last moment whose journal row is not written yet.
	// Default DefaultConfirmGrace.
	ConfirmGrace time.Duration
	// MaxAwaiting bounds the live orders awaiting confirmation at once;
	// more are refused with 429. Default DefaultMaxAwaiting.
	MaxAwaiting int

	// Ready lists extra /readyz checks (token valid, store writable). The
	// broker is always checked with a quote of ReadyCode.
	Ready []ReadyCheck
	// ReadyCode is the stock quoted to check the broker. Default 005930.
	ReadyCode broker.Code
	// ReadyTimeout bounds each readiness check. Default 3s.
	ReadyTimeout time.Duration
	// ReadyCacheTTL is how long a readiness result is reused, so frequent
	// probes cannot spend the broker's rate limit. Default 5s.
	ReadyCacheTTL time.Duration

	// Metrics receives per-route request counts and serves /metrics.
	// Optional: without it /metrics answers 404.
	Metrics *metrics.Metrics
	// Logger receives request and auth-failure logs; nil discards. The
	// Authorization header is never logged.
	Logger *slog.Logger
	// Clock drives confirmation expiry, idempotency retention and the
	// readiness cache; nil is the wall clock.
	Clock clock.Clock

	// MaxBodyBytes limits a request body. Default 4 KiB.
	MaxBodyBytes int64
	// OrderTimeout bounds placing one order. The order runs to its end
	// even if the client hangs up, so a dropped connection never turns an
	// order into an unknown outcome. Default 30s.
	OrderTimeout time.Duration
	// IdempotencyTTL is how long an Idempotency-Key is remembered in
	// memory (the journal remembers the order itself for good). Default
	// 24h.
	IdempotencyTTL time.Duration
	// ShutdownTimeout bounds the graceful shutdown: requests in flight,
	// an order above all, get this long to finish. Default 10s.
	ShutdownTimeout time.Duration
	// Server timeouts. WriteTimeout defaults to OrderTimeout + 10s so an
	// order's answer is never cut off.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

// Server is the HTTP control API. Create it with New; Run serves until
// its context ends.
type Server struct {
	cfg       Config
	addr      string
	lang      bot.Lang
	log       *slog.Logger
	clock     clock.Clock
	tokenHash [sha256.Size]byte
	handler   http.Handler
	book      *book
	ready     *readiness

	mu sync.Mutex
	ln net.Listener
	// onShutdown, for tests, runs when graceful shutdown begins.
	onShutdown func()
}

// New checks cfg and builds the server; nothing listens until Listen or
// Run. It refuses a non-loopback address without a token.
func New(cfg Config) (*Server, error) {
	if cfg.Broker == nil {
		return nil, errors.New("httpapi: Config.Broker is required")
	}
	addr, err := CheckListen(cfg.Addr, cfg.Token.Reveal())
	if err != nil {
		return nil, err
	}
	if cfg.Live && cfg.Confirmer == nil {
		return nil, errors.New("httpapi: Config.Confirmer is required when Live")
	}
	if cfg.Live && cfg.Orders == nil {
		return nil, errors.New("httpapi: Config.Orders (the journal) is required when Live, to learn what became of a confirmation")
	}
	for _, c := range cfg.Ready {
		if c.Name == "" || c.Check == nil || c.Name == "broker" {
			return nil, fmt.Errorf("httpapi: ready check %q needs a name (not \"broker\") and a func", c.Name)
		}
	}
	setDur := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	setDur(&cfg.ConfirmTTL, DefaultConfirmTTL)
	setDur(&cfg.ConfirmGrace, DefaultConfirmGrace)
	setDur(&cfg.ReadyTimeout, DefaultReadyTimeout)
	setDur(&cfg.ReadyCacheTTL, DefaultReadyCacheTTL)
	setDur(&cfg.OrderTimeout, DefaultOrderTimeout)
	setDur(&cfg.IdempotencyTTL, DefaultIdempotencyTTL)
	setDur(&cfg.ShutdownTimeout, DefaultShutdownTimeout)
	setDur(&cfg.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	setDur(&cfg.ReadTimeout, DefaultReadTimeout)
	setDur(&cfg.WriteTimeout, cfg.OrderTimeout+10*time.Second)
	setDur(&cfg.IdleTimeout, DefaultIdleTimeout)
	if cfg.ReadyCode == "" {
		cfg.ReadyCode = DefaultReadyCode
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxAwaiting <= 0 {
		cfg.MaxAwaiting = DefaultMaxAwaiting
	}
	s := &Server{cfg: cfg, addr: addr, lang: bot.Korean, log: cfg.Logger, clock: clock.Or(cfg.Clock)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Router != nil {
		s.lang = cfg.Router.Lang()
	}
	if cfg.Token != "" {
		s.tokenHash = sha256.Sum256([]byte(cfg.Token.Reveal()))
	}
	s.book = newBook(s.clock, cfg.IdempotencyTTL)
	s.ready = &readiness{}
	s.handler = s.routes()
	return s, nil
}

// listenAddr fills in 127.0.0.1 for a missing host and reports whether
// the host is a loopback one. A host name other than localhost counts as
// non-loopback: it may resolve to anything.
// CheckListen is New's check of the listen address and token, exported so
// that start-up's settings check and `hoga check` refuse exactly what New
// would (issue 12.11): a malformed address or port, a port outside
// 0–65535, a non-loopback address without a token, a token shorter than
// MinTokenLen or with spaces. It returns the address New listens on.
func CheckListen(addr, token string) (string, error) {
	a, loopback, err := listenAddr(addr)
	if err != nil {
		return "", err
	}
	if token == "" && !loopback {
		return "", &listenError{ErrNoToken, fmt.Sprintf("httpapi: refusing to listen on %s without HOGA_HTTP_TOKEN: anyone who can reach it could trade; set a token or listen on 127.0.0.1", a)}
	}
	if token != "" && len(token) < MinTokenLen {
		return "", &listenError{ErrShortToken, fmt.Sprintf("httpapi: HOGA_HTTP_TOKEN must be at least %d characters (try: openssl rand -hex 32)", MinTokenLen)}
	}
	if strings.ContainsAny(token, " \t\r\n") {
		return "", &listenError{ErrTokenSpaces, "httpapi: HOGA_HTTP_TOKEN must not contain spaces"}
	}
	return a, nil
}

// CheckListen's refusals, one per rule, so that hoga's start-up can say
// each in the owner's language (issue 12, item 12): the error's own text
// stays English, for logs.
var (
	ErrAddr        = errors.New("listen address is not host:port")
	ErrNoPort      = errors.New("listen address has no port")
	ErrPortRange   = errors.New("port is not 0–65535")
	ErrPortName    = errors.New("port is not a number")
	ErrNoToken     = errors.New("non-loopback address without a token")
	ErrShortToken  = errors.New("token too short")
	ErrTokenSpaces = errors.New("token contains spaces")
)

// listenError is one of CheckListen's refusals: its sentence, and the
// rule it broke for errors.Is.
type listenError struct {
	rule error
	msg  string
}

func (e *listenError) Error() string { return e.msg }
func (e *listenError) Unwrap() error { return e.rule }

func listenAddr(addr string) (string, bool, error) {
	host, port, err := net.SplitHostPort(strings.TrimSpace(addr))
	if err != nil {
		return "", false, &listenError{ErrAddr, fmt.Sprintf("httpapi: listen address %q must be host:port or :port: %v", addr, err)}
	}
	if port == "" {
		return "", false, &listenError{ErrNoPort, fmt.Sprintf("httpapi: listen address %q has no port", addr)}
	}
	// A port is 0–65535 (0: any free port); a name ("http") is looked up
	// locally, as net.Listen would.
	if n, err := strconv.Atoi(port); err == nil {
		if n < 0 || n > 65535 {
			return "", false, &listenError{ErrPortRange, fmt.Sprintf("httpapi: listen address %q: port %d is not 0–65535", addr, n)}
		}
	} else if _, err := net.LookupPort("tcp", port); err != nil {
		return "", false, &listenError{ErrPortName, fmt.Sprintf("httpapi: listen address %q: port %q is not a number", addr, port)}
	}
	if host == "" {
		host = "127.0.0.1"
	}
	loopback := strings.EqualFold(host, "localhost")
	if ip := net.ParseIP(host); ip != nil {
		loopback = ip.IsLoopback()
	}
	return net.JoinHostPort(host, port), loopback, nil
}

// routes registers every route in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	if s.cfg.Metrics != nil {
		mux.Handle("GET /metrics", s.cfg.Metrics.Handler())
	}
	mux.Handle("GET /price/{code}", s.auth(s.handlePrice))
	mux.Handle("GET /balance", s.auth(s.handleBalance))
	mux.Handle("GET /chart/{code}", s.auth(s.handleChart))
	mux.Handle("GET /orders", s.auth(s.handleOrders))
	mux.Handle("GET /orders/{id}", s.auth(s.handleOrder))
	mux.Handle("POST /orders", s.auth(s.handlePlace))
	mux.Handle("GET /exits", s.auth(s.handleExits))
	mux.Handle("POST /exits", s.auth(s.handlePutExit))
	mux.Handle("DELETE /exits/{code}", s.auth(s.handleDeleteExit))
	mux.Handle("DELETE /exits/{code}/{kind}", s.auth(s.handleDeleteExit))
	mux.Handle("GET /profit", s.auth(s.handleProfit))
	mux.Handle("GET /daily", s.auth(s.handleDaily))
	mux.Handle("GET /performance", s.auth(s.handlePerformance))
	return s.observe(s.jsonFallback(mux))
}

// Handler is the whole API as an http.Handler, for tests and for mounting
// under another server.
func (s *Server) Handler() http.Handler { return s.handler }

// Addr is the configured listen address (with 127.0.0.1 filled in); after
// Listen, the actual one (a real port for ":0").
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return s.ln.Addr().String()
	}
	return s.addr
}

// Listen binds the address now, so that a port in use fails start-up
// before anything else runs. Run calls it if it has not been called.
func (s *Server) Listen() (net.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return s.ln.Addr(), nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	s.ln = ln
	return ln.Addr(), nil
}

// Run serves until ctx ends, then shuts down gracefully: it stops
// accepting, lets requests in flight (an order above all) finish within
// ShutdownTimeout, and returns nil. It returns an error if listening or
// serving fails. Run may be called once.
func (s *Server) Run(ctx context.Context) error {
	if _, err := s.Listen(); err != nil {
		return err
	}
	s.mu.Lock()
	ln := s.ln
	onShutdown := s.onShutdown
	s.mu.Unlock()

	// Requests get a context that outlives ctx, so shutdown does not
	// cancel them half-way; it is cancelled when the server is torn down.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if onShutdown != nil {
		srv.RegisterOnShutdown(onShutdown)
	}
	s.log.Info("HTTP API listening", "addr", ln.Addr().String(), "auth", s.cfg.Token != "", "live", s.cfg.Live)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("httpapi: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		s.log.Warn("HTTP API shutdown timed out; closing connections", "err", err)
		srv.Close()
	}
	cancelBase()
	<-served // http.ErrServerClosed
	if err != nil {
		return fmt.Errorf("httpapi: shutdown: %w", err)
	}
	s.log.Info("HTTP API stopped")
	return nil
}

// writeJSON writes v with status. Encoding failures can only be bugs in
// this package (the types are plain), so they are logged.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	s.send(w, s.jsonResponse(status, nil, v))
}

// marshal encodes v as one line of JSON without HTML escaping ("<" stays
// "<": the API is not HTML, and the messages mention <HOGA_HTTP_TOKEN>).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeError writes the error envelope.
func (s *Server) writeError(w http.ResponseWriter, status int, body apiError) {
	s.writeJSON(w, status, errorEnvelope{Error: body})
}

// fail answers err through the kind table.
func (s *Server) fail(w http.ResponseWriter, err error) {
	status, h, body := s.brokerError(err)
	for k, v := range h {
		w.Header()[k] = v
	}
	s.writeError(w, status, body)
}

// jsonFallback answers the mux's own 404 and 405 (and panics) as JSON
// errors, and passes its redirects through.
func (s *Server) jsonFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "route", r.Pattern, "panic", v)
				s.writeError(w, http.StatusInternalServerError, apiError{Kind: broker.Internal.String(), Message: s.msg("internal")})
			}
		}()
		if r.RequestURI == "*" || !strings.HasPrefix(r.URL.Path, "/") {
			// `GET *` (an OPTIONS-only form) or a path without its leading
			// slash: the mux would answer a 307 to "/", inviting a client
			// to follow a request that was malformed (issue 20, item 4).
			s.writeError(w, http.StatusBadRequest, apiError{Kind: kindBadTarget, Message: s.msg("route", r.RequestURI)})
			return
		}
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		c := &captureWriter{header: http.Header{}}
		h.ServeHTTP(c, r)
		switch c.status {
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", c.header.Get("Allow"))
			s.writeError(w, c.status, apiError{Kind: kindMethodNotAllowed, Message: s.msg("method", r.Method)})
		case http.StatusNotFound, 0:
			s.writeError(w, http.StatusNotFound, apiError{Kind: kindRouteNotFound, Message: s.msg("route", r.URL.Path)})
		default: // redirects to the cleaned path
			for k, v := range c.header {
				w.Header()[k] = v
			}
			w.WriteHeader(c.status)
		}
	})
}

// captureWriter records what the mux's fallback handler would answer.
type captureWriter struct {
	header http.Header
	status int
}

func (c *captureWriter) Header() http.Header { return c.header }
func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return len(b), nil
}
func (c *captureWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

// observe records each request's route, status and latency in the
// metrics and the debug log.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		d := time.Since(start)
		s.cfg.Metrics.HTTPRequest(route, status, d)
		s.log.Debug("http request", "method", r.Method, "route", route, "status", status, "duration", d, "remote", r.RemoteAddr)
	})
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

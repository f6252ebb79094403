package kiwoom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// WebSocket endpoints: host + /api/dostk/websocket (Kiwoom-REST-API spec,
// "URL" of the realtime entries; shared/broker-api/kiwoom.md §9). The mock
// host is mockapi.kiwoom.com (KRX only).
const (
	LiveWSURL = "wss://api.kiwoom.com:10000"
	MockWSURL = "wss://mockapi.kiwoom.com:10000"
	wsPath    = "/api/dostk/websocket"
	// MaxItems is the registrations hoga keeps on one connection. Kiwoom
	// publishes no limit; about 200 was measured (kiwoom.md §8, UNCONFIRMED),
	// so hoga stays well under it.
	MaxItems = 100
	// tradeGroup and orderGroup are the REG group numbers hoga uses.
	tradeGroup = "1"
	orderGroup = "2"
)

// StreamOptions configures a Stream; zero values take the defaults.
type StreamOptions struct {
	// URL is the WebSocket host; default by the client's mode. The path
	// /api/dostk/websocket is appended.
	URL string
	// Orders registers type 00 (주문체결) for the token's account.
	Orders bool
	// OnTick, OnOrder, OnUp, OnDown, OnAck, OnDecodeError: as in
	// kis.StreamOptions; all run on the read loop and must not block.
	OnTick        func(broker.Tick)
	OnOrder       func(OrderNotice)
	OnUp          func()
	OnDown        func(error)
	OnAck         func(trnm string, code string)
	OnDecodeError func()
	// SilentAfter replaces a session with no frame for this long; default
	// 30s during trading. (Kiwoom PINGs periodically; kiwoom.md §9.)
	SilentAfter time.Duration
	// Active says when silence counts (the trading session); nil is
	// always. As in kis.StreamOptions.
	Active func(time.Time) bool
	// Backoff and MaxBackoff bound reconnect waits; defaults 500ms, 30s.
	Backoff, MaxBackoff time.Duration
	// Limit overrides MaxItems (tests).
	Limit  int
	Clock  clock.Clock
	Logger *slog.Logger
}

// Stream is a Kiwoom realtime session that reconnects by itself.
type Stream struct {
	c    *Client
	o    StreamOptions
	clk  clock.Clock
	log  *slog.Logger
	kick chan struct{}

	mu        sync.Mutex
	want      map[broker.Code]bool
	active    map[broker.Code]bool
	connected bool
	since     time.Time
	retry     time.Time // the next connection attempt while waiting for it
	lastMsg   atomic.Int64
	reconns   atomic.Int64
	login     chan error
}

// NewStream returns a stream that logs in with c's REST token.
func (c *Client) NewStream(o StreamOptions) *Stream {
	if o.URL == "" {
		o.URL = MockWSURL
		if c.mode == ModeLive {
			o.URL = LiveWSURL
		}
	}
	if o.SilentAfter <= 0 {
		o.SilentAfter = 30 * time.Second
	}
	if o.Backoff <= 0 {
		o.Backoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.Limit <= 0 {
		o.Limit = MaxItems
	}
	if o.OnTick == nil {
		o.OnTick = func(broker.Tick) {}
	}
	if o.OnOrder == nil {
		o.OnOrder = func(OrderNotice) {}
	}
	if o.OnUp == nil {
		o.OnUp = func() {}
	}
	if o.OnDown == nil {
		o.OnDown = func(error) {}
	}
	if o.OnAck == nil {
		o.OnAck = func(string, string) {}
	}
	if o.OnDecodeError == nil {
		o.OnDecodeError = func() {}
	}
	clk := c.clk
	if o.Clock != nil {
		clk = o.Clock
	}
	log := o.Logger
	if log == nil {
		log = c.log
	}
	// since: down from now until the first session.
	return &Stream{c: c, o: o, clk: clk, log: log.With("stream", "kiwoom"), kick: make(chan struct{}, 1),
		want: map[broker.Code]bool{}, active: map[broker.Code]bool{}, since: clk.Now()}
}

// Subscribe asks for code's trades (0B).
func (s *Stream) Subscribe(code broker.Code) {
	s.mu.Lock()
	s.want[code] = true
	s.mu.Unlock()
	s.poke()
}

// Unsubscribe drops code.
func (s *Stream) Unsubscribe(code broker.Code) {
	s.mu.Lock()
	delete(s.want, code)
	s.mu.Unlock()
	s.poke()
}

func (s *Stream) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Streaming reports whether code's trades arrive on the stream now.
func (s *Stream) Streaming(code broker.Code) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected && s.active[code]
}

// Status reports the stream for /status.
func (s *Stream) Status() broker.StreamStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := broker.StreamStatus{Connected: s.connected, Since: s.since, Reconnects: s.reconns.Load(), Retry: s.retry}
	if n := s.lastMsg.Load(); n != 0 {
		st.LastMsg = time.Unix(0, n)
	}
	// The room sync would find: the limit, less the codes held and not
	// dropped.
	room := s.o.Limit - len(s.active)
	for c := range s.active {
		if !s.want[c] {
			room++
		}
	}
	var waiting []broker.Code
	for c := range s.want {
		if s.active[c] {
			st.Subscribed = append(st.Subscribed, c)
		} else {
			waiting = append(waiting, c)
		}
	}
	// In sync's order: the codes it would leave out for the limit are
	// polled; the others are on their way.
	sort.Slice(waiting, func(i, j int) bool { return waiting[i] < waiting[j] })
	for _, c := range waiting {
		if room > 0 {
			st.Pending = append(st.Pending, c)
			room--
		} else {
			st.Polled = append(st.Polled, c)
		}
	}
	sort.Slice(st.Subscribed, func(i, j int) bool { return st.Subscribed[i] < st.Subscribed[j] })
	return st
}

// Run keeps a session open until ctx ends, reconnecting with jittered
// backoff and registering everything again.
func (s *Stream) Run(ctx context.Context) error {
	wait := s.o.Backoff
	for {
		up, err := s.session(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.reconns.Add(1)
		s.log.Warn("kiwoom stream: session ended; reconnecting", "err", err)
		if up {
			wait = s.o.Backoff
		}
		d := wait/2 + rand.N(wait/2+1)
		// The timer first, then the time it fires is published: whoever
		// reads Status().Retry can move a fake clock to it. Armed at that
		// instant, so the two agree even if the clock moves in between.
		at := s.clk.Now().Add(d)
		retry := s.clk.Until(at)
		s.mu.Lock()
		s.retry = at
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			retry.Stop()
			return ctx.Err()
		case <-retry.C():
		}
		s.mu.Lock()
		s.retry = time.Time{}
		s.mu.Unlock()
		wait = min(wait*2, s.o.MaxBackoff)
	}
}

var errSilent = errors.New("kiwoom stream: no frame within the silence limit (dead connection)")

func (s *Stream) session(ctx context.Context) (up bool, err error) {
	tok, err := s.c.tokens.Get(ctx)
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	dctx, dcancel := context.WithTimeout(ctx, s.c.timeout)
	conn, _, err := websocket.Dial(dctx, strings.TrimRight(s.o.URL, "/")+wsPath, nil)
	dcancel()
	if err != nil {
		return false, fmt.Errorf("kiwoom stream: connect: %w", err)
	}
	conn.SetReadLimit(1 << 20)
	defer conn.CloseNow()
	s.lastMsg.Store(s.clk.Now().UnixNano())
	login := make(chan error, 1)
	s.mu.Lock()
	s.active, s.login = map[broker.Code]bool{}, login
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.active = map[broker.Code]bool{}
		if s.connected {
			s.since = s.clk.Now()
		}
		s.connected = false
		s.mu.Unlock()
		if up {
			s.o.OnDown(err)
		}
	}()
	readErr := make(chan error, 1)
	go func() { readErr <- s.read(ctx, conn) }()
	// The watchdog runs from the dial: a LOGIN never answered (a dead
	// path that still accepts TCP) is replaced like a silent session.
	look := max(s.o.SilentAfter/30, time.Millisecond) // 1 s by default
	watch := s.clk.NewTicker(look)
	defer watch.Stop()
	// Acting one look early makes the promise exact: a silent session is
	// replaced within SilentAfter (of active time) of its last frame, not
	// up to a look later (issue 15: "detected within 30 s").
	quiet := broker.Silence{Limit: s.o.SilentAfter - look, Active: s.o.Active}
	isSilent := func() bool { return quiet.Exceeded(s.clk.Now(), time.Unix(0, s.lastMsg.Load())) }

	// LOGIN first with the raw token (no "Bearer"), and wait for its
	// answer before any REG (kiwoom.md §9, [WS] _await_login_ack).
	b, _ := json.Marshal(map[string]string{"trnm": TrnmLogin, "token": tok.Reveal()})
	if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
		return false, err
	}
	// An answer lost on the way (the PINGs that follow would keep the
	// session from ever looking silent) ends the attempt after the
	// request timeout.
	// Stopped once answered: a fake clock would count it as a waiter for
	// the whole session.
	loginBy := s.clk.Until(s.clk.Now().Add(s.c.timeout))
	defer loginBy.Stop()
wait:
	for {
		select {
		case <-loginBy.C():
			return false, errors.New("kiwoom stream: LOGIN not answered")
		case err := <-login:
			if err != nil {
				s.c.tokens.Invalidate(tok)
				return false, err
			}
			break wait
		case err := <-readErr:
			return false, err
		case <-ctx.Done():
			return false, ctx.Err()
		case <-watch.C():
			if isSilent() {
				return false, errSilent
			}
		}
	}
	if s.o.Orders {
		if err := conn.Write(ctx, websocket.MessageText, regMessage(TrnmReg, orderGroup, "1", []string{""}, TypeOrder)); err != nil {
			return false, err
		}
	}
	if err := s.sync(ctx, conn); err != nil {
		return false, err
	}
	s.mu.Lock()
	s.connected, s.since = true, s.clk.Now()
	s.mu.Unlock()
	up = true
	s.o.OnUp()
	for {
		select {
		case <-ctx.Done():
			conn.Close(websocket.StatusNormalClosure, "")
			return up, ctx.Err()
		case err := <-readErr:
			return up, err
		case <-s.kick:
			if err := s.sync(ctx, conn); err != nil {
				return up, err
			}
		case <-watch.C():
			if isSilent() {
				return up, errSilent
			}
		}
	}
}

// sync sends REG/REMOVE so the session matches the wanted codes within
// the limit; refresh "1" keeps the group's other registrations.
func (s *Stream) sync(ctx context.Context, conn *websocket.Conn) error {
	s.mu.Lock()
	var add, drop []string
	for c := range s.active {
		if !s.want[c] {
			drop = append(drop, string(c))
			delete(s.active, c)
		}
	}
	var wanted []string
	for c := range s.want {
		if !s.active[c] {
			wanted = append(wanted, string(c))
		}
	}
	sort.Strings(wanted)
	for _, c := range wanted {
		if len(s.active) >= s.o.Limit {
			break
		}
		s.active[broker.Code(c)] = true
		add = append(add, c)
	}
	s.mu.Unlock()
	if len(drop) > 0 {
		if err := conn.Write(ctx, websocket.MessageText, regMessage(TrnmRemove, tradeGroup, "", drop, TypeTrade)); err != nil {
			return err
		}
	}
	if len(add) > 0 {
		if err := conn.Write(ctx, websocket.MessageText, regMessage(TrnmReg, tradeGroup, "1", add, TypeTrade)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Stream) read(ctx context.Context, conn *websocket.Conn) error {
	for {
		_, msg, err := conn.Read(ctx)
		if err != nil {
			return fmt.Errorf("kiwoom stream: read: %w", err)
		}
		now := s.clk.Now()
		s.lastMsg.Store(now.UnixNano())
		m, err := ParseMessage(msg)
		if err != nil {
			s.o.OnDecodeError()
			continue
		}
		switch m.Trnm {
		case TrnmPing:
			// Send the same message back unchanged (kiwoom.md §9; the
			// official tutorial's receive loop).
			if err := conn.Write(ctx, websocket.MessageText, msg); err != nil {
				return err
			}
		case TrnmLogin:
			var lerr error
			if !m.OK() {
				lerr = &broker.Error{Kind: broker.Auth, Code: m.ReturnCode.String(), Msg: "Kiwoom realtime login refused: " + m.ReturnMsg}
			}
			s.mu.Lock()
			ch := s.login
			s.mu.Unlock()
			select {
			case ch <- lerr:
			default:
			}
		case TrnmReg, TrnmRemove:
			s.o.OnAck(m.Trnm, m.ReturnCode.String())
			if !m.OK() {
				s.log.Warn("kiwoom stream: registration refused", "trnm", m.Trnm, "code", m.ReturnCode.String(), "msg", m.ReturnMsg)
			}
		case TrnmReal:
			for _, r := range m.Data {
				switch r.Type {
				case TypeTrade:
					t, err := TradeOf(r)
					if err != nil {
						s.o.OnDecodeError()
						continue
					}
					s.o.OnTick(broker.Tick{Code: t.Code, Price: t.Price, Volume: t.Volume, Received: now})
				case TypeOrder:
					n, err := OrderNoticeOf(r)
					if err != nil {
						s.o.OnDecodeError()
						continue
					}
					s.o.OnOrder(n)
				}
			}
		}
	}
}

package kis

import (
	"context"
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
	"github.com/hoga-trade/hoga/internal/redact"
)

// WebSocket hosts (kis.md §1 and §9; open-trading-api kis_auth.py
// ops/vops and the /tryitout path of KISWebSocket). Plain ws://.
const (
	LiveWSURL = "ws://ops.koreainvestment.com:21000"
	MockWSURL = "ws://ops.koreainvestment.com:31000"
	wsPath    = "/tryitout"
	// MaxSubscriptions is KIS's limit on registrations per app key, the
	// fill-notice registration included: KIS's own coding guide says "1개
	// appkey당 최대 41건 등록" (open-trading-api "MCP/KIS Code Assistant
	// MCP/src/prompts/prompt.py", the WebSocket rule and its "0/41"
	// template). The 40 of the official samples counts something else:
	// examples_llm/kis_auth.py KISWebSocket.__runner checks
	// len(open_map.keys()) > 40, and open_map is keyed by request
	// function (one per TR), its codes in "items"; backtester's
	// websocket.py _runner likewise counts _subscriptions by name.
	// python-kis's WEBSOCKET_MAX_SUBSCRIPTIONS = 40 (pykis/__env__.py,
	// checked per tr_id+tr_key in pykis/client/websocket.py subscribe) is
	// a third-party client's own margin. So 40 codes and the fill notices
	// all stream; were a server to refuse one anyway, its OPSP0008 leaves
	// that code polled and the owner told (handleAnswer).
	MaxSubscriptions = 41
)

// StreamOptions configures a Stream. Zero values take the defaults.
type StreamOptions struct {
	// URL is the WebSocket host; default LiveWSURL or MockWSURL by the
	// client's mode. The path /tryitout is appended.
	URL string
	// HTSID, when set, subscribes the account's fill notices
	// (H0STCNI0 live, H0STCNI9 mock), which KIS keys by HTS id.
	HTSID string
	// OnTick receives every trade; it runs on the read loop and must not
	// block (a broker.TickBook's Put is right).
	OnTick func(broker.Tick)
	// OnNotice receives every decrypted order or fill notice; must not block.
	OnNotice func(Notice)
	// OnUp and OnDown are told when a session is established (all
	// subscriptions sent) and when it ends; must not block.
	OnUp   func()
	OnDown func(err error)
	// OnAck is told of every subscribe/unsubscribe answer (msg_cd
	// OPSP0000, OPSP0001, OPSP0008…); must not block.
	OnAck func(trID, trKey, msgCd string)
	// OnDecodeError counts frames that could not be decoded.
	OnDecodeError func()
	// OnLimit is told when KIS refuses a code's subscription as past its
	// limit (OPSP0008): the code is polled, and not asked again in this
	// session; must not block.
	OnLimit func(code broker.Code, msgCd string)
	// OnInUse is told when KIS refuses the session because another holds
	// the app key (OPSP8996 ALREADY IN USE): hoga keeps trying with
	// backoff, but only the owner can close the other program; must not
	// block.
	OnInUse func()
	// SilentAfter: a session with no frame at all (trades or PINGPONG) for
	// this long is taken for a dead TCP connection and replaced. Default
	// 30s (KIS sends PINGPONG about every 20 s, kis.md §9).
	SilentAfter time.Duration
	// Active says when silence counts (hoga: the trading session when it
	// keeps market hours); nil is always. Outside it a quiet session is
	// left alone, and silence is timed from when Active turns true again.
	Active func(time.Time) bool
	// Backoff is the first reconnect wait, doubled with jitter up to
	// MaxBackoff; defaults 500ms and 30s. KIS warns that tight connect
	// loops get a key blocked.
	Backoff, MaxBackoff time.Duration
	// Limit overrides MaxSubscriptions (tests).
	Limit  int
	Clock  clock.Clock
	Logger *slog.Logger
}

// Stream is a KIS realtime session that reconnects by itself and keeps
// the wanted subscriptions. Subscribe and Unsubscribe may be called at any
// time; Run owns the connection.
type Stream struct {
	c    *Client
	o    StreamOptions
	clk  clock.Clock
	log  *slog.Logger
	kick chan struct{} // subscriptions changed

	mu     sync.Mutex
	want   map[broker.Code]bool
	active map[broker.Code]bool // subscribed in the current session
	keys   map[string][2]string // tr_id → key, iv
	// Refused subscriptions of the current session: past the server's
	// limit (not asked again), or an internal error (asked again at
	// retryAt; retries counts the attempts, for the backoff).
	refused   map[broker.Code]bool
	retryAt   map[string]time.Time // TRTrade code, or the notice TR id
	retries   map[string]int
	conn      *websocket.Conn
	connected bool
	since     time.Time
	retry     time.Time    // the next connection attempt while waiting for it
	lastMsg   atomic.Int64 // unix nanos on the stream clock
	reconns   atomic.Int64
}

// NewStream returns a stream on c's app key. Only one may run per app key:
// KIS answers a second session "ALREADY IN USE" (OPSP8996).
func (c *Client) NewStream(o StreamOptions) *Stream {
	if o.URL == "" {
		o.URL = MockWSURL
		if c.set.mode == ModeLive {
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
		o.Limit = MaxSubscriptions
	}
	for _, f := range []*func(){&o.OnUp, &o.OnDecodeError} {
		if *f == nil {
			*f = func() {}
		}
	}
	if o.OnDown == nil {
		o.OnDown = func(error) {}
	}
	if o.OnAck == nil {
		o.OnAck = func(string, string, string) {}
	}
	if o.OnTick == nil {
		o.OnTick = func(broker.Tick) {}
	}
	if o.OnNotice == nil {
		o.OnNotice = func(Notice) {}
	}
	if o.OnLimit == nil {
		o.OnLimit = func(broker.Code, string) {}
	}
	if o.OnInUse == nil {
		o.OnInUse = func() {}
	}
	clk := clock.Or(o.Clock)
	if o.Clock == nil {
		clk = c.clock
	}
	log := o.Logger
	if log == nil {
		log = c.log
	}
	// since: down from now until the first session (a /status before it
	// showed "down since 0001-01-01").
	return &Stream{c: c, o: o, clk: clk, log: log.With("stream", "kis"), kick: make(chan struct{}, 1),
		want: map[broker.Code]bool{}, active: map[broker.Code]bool{}, keys: map[string][2]string{}, since: clk.Now()}
}

func (s *Stream) noticeTR() string {
	if s.c.set.mode == ModeLive {
		return TRNoticeLive
	}
	return TRNoticeMock
}

// Subscribe asks for code's trades; past the limit the code is listed as
// polled in Status.
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

// Status reports the stream for /status.
func (s *Stream) Status() broker.StreamStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := broker.StreamStatus{Connected: s.connected, Since: s.since, Reconnects: s.reconns.Load(), Retry: s.retry}
	if n := s.lastMsg.Load(); n != 0 {
		st.LastMsg = time.Unix(0, n)
	}
	// The room sync would find: the limit, less the codes held and not
	// dropped, less the fill notices' registration.
	room := s.o.Limit - len(s.active)
	for c := range s.active {
		if !s.want[c] {
			room++
		}
	}
	if s.o.HTSID != "" {
		room--
	}
	var waiting []broker.Code
	for c := range s.want {
		switch {
		case s.active[c]:
			st.Subscribed = append(st.Subscribed, c)
		case s.refused[c]:
			st.Polled = append(st.Polled, c)
		default:
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
	sort.Slice(st.Polled, func(i, j int) bool { return st.Polled[i] < st.Polled[j] })
	return st
}

// Run keeps a session open until ctx ends, reconnecting with jittered
// exponential backoff and resubscribing everything.
func (s *Stream) Run(ctx context.Context) error {
	wait := s.o.Backoff
	for {
		up, err := s.session(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.reconns.Add(1)
		s.log.Warn("kis stream: session ended; reconnecting", "err", err)
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

// errSilent ends a session that sent nothing for SilentAfter.
var errSilent = errors.New("kis stream: no frame within the silence limit (dead connection)")

// session runs one connection; up reports whether it got established.
func (s *Stream) session(ctx context.Context) (up bool, err error) {
	key, err := s.c.ApprovalKey(ctx)
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	dctx, dcancel := context.WithTimeout(ctx, s.c.set.timeout)
	conn, _, err := websocket.Dial(dctx, strings.TrimRight(s.o.URL, "/")+wsPath, nil)
	dcancel()
	if err != nil {
		return false, fmt.Errorf("kis stream: connect: %w", err)
	}
	conn.SetReadLimit(1 << 20)
	defer conn.CloseNow()
	s.touch()
	s.mu.Lock()
	s.conn, s.active, s.keys = conn, map[broker.Code]bool{}, map[string][2]string{}
	s.refused, s.retryAt, s.retries = map[broker.Code]bool{}, map[string]time.Time{}, map[string]int{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.conn, s.active = nil, map[broker.Code]bool{}
		wasUp := s.connected
		if wasUp {
			s.since = s.clk.Now()
		}
		s.connected = false
		s.mu.Unlock()
		// The read loop marks the session up (markUp), possibly after
		// this loop last looked: the state, not the channel, says.
		up = up || wasUp
		if wasUp {
			s.o.OnDown(err)
		}
	}()

	readErr := make(chan error, 1)
	first := make(chan struct{}) // closed by the first frame: the server is there
	go func() { readErr <- s.read(ctx, conn, cancel, first) }()
	// The watchdog runs from the dial: a connection that never answers
	// (a dead path that still accepts TCP) is replaced like a silent one.
	look := max(s.o.SilentAfter/30, time.Millisecond) // 1 s by default
	watch := s.clk.NewTicker(look)
	defer watch.Stop()
	// Acting one look early makes the promise exact: a silent session is
	// replaced within SilentAfter (of active time) of its last frame, not
	// up to a look later (issue 15: "detected within 30 s").
	quiet := broker.Silence{Limit: s.o.SilentAfter - look, Active: s.o.Active}

	if s.o.HTSID != "" {
		if err := conn.Write(ctx, websocket.MessageText, subscribeMessage(key, "1", s.noticeTR(), s.o.HTSID)); err != nil {
			return false, err
		}
	}
	if err := s.sync(ctx, conn, key); err != nil {
		return false, err
	}
	for {
		select {
		case <-ctx.Done():
			if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
				return up, c
			}
			conn.Close(websocket.StatusNormalClosure, "")
			return up, ctx.Err()
		case err := <-readErr:
			return up, err
		case <-first:
			// The read loop marked the session up (markUp) at the
			// server's first frame.
			first = nil
			up = true
		case <-s.kick:
			if err := s.sync(ctx, conn, key); err != nil {
				return up, err
			}
		case <-watch.C():
			if quiet.Exceeded(s.clk.Now(), time.Unix(0, s.lastMsg.Load())) {
				return up, errSilent
			}
			if err := s.retryDue(ctx, conn, key); err != nil {
				return up, err
			}
		}
	}
}

func (s *Stream) touch() { s.lastMsg.Store(s.clk.Now().UnixNano()) }

// retryDue asks again for the subscriptions an internal error refused
// whose backoff has passed.
func (s *Stream) retryDue(ctx context.Context, conn *websocket.Conn, key redact.Secret) error {
	now := s.clk.Now()
	s.mu.Lock()
	due, notice := false, false
	for k, at := range s.retryAt {
		if at.IsZero() || now.Before(at) {
			continue
		}
		due = true
		if k == s.noticeTR() {
			notice = true
			delete(s.retryAt, k)
		}
	}
	s.mu.Unlock()
	if notice {
		if err := conn.Write(ctx, websocket.MessageText, subscribeMessage(key, "1", s.noticeTR(), s.o.HTSID)); err != nil {
			return err
		}
	}
	if due {
		return s.sync(ctx, conn, key)
	}
	return nil
}

// backoff is the wait before the n-th retry (n ≥ 1) of a refused
// subscription: Backoff doubled per attempt, at most MaxBackoff.
func (s *Stream) backoff(n int) time.Duration {
	d := s.o.Backoff
	for i := 1; i < n && d < s.o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.o.MaxBackoff)
}

// sync sends the subscribe and unsubscribe messages that make the
// session's subscriptions match the wanted set, within the limit. Codes
// refused for the limit are left out, and codes refused by an internal
// error until their retry is due.
func (s *Stream) sync(ctx context.Context, conn *websocket.Conn, key redact.Secret) error {
	s.mu.Lock()
	var add, drop []broker.Code
	for c := range s.active {
		if !s.want[c] {
			drop = append(drop, c)
		}
	}
	room := s.o.Limit - len(s.active) + len(drop)
	if s.o.HTSID != "" {
		room--
	}
	var wanted []broker.Code
	now := s.clk.Now()
	for c := range s.want {
		if s.active[c] || s.refused[c] {
			continue
		}
		if at, ok := s.retryAt[string(c)]; ok {
			if now.Before(at) {
				continue
			}
			delete(s.retryAt, string(c))
		}
		wanted = append(wanted, c)
	}
	sort.Slice(wanted, func(i, j int) bool { return wanted[i] < wanted[j] })
	for _, c := range wanted {
		if room <= 0 {
			break
		}
		add = append(add, c)
		room--
	}
	for _, c := range drop {
		delete(s.active, c)
	}
	for _, c := range add {
		s.active[c] = true
	}
	s.mu.Unlock()
	for _, c := range drop {
		if err := conn.Write(ctx, websocket.MessageText, subscribeMessage(key, "2", TRTrade, string(c))); err != nil {
			return err
		}
	}
	for _, c := range add {
		if err := conn.Write(ctx, websocket.MessageText, subscribeMessage(key, "1", TRTrade, string(c))); err != nil {
			return err
		}
	}
	return nil
}

// read is the session's read loop: data frames to OnTick/OnNotice,
// PINGPONG echoed, subscribe answers recorded.
func (s *Stream) read(ctx context.Context, conn *websocket.Conn, cancel context.CancelCauseFunc, first chan struct{}) error {
	for {
		_, msg, err := conn.Read(ctx)
		if err != nil {
			return fmt.Errorf("kis stream: read: %w", err)
		}
		now := s.clk.Now()
		s.lastMsg.Store(now.UnixNano())
		// Proof of life: any data frame or control answer but a refusal
		// of the whole session.
		alive := func() {
			if first != nil {
				s.markUp(conn, now)
				close(first)
				first = nil
			}
		}
		if IsData(msg) {
			alive()
			s.data(msg, now)
			continue
		}
		c, err := ParseControl(msg)
		if err != nil {
			s.o.OnDecodeError()
			continue
		}
		if c.Body.MsgCd != "OPSP8996" {
			alive()
		}
		if c.PingPong() {
			// Echo it as text (python-kis) — kis.md §9.
			if err := conn.Write(ctx, websocket.MessageText, msg); err != nil {
				return err
			}
			continue
		}
		// OnAck after the answer is handled, so whoever hears of it sees
		// its effect (Streaming, Status).
		s.handleAnswer(c, now)
		s.o.OnAck(c.Header.TRID, c.Header.TRKey, c.Body.MsgCd)
		if c.Body.MsgCd == "OPSP8996" { // ALREADY IN USE: another session holds the key
			s.o.OnInUse()
			err := &broker.Error{Kind: broker.Rejected, Code: c.Body.MsgCd, Msg: "KIS realtime: the app key is already in use by another session"}
			cancel(err)
			return err
		}
	}
}

// markUp records the session on conn as up, once the server said
// something (an answer to the subscriptions, a PINGPONG): until then
// Streaming is false and every code is polled. It runs on the read loop,
// before that first frame is handled, so whoever hears of the frame (a
// refusal's OnLimit, an OnAck) finds the session up in Status — set from
// the session's loop instead, it could come after (TestStreamLimitRefusal
// ThroughRun read Connected false beside a refusal already told). A
// session already ended (conn no longer current) stays down.
func (s *Stream) markUp(conn *websocket.Conn, now time.Time) {
	s.mu.Lock()
	current := s.conn == conn
	if current {
		s.connected, s.since = true, now
	}
	s.mu.Unlock()
	if current {
		s.o.OnUp()
	}
}

// handleAnswer acts on a subscribe or unsubscribe answer. Codes: python-kis
// pykis/client/websocket.py _handle_control (OPSP0000, 0001, 0002, 0003,
// 0007, 8996); OPSP0008 from shared/broker-api/kis.md §9.
func (s *Stream) handleAnswer(c Control, now time.Time) {
	switch c.Body.MsgCd {
	case "OPSP0000": // SUBSCRIBE SUCCESS: keep key/iv for encrypted TRs
		s.mu.Lock()
		if c.Body.Output.Key != "" {
			s.keys[c.Header.TRID] = [2]string{c.Body.Output.Key, c.Body.Output.IV}
		}
		delete(s.retries, retryKey(c.Header.TRID, c.Header.TRKey))
		s.mu.Unlock()
	case "OPSP8996": // ALREADY IN USE: ends the session (read)
	case "OPSP0008":
		// MAX SUBSCRIBE OVER: a limit, not a passing fault. Neither
		// KIS's samples nor python-kis name this code: hoga stays within
		// KIS's 41 registrations per app key (MaxSubscriptions), and
		// OPSP0008 for the server's refusal of a 42nd is a third-party
		// measurement (shared/broker-api/kis.md §9). Asking again would
		// be refused again: the code is polled for the rest of the
		// session and the owner is told (OnLimit).
		code := broker.Code(c.Header.TRKey)
		if c.Header.TRID == TRTrade {
			s.mu.Lock()
			delete(s.active, code)
			s.refused[code] = true
			s.mu.Unlock()
			s.log.Warn("kis stream: subscription refused at KIS's limit; polled instead", "code", code)
			s.o.OnLimit(code, c.Body.MsgCd)
		} else {
			s.log.Error("kis stream: fill-notice subscription refused at KIS's limit; fills by polling only", "tr_id", c.Header.TRID)
		}
	case "OPSP0007":
		// Internal error (python-kis pykis/client/websocket.py
		// _handle_control: "RTC Internal server error"): the server's
		// passing fault, so the subscription is asked again after a
		// backoff that doubles per refusal (Backoff … MaxBackoff).
		// KIS's samples do not name it: kis_auth.py system_resp only
		// reads rt_cd "0" as success.
		k := retryKey(c.Header.TRID, c.Header.TRKey)
		s.mu.Lock()
		if c.Header.TRID == TRTrade {
			delete(s.active, broker.Code(c.Header.TRKey))
		}
		s.retries[k]++
		wait := s.backoff(s.retries[k])
		s.retryAt[k] = now.Add(wait)
		s.mu.Unlock()
		s.log.Warn("kis stream: subscription refused by an internal error; asking again", "tr_id", c.Header.TRID, "tr_key", c.Header.TRKey, "in", wait)
	default:
		if c.Body.RtCd != "" && c.Body.RtCd != "0" {
			s.log.Warn("kis stream: control answer", "tr_id", c.Header.TRID, "msg_cd", c.Body.MsgCd, "msg", c.Body.Msg1)
		}
	}
}

// retryKey names a subscription in retryAt: the code of a trade TR, the
// TR id of the fill-notice TR (keyed by the HTS id, one per session).
func retryKey(trID, trKey string) string {
	if trID == TRTrade {
		return trKey
	}
	return trID
}

func (s *Stream) data(msg []byte, now time.Time) {
	f, err := ParseFrame(msg)
	if err != nil {
		s.o.OnDecodeError()
		return
	}
	switch f.TRID {
	case TRTrade:
		trades, err := ParseTrades(f)
		if err != nil {
			s.o.OnDecodeError()
			return
		}
		for _, t := range trades {
			s.o.OnTick(broker.Tick{Code: t.Code, Price: t.Price, Volume: t.Volume, Time: t.Time, Received: now})
		}
	case TRNoticeLive, TRNoticeMock:
		payload := f.Payload
		if f.Encrypted {
			s.mu.Lock()
			k, ok := s.keys[f.TRID]
			s.mu.Unlock()
			if !ok {
				s.o.OnDecodeError()
				return
			}
			if payload, err = Decrypt(k[0], k[1], payload); err != nil {
				s.o.OnDecodeError()
				return
			}
		}
		ns, err := ParseNotices(f.Count, payload)
		if err != nil {
			s.o.OnDecodeError()
			return
		}
		for _, n := range ns {
			s.c.routed.note(s.c.today(), n) // before OnNotice: a poll it starts sees the exchange
			s.o.OnNotice(n)
		}
	default:
		s.o.OnDecodeError()
	}
}

// Streaming reports whether code's trades arrive on the stream now: the
// session is up and code is within the subscription limit. Others are
// for polling (strategy.TickSource via broker.TickBook.SetStreaming).
func (s *Stream) Streaming(code broker.Code) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected && s.active[code]
}

package brokertest

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
)

// wsHub is the realtime side both wire fakes share: the open WebSocket
// sessions, a writer per session, and the faults a test plays on them (a
// dropped network, a dead path, garbage). What a session says (KIS's
// subscribe answers and encrypted notices, Kiwoom's LOGIN, REG and REAL
// rows) is each fake's own, in kis_fake_ws.go and kiwoom_fake_ws.go. Its
// lock also guards those files' own realtime state.
type wsHub struct {
	mu       sync.Mutex
	sessions map[*wsSession]struct{}
	silent   atomic.Bool    // a dead path: nothing reaches the client
	frames   map[string]int // data frames sent, by TR id (KIS) or row type (Kiwoom)
	pongs    int            // keep-alive echoes received
}

// wsSession is one client's connection.
type wsSession struct {
	appKey string
	out    chan []byte
	done   chan struct{}
	once   sync.Once
	subs   map[string]bool // KIS: tr_id|tr_key; Kiwoom: type|item
	orders bool            // Kiwoom: registered for 00, the order rows
	key    string          // KIS: the session's AES key for notices
	iv     string          // KIS: and its iv
}

func (s *wsSession) close() { s.once.Do(func() { close(s.done) }) }

func (s *wsSession) send(b []byte) {
	select {
	case s.out <- b:
	default: // a client that cannot keep up loses frames, as on a real socket buffer overflow
	}
}

// initLocked makes the hub's maps (h.mu held).
func (h *wsHub) initLocked() {
	if h.sessions == nil {
		h.sessions, h.frames = map[*wsSession]struct{}{}, map[string]int{}
	}
}

// serveSessions upgrades r to a WebSocket and runs it: handle reads each
// message, and a writer sends what the session is given until the session
// is closed (with bye, a normal closure saying "Bye", as Kiwoom closes a
// session a second login kicked out; without, the connection just ends)
// or the client goes. The session leaves the hub when it ends.
func (h *wsHub) serveSessions(rw http.ResponseWriter, r *http.Request, bye bool, handle func(*wsSession, []byte)) {
	c, err := websocket.Accept(rw, r, nil)
	if err != nil {
		return
	}
	s := &wsSession{out: make(chan []byte, 4096), done: make(chan struct{}), subs: map[string]bool{}}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer c.CloseNow()
	go func() {
		for {
			select {
			case <-s.done:
				if bye {
					c.Close(websocket.StatusNormalClosure, "Bye")
				} else {
					c.CloseNow()
				}
				return
			case <-ctx.Done():
				return
			case b := <-s.out:
				if h.silent.Load() {
					continue // lost on the dead path, answers included
				}
				if err := c.Write(ctx, websocket.MessageText, b); err != nil {
					return
				}
			}
		}
	}()
	defer func() {
		s.close()
		h.mu.Lock()
		delete(h.sessions, s)
		h.mu.Unlock()
	}()
	for {
		_, msg, err := c.Read(ctx)
		if err != nil {
			return
		}
		handle(s, msg)
	}
}

// pong counts a client's keep-alive echo.
func (h *wsHub) pong() {
	h.mu.Lock()
	h.pongs++
	h.mu.Unlock()
}

// broadcastLocked sends msg to every session unless the path is dead
// (h.mu held).
func (h *wsHub) broadcastLocked(msg []byte) {
	if h.silent.Load() {
		return
	}
	for s := range h.sessions {
		s.send(msg)
	}
}

// subscriptions counts the registrations across open sessions.
func (h *wsHub) subscriptions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for s := range h.sessions {
		n += len(s.subs)
	}
	return n
}

// Pongs is how many keep-alive echoes (KIS's PINGPONG, Kiwoom's PING) the
// clients sent back.
func (h *wsHub) Pongs() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pongs
}

// StreamFrames is how many data frames of a TR id (KIS, H0STCNT0) or REAL
// rows of a type (Kiwoom, 0B) were sent.
func (h *wsHub) StreamFrames(typ string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.frames[typ]
}

// StreamSessions is the number of open realtime sessions.
func (h *wsHub) StreamSessions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
}

// DropStreams closes every realtime session at once, as a lost network does.
func (h *wsHub) DropStreams() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.sessions {
		s.close()
		delete(h.sessions, s)
	}
}

// SilenceStreams makes the realtime side a dead path until called with
// false: nothing reaches any client, open or new, not even the answers to
// a reconnect's login or subscriptions (a connection that still accepts
// TCP but delivers nothing). What the clients send is still read.
func (h *wsHub) SilenceStreams(on bool) {
	h.mu.Lock()
	h.silent.Store(on)
	h.mu.Unlock()
}

// StreamGarbage sends frame to every session as is (one no parser
// accepts, say).
func (h *wsHub) StreamGarbage(frame string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.sessions {
		s.send([]byte(frame))
	}
}

package brokertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
)

// The Kiwoom fake's realtime side at /api/dostk/websocket (kiwoom.md §9):
// LOGIN with a token the fake issued (answered before anything else),
// REG/REMOVE with grp_no, refresh and data [{item:[…], type:[…]}],
// REAL 0B rows on every price change and 00 rows on every fill, PING to
// be echoed, a registration cap per connection (105115 past it, as
// measured by hoga-ops), and a second session on the same app key kicking
// the first (close 1000 "Bye").

const kwWSMax = 200

// kwWS is the Kiwoom side's own realtime state, under f.wsHub.mu.
type kwWS struct {
	logins  int
	seqExec int
}

func kwJSON(v any) []byte { b, _ := json.Marshal(v); return b }

// WSURL is the WebSocket host to give a stream (StreamOptions.URL).
func (f *KiwoomFake) WSURL() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") }

func (f *KiwoomFake) serveWS(rw http.ResponseWriter, r *http.Request) {
	f.serveSessions(rw, r, true, f.kwWSHandle)
}

func (f *KiwoomFake) kwWSHandle(s *wsSession, msg []byte) {
	var in struct {
		Trnm    string `json:"trnm"`
		Token   string `json:"token"`
		GrpNo   string `json:"grp_no"`
		Refresh string `json:"refresh"`
		Data    []struct {
			Item []string `json:"item"`
			Type []string `json:"type"`
		} `json:"data"`
	}
	if err := json.Unmarshal(msg, &in); err != nil {
		return
	}
	if in.Trnm == "PING" {
		f.pong()
		return
	}
	if s.appKey == "" && in.Trnm != "LOGIN" {
		s.send(kwJSON(map[string]any{"trnm": in.Trnm, "return_code": 100013, "return_msg": "로그인 후 이용하세요"}))
		return
	}
	switch in.Trnm {
	case "LOGIN":
		f.mu.Lock()
		t, ok := f.tokens[in.Token]
		f.mu.Unlock()
		if !ok || !f.clk.Now().Before(t.expiry) {
			s.send(kwJSON(map[string]any{"trnm": "LOGIN", "return_code": 100013, "return_msg": "인증에 실패했습니다[8005:Token이 유효하지 않습니다]"}))
			return
		}
		f.wsHub.mu.Lock()
		f.initLocked()
		for o := range f.sessions {
			if o.appKey == t.appKey {
				o.close() // a second session kicks the first
				delete(f.sessions, o)
			}
		}
		s.appKey = t.appKey
		f.sessions[s] = struct{}{}
		f.ws.logins++
		f.wsHub.mu.Unlock()
		s.send(kwJSON(map[string]any{"trnm": "LOGIN", "return_code": 0, "return_msg": ""}))
	case "REG", "REMOVE":
		f.wsHub.mu.Lock()
		code, text := 0, ""
		for _, d := range in.Data {
			for _, ty := range d.Type {
				for _, it := range d.Item {
					id := ty + "|" + it
					if in.Trnm == "REMOVE" {
						delete(s.subs, id)
						continue
					}
					if ty == "00" {
						s.orders = true
						continue
					}
					if len(s.subs) >= kwWSMax && !s.subs[id] {
						code, text = 105115, "등록 가능한 종목 수를 초과했습니다"
						continue
					}
					s.subs[id] = true
				}
			}
		}
		f.wsHub.mu.Unlock()
		s.send(kwJSON(map[string]any{"trnm": in.Trnm, "return_code": code, "return_msg": text}))
	}
}

// StreamItems is the number of 0B registrations across open sessions.
func (f *KiwoomFake) StreamItems() int { return f.subscriptions() }

// Ping sends the server's PING to every session.
func (f *KiwoomFake) Ping() {
	f.wsHub.mu.Lock()
	defer f.wsHub.mu.Unlock()
	f.broadcastLocked([]byte(`{"trnm":"PING"}`))
}

// kwWSTrade pushes a 0B row (called with f.mu held). FIDs: Kiwoom-REST-API
// spec 0B — 20 time, 10 price (signed by direction), 15 volume, 13 cumulative.
func (f *KiwoomFake) kwWSTrade(code string, price, base, acc int64) {
	f.wsHub.mu.Lock()
	defer f.wsHub.mu.Unlock()
	if f.silent.Load() {
		return
	}
	var frame []byte
	for s := range f.sessions {
		if !s.subs["0B|"+code] {
			continue
		}
		if frame == nil {
			sign := ""
			if price > base {
				sign = "+"
			} else if price < base {
				sign = "-"
			}
			now := f.clk.Now().In(broker.KST())
			frame = kwJSON(map[string]any{"trnm": "REAL", "data": []any{map[string]any{
				"type": "0B", "name": "주식체결", "item": code,
				"values": map[string]string{"20": now.Format("150405"), "10": fmt.Sprintf("%s%d", sign, price), "15": "+1", "13": fmt.Sprint(acc)},
			}}})
		}
		f.frames["0B"]++
		s.send(frame)
	}
}

// kwWSFill pushes a 00 row for a fill (called with f.mu held). FIDs:
// Kiwoom-REST-API spec 00 — 9203 order no, 9001 code, 913 state, 907
// side, 900/901/902 qty/price/remaining, 909 execution no, 914/915 unit
// fill price/qty.
func (f *KiwoomFake) kwWSFill(o *market.Order, qty, px int64) {
	f.wsHub.mu.Lock()
	defer f.wsHub.mu.Unlock()
	if f.silent.Load() {
		return
	}
	side := "2"
	if o.Side == broker.Sell {
		side = "1"
	}
	f.ws.seqExec++
	now := f.clk.Now().In(broker.KST())
	// As Kiwoom's spec example of 00 has it (kiwoom/_data/kiwoom_api_spec.json,
	// "주문체결(00)"): item and 9001 are the plain code, no "A".
	frame := kwJSON(map[string]any{"trnm": "REAL", "data": []any{map[string]any{
		"type": "00", "name": "주문체결", "item": string(o.Code),
		"values": map[string]string{"9201": "5012345678", "9203": o.ID, "9001": string(o.Code), "913": "체결", "907": side,
			"900": fmt.Sprint(o.Qty), "901": fmt.Sprint(o.Price), "902": fmt.Sprint(o.Qty - o.FilledQty), "904": "0000000",
			"908": now.Format("150405"), "909": fmt.Sprintf("%07d", f.ws.seqExec), "910": fmt.Sprint(px), "911": fmt.Sprint(o.FilledQty),
			"914": fmt.Sprint(px), "915": fmt.Sprint(qty)},
	}}})
	for s := range f.sessions {
		if s.orders {
			f.frames["00"]++
			s.send(frame)
		}
	}
}

package brokertest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
)

// The KIS fake's realtime side: POST /oauth2/Approval and the WebSocket at
// /tryitout, speaking kis.md §9: JSON subscribe messages answered with
// OPSP0000 (and key/iv for the encrypted notice TRs), data frames
// 0|H0STCNT0|NNN|… on every price change, AES-encrypted H0STCNI0/9 notices
// on every fill, PINGPONG on demand, 41 registrations per session at
// most (OPSP0008 past that), OPSP8996 ALREADY IN USE for a second session
// on the same app key.

// kisWSMax is the server's limit on registrations per app key (one
// session per key): KIS's coding guide, open-trading-api "MCP/KIS Code
// Assistant MCP/src/prompts/prompt.py": "1개 appkey당 최대 41건 등록". The
// 42nd is refused OPSP0008 "MAX SUBSCRIBE OVER" (shared/broker-api/kis.md
// §9, a third-party measurement; KIS publishes no text for it).
const kisWSMax = 41

// kisWS is the KIS side's own realtime state, under f.wsHub.mu.
type kisWS struct {
	approval map[string]string   // approval key → app key
	seq      int                 // approval keys issued
	max      int                 // registrations per session; 0 is kisWSMax
	refuse   map[string][]string // tr_key → msg_cds for its next subscribes
	subReqs  map[string]int      // subscribe requests by tr_key
}

// wsInitLocked makes the maps (f.wsHub.mu held).
func (f *KISFake) wsInitLocked() {
	f.wsHub.initLocked()
	if f.ws.approval == nil {
		f.ws.approval = map[string]string{}
	}
}

func (f *KISFake) serveApproval(rw http.ResponseWriter, r *http.Request) {
	var in struct {
		GrantType string `json:"grant_type"`
		AppKey    string `json:"appkey"`
		SecretKey string `json:"secretkey"`
	}
	_ = json.Unmarshal(readBody(r), &in)
	if in.AppKey != f.appKey || in.SecretKey != f.appSecret || in.GrantType != "client_credentials" {
		writeJSON(rw, http.StatusForbidden, map[string]string{"error_code": "EGW00105", "error_description": "유효하지 않은 AppSecret입니다."})
		return
	}
	f.wsHub.mu.Lock()
	f.wsInitLocked()
	f.ws.seq++
	key := fmt.Sprintf("%08x-fake-approval-%04d", f.ws.seq*2654435761, f.ws.seq)
	f.ws.approval[key] = in.AppKey
	f.wsHub.mu.Unlock()
	writeJSON(rw, http.StatusOK, map[string]string{"approval_key": key})
}

func (f *KISFake) serveWS(rw http.ResponseWriter, r *http.Request) {
	f.serveSessions(rw, r, false, f.wsHandle)
}

func kisWSAnswer(trID, trKey, encrypt, rtCd, msgCd, msg1, key, iv string) []byte {
	m := map[string]any{
		"header": map[string]string{"tr_id": trID, "tr_key": trKey, "encrypt": encrypt},
		"body":   map[string]any{"rt_cd": rtCd, "msg_cd": msgCd, "msg1": msg1},
	}
	if key != "" {
		m["body"].(map[string]any)["output"] = map[string]string{"iv": iv, "key": key}
	}
	b, _ := json.Marshal(m)
	return b
}

func (f *KISFake) wsHandle(s *wsSession, msg []byte) {
	var in struct {
		Header map[string]string `json:"header"`
		Body   struct {
			Input struct {
				TRID  string `json:"tr_id"`
				TRKey string `json:"tr_key"`
			} `json:"input"`
		} `json:"body"`
	}
	if err := json.Unmarshal(msg, &in); err != nil || in.Header == nil {
		if strings.Contains(string(msg), "PINGPONG") {
			f.pong() // the client's echo
			return
		}
		s.send(kisWSAnswer("", "", "N", "9", "OPSP9999", "JSON PARSING ERROR : header not found", "", ""))
		return
	}
	if in.Header["tr_id"] == "PINGPONG" {
		f.pong()
		return
	}
	tr, key := in.Body.Input.TRID, in.Body.Input.TRKey
	f.wsHub.mu.Lock()
	defer f.wsHub.mu.Unlock()
	f.wsInitLocked()
	app, ok := f.ws.approval[in.Header["approval_key"]]
	if !ok {
		s.send(kisWSAnswer(tr, key, "N", "1", "OPSP0011", "invalid approval : NOT FOUND", "", ""))
		return
	}
	if s.appKey == "" {
		for o := range f.sessions {
			if o.appKey == app {
				s.send(kisWSAnswer(tr, key, "N", "1", "OPSP8996", "ALREADY IN USE appkey", "", ""))
				return
			}
		}
		s.appKey = app
		s.key, s.iv = fmt.Sprintf("%032x", f.ws.seq+7)[:32], fmt.Sprintf("%016x", f.ws.seq+3)[:16]
		f.sessions[s] = struct{}{}
	}
	id := tr + "|" + key
	enc := "N"
	if tr == kisTRNoticeLive || tr == kisTRNoticeMock {
		enc = "Y"
	}
	switch in.Header["tr_type"] {
	case "1":
		if f.ws.subReqs == nil {
			f.ws.subReqs = map[string]int{}
		}
		f.ws.subReqs[key]++
		if s.subs[id] {
			s.send(kisWSAnswer(tr, key, enc, "1", "OPSP0002", "ALREADY IN SUBSCRIBE", "", ""))
			return
		}
		if q := f.ws.refuse[key]; len(q) > 0 {
			f.ws.refuse[key] = q[1:]
			s.send(kisWSAnswer(tr, key, enc, "1", q[0], kisWSRefusalText[q[0]], "", ""))
			return
		}
		limit := kisWSMax
		if f.ws.max > 0 {
			limit = f.ws.max
		}
		if len(s.subs) >= limit {
			s.send(kisWSAnswer(tr, key, enc, "1", "OPSP0008", "MAX SUBSCRIBE OVER", "", ""))
			return
		}
		s.subs[id] = true
		s.send(kisWSAnswer(tr, key, enc, "0", "OPSP0000", "SUBSCRIBE SUCCESS", s.key, s.iv))
	case "2":
		if !s.subs[id] {
			s.send(kisWSAnswer(tr, key, enc, "1", "OPSP0003", "UNSUBSCRIBE ERROR(not found!)", "", ""))
			return
		}
		delete(s.subs, id)
		s.send(kisWSAnswer(tr, key, enc, "0", "OPSP0001", "UNSUBSCRIBE SUCCESS", "", ""))
	default:
		s.send(kisWSAnswer(tr, key, enc, "9", "OPSP9999", "JSON PARSING ERROR : invalid tr_type", "", ""))
	}
}

// kisWSRefusalText is msg1 of the refusals RefuseSubscribe can send.
// OPSP0008's is the third-party measurement in shared/broker-api/kis.md
// §9; KIS publishes no text for OPSP0007 (python-kis names it "internal
// error").
var kisWSRefusalText = map[string]string{
	"OPSP0007": "INTERNAL ERROR",
	"OPSP0008": "MAX SUBSCRIBE OVER",
}

// RefuseSubscribe answers the next subscribe requests of trKey (a code,
// or the HTS id of the fill-notice TR) with the msg_cds given, one each,
// in order: OPSP0007 (an internal error) or OPSP0008 (over the limit).
func (f *KISFake) RefuseSubscribe(trKey string, msgCds ...string) {
	f.wsHub.mu.Lock()
	defer f.wsHub.mu.Unlock()
	if f.ws.refuse == nil {
		f.ws.refuse = map[string][]string{}
	}
	f.ws.refuse[trKey] = append(f.ws.refuse[trKey], msgCds...)
}

// SetStreamLimit sets the registrations a session may hold before
// OPSP0008 (default KIS's 41), for tests of a server whose limit is lower
// than the client's.
func (f *KISFake) SetStreamLimit(n int) {
	f.wsHub.mu.Lock()
	f.ws.max = n
	f.wsHub.mu.Unlock()
}

// SubscribeRequests is how many subscribe requests (tr_type 1) for trKey
// the fake received.
func (f *KISFake) SubscribeRequests(trKey string) int {
	f.wsHub.mu.Lock()
	defer f.wsHub.mu.Unlock()
	return f.ws.subReqs[trKey]
}

// StreamSubscriptions is the number of registrations across open
// sessions.
func (f *KISFake) StreamSubscriptions() int { return f.subscriptions() }

// PingPong sends the server's keep-alive to every session.
func (f *KISFake) PingPong() {
	f.wsHub.mu.Lock()
	defer f.wsHub.mu.Unlock()
	f.broadcastLocked(fmt.Appendf(nil, `{"header":{"tr_id":"PINGPONG","datetime":"%s"}}`, f.clock.Now().In(broker.KST()).Format("20060102150405")))
}

// StreamTrade sends an H0STCNT0 frame for code at price to the sessions
// subscribed to it, whatever the market's price: a fault (a trade that
// cannot have happened, at 0 or past the day's limits) for tests.
func (f *KISFake) StreamTrade(code string, price int64) { f.wsTrade(code, price, 1, 1) }

// wsTrade pushes an H0STCNT0 frame for a price change; called with f.mu held.
func (f *KISFake) wsTrade(code string, price, vol, accVol int64) {
	f.wsHub.mu.Lock()
	defer f.wsHub.mu.Unlock()
	if f.silent.Load() || len(f.sessions) == 0 {
		return
	}
	var frame []byte
	for s := range f.sessions {
		if !s.subs[kisTRTrade+"|"+code] {
			continue
		}
		if frame == nil {
			now := f.clock.Now().In(broker.KST())
			fields := make([]string, 46)
			for i := range fields {
				fields[i] = "0"
			}
			// Positions: open-trading-api ccnl_krx.py columns.
			fields[0], fields[1], fields[2], fields[12], fields[13] = code, now.Format("150405"), kisItoa(price), kisItoa(vol), kisItoa(accVol)
			fields[33], fields[34], fields[35], fields[43] = now.Format("20060102"), "20", "N", "0"
			frame = []byte("0|" + kisTRTrade + "|001|" + strings.Join(fields, "^"))
		}
		f.frames[kisTRTrade]++
		s.send(frame)
	}
}

// wsNotice pushes an encrypted fill notice (CNTG_YN 2) to every session
// subscribed to the mode's notice TR; called with f.mu held.
func (f *KISFake) wsNotice(o *market.Order, qty, px int64) {
	tr := kisTRNoticeLive
	if f.mock {
		tr = kisTRNoticeMock
	}
	f.wsHub.mu.Lock()
	defer f.wsHub.mu.Unlock()
	if f.silent.Load() {
		return
	}
	side := "02"
	if o.Side == broker.Sell {
		side = "01"
	}
	now := f.clock.Now().In(broker.KST())
	for s := range f.sessions {
		for id := range s.subs {
			if !strings.HasPrefix(id, tr+"|") {
				continue
			}
			hts := strings.TrimPrefix(id, tr+"|")
			// Positions: open-trading-api ccnl_notice.py columns (26).
			fields := make([]string, 26)
			fields[0], fields[1], fields[2], fields[3], fields[4] = hts, f.cano+f.prdt, o.ID, "", side
			fields[5], fields[6], fields[7], fields[8], fields[9] = "0", "00", "0", string(o.Code), kisItoa(qty)
			fields[10], fields[11], fields[12], fields[13], fields[14] = kisItoa(px), now.Format("150405"), "0", "2", "2"
			fields[15], fields[16], fields[19], fields[25] = "00950", kisItoa(o.Qty), f.ordExgGb(o), kisItoa(o.Price)
			ct, err := kisEncrypt(s.key, s.iv, strings.Join(fields, "^"))
			if err != nil {
				continue
			}
			f.frames[tr]++
			s.send([]byte("1|" + tr + "|001|" + ct))
		}
	}
}

// ordExgGb is the notice's ORD_EXG_GB for o — 1 KRX, 2 NXT, 3 SOR-KRX,
// 4 SOR-NXT (open-trading-api legacy/Sample01/kis_domstk_ws.py
// notice_cols) — from the venue it was sent to and the exchange the fake
// routed it to (o.Venue); f.mu held.
func (f *KISFake) ordExgGb(o *market.Order) string {
	sent := f.placing // a fill inside Place: the row is not there yet
	for _, r := range f.orders {
		if r.mo == o {
			sent = r.Venue
			break
		}
	}
	switch {
	case venueOr(sent) == "SOR" && o.Venue == broker.VenueNXT:
		return "4"
	case venueOr(sent) == "SOR":
		return "3"
	case o.Venue == broker.VenueNXT:
		return "2"
	}
	return "1"
}

// TR ids (open-trading-api ccnl_krx.py, ccnl_notice.py). Repeated here:
// broker/kis imports this package in its tests.
const (
	kisTRTrade      = "H0STCNT0"
	kisTRNoticeLive = "H0STCNI0"
	kisTRNoticeMock = "H0STCNI9"
)

// kisEncrypt is KIS's payload encryption: AES-256-CBC, PKCS#7, base64
// (kis_auth.py aes_cbc_base64_dec is its inverse).
func kisEncrypt(key, iv, plain string) (string, error) {
	block, err := aes.NewCipher([]byte(key))
	if err != nil {
		return "", err
	}
	if len(iv) != aes.BlockSize {
		return "", fmt.Errorf("iv of %d bytes", len(iv))
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	pt := append([]byte(plain), bytes.Repeat([]byte{byte(pad)}, pad)...)
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(block, []byte(iv)).CryptBlocks(ct, pt)
	return base64.StdEncoding.EncodeToString(ct), nil
}

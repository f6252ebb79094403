package kis

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/internal/redact"
)

// KIS WebSocket TR ids hoga uses. Trades are the same id on live and mock;
// fill notices differ by mode and are keyed by the HTS id, not a code.
// Sources: open-trading-api examples_llm/domestic_stock/ccnl_krx/ccnl_krx.py
// (H0STCNT0 for "real" and "demo") and ccnl_notice/ccnl_notice.py
// (H0STCNI0 real, H0STCNI9 demo).
const (
	TRTrade          = "H0STCNT0"
	TRNoticeLive     = "H0STCNI0"
	TRNoticeMock     = "H0STCNI9"
	trPingPong       = "PINGPONG"
	tradeFieldsCount = 46 // ccnl_krx.py columns
	noticeFieldsMin  = 18 // 0–17 agree across layouts (python-kis 23, OTA 26)
	noticeFieldsOTA  = 26 // ccnl_notice.py columns
	maxFrameRecords  = 999
)

// ErrFrame marks a frame that is not a valid KIS realtime frame. Callers
// count it as a decode error and go on reading: one bad frame never ends
// the session.
var ErrFrame = errors.New("kis stream: malformed frame")

// Frame is one data frame: `<enc>|<TR_ID>|<NNN>|<payload>`, split on the
// first three '|' only (open-trading-api examples_llm/kis_auth.py
// __subscriber: raw.split("|"); python-kis pykis/client/websocket.py
// _handle_event). Payload is still encrypted when Encrypted is set.
type Frame struct {
	Encrypted bool
	TRID      string
	Count     int
	Payload   string
}

// IsData reports whether a text message is a data frame rather than JSON
// control: kis_auth.py treats a first byte of '0' or '1' as data.
func IsData(msg []byte) bool {
	return len(msg) > 0 && (msg[0] == '0' || msg[0] == '1')
}

// ParseFrame splits a data frame. It never panics, whatever the input.
func ParseFrame(msg []byte) (Frame, error) {
	if !IsData(msg) {
		return Frame{}, fmt.Errorf("%w: not a data frame", ErrFrame)
	}
	s := string(msg)
	parts := strings.SplitN(s, "|", 4)
	if len(parts) != 4 {
		return Frame{}, fmt.Errorf("%w: %d of 4 parts", ErrFrame, len(parts))
	}
	if len(parts[0]) != 1 {
		return Frame{}, fmt.Errorf("%w: encryption flag %q", ErrFrame, parts[0])
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil || n < 1 || n > maxFrameRecords {
		return Frame{}, fmt.Errorf("%w: record count %q", ErrFrame, parts[2])
	}
	if parts[1] == "" {
		return Frame{}, fmt.Errorf("%w: empty TR id", ErrFrame)
	}
	return Frame{Encrypted: parts[0] == "1", TRID: parts[1], Count: n, Payload: parts[3]}, nil
}

// Decrypt undoes KIS's payload encryption: base64, AES-256-CBC with the key
// (32 bytes) and iv (16 bytes) from the subscribe answer, PKCS#7 padding.
// Source: open-trading-api examples_llm/kis_auth.py aes_cbc_base64_dec;
// python-kis pykis/client/messaging.py KisWebsocketEncryptionKey.
func Decrypt(key, iv, payload string) (string, error) {
	if len(key) != 32 || len(iv) != aes.BlockSize {
		return "", fmt.Errorf("%w: key %d bytes, iv %d bytes (want 32 and 16)", ErrFrame, len(key), len(iv))
	}
	ct, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return "", fmt.Errorf("%w: base64: %v", ErrFrame, err)
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return "", fmt.Errorf("%w: ciphertext of %d bytes", ErrFrame, len(ct))
	}
	block, err := aes.NewCipher([]byte(key))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrFrame, err)
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, []byte(iv)).CryptBlocks(pt, ct)
	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > aes.BlockSize || pad > len(pt) || !bytes.Equal(pt[len(pt)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return "", fmt.Errorf("%w: bad padding", ErrFrame)
	}
	return string(pt[:len(pt)-pad]), nil
}

// Encrypt is Decrypt's inverse, for the fake server and tests.
func Encrypt(key, iv, plain string) (string, error) {
	if len(key) != 32 || len(iv) != aes.BlockSize {
		return "", fmt.Errorf("kis stream: key %d bytes, iv %d bytes (want 32 and 16)", len(key), len(iv))
	}
	block, err := aes.NewCipher([]byte(key))
	if err != nil {
		return "", err
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	pt := append([]byte(plain), bytes.Repeat([]byte{byte(pad)}, pad)...)
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(block, []byte(iv)).CryptBlocks(ct, pt)
	return base64.StdEncoding.EncodeToString(ct), nil
}

// Trade is one H0STCNT0 record: a trade on KRX.
type Trade struct {
	Code   broker.Code
	Price  int64 // STCK_PRPR, won
	Volume int64 // CNTG_VOL, this trade's shares
	AccVol int64 // ACML_VOL
	Time   time.Time
	Halted bool // TRHT_YN = Y
}

// H0STCNT0 field positions (0-based), from open-trading-api
// examples_llm/domestic_stock/ccnl_krx/ccnl_krx.py columns, identical in
// python-kis pykis/api/websocket/price.py.
const (
	fTradeCode   = 0  // MKSC_SHRN_ISCD
	fTradeHour   = 1  // STCK_CNTG_HOUR HHMMSS
	fTradePrice  = 2  // STCK_PRPR
	fTradeVolume = 12 // CNTG_VOL
	fTradeAccVol = 13 // ACML_VOL
	fTradeDate   = 33 // BSOP_DATE YYYYMMDD
	fTradeHalt   = 35 // TRHT_YN
)

// ParseTrades decodes the payload of an H0STCNT0 frame: count records of
// 46 '^'-separated fields each, concatenated with '^'.
func ParseTrades(f Frame) ([]Trade, error) {
	fields := strings.Split(f.Payload, "^")
	if len(fields) != f.Count*tradeFieldsCount {
		return nil, fmt.Errorf("%w: %s %d fields for %d records", ErrFrame, f.TRID, len(fields), f.Count)
	}
	out := make([]Trade, 0, f.Count)
	for i := 0; i < f.Count; i++ {
		r := fields[i*tradeFieldsCount : (i+1)*tradeFieldsCount]
		code, err := broker.ParseCode(r[fTradeCode])
		if err != nil {
			return nil, fmt.Errorf("%w: code: %v", ErrFrame, err)
		}
		price, err := strconv.ParseInt(r[fTradePrice], 10, 64)
		if err != nil || price <= 0 {
			return nil, fmt.Errorf("%w: price %q", ErrFrame, r[fTradePrice])
		}
		vol, _ := strconv.ParseInt(r[fTradeVolume], 10, 64)
		acc, _ := strconv.ParseInt(r[fTradeAccVol], 10, 64)
		t, _ := time.ParseInLocation("20060102150405", r[fTradeDate]+r[fTradeHour], broker.KST())
		out = append(out, Trade{Code: code, Price: price, Volume: vol, AccVol: acc, Time: t, Halted: r[fTradeHalt] == "Y"})
	}
	return out, nil
}

// Notice is one H0STCNI0/H0STCNI9 record: an acknowledgement of an order,
// modify or cancel (Fill false), or a fill (Fill true). OrderNo and the
// time make a fill recognisable when polling reports it too.
type Notice struct {
	Account  string // ACNT_NO: keep out of logs
	OrderNo  string // ODER_NO
	OrigNo   string // OODER_NO
	Side     broker.Side
	Code     broker.Code
	Qty      int64 // CNTG_QTY (order quantity on an acknowledgement)
	Price    int64 // CNTG_UNPR (order price on an acknowledgement)
	Hour     string
	Rejected bool // RFUS_YN = 1
	Fill     bool // CNTG_YN = 2
	OrderQty int64
	// Venue and Exchange are ORD_EXG_GB (주문거래소 구분): where the order
	// was sent (KRX, NXT, SOR) and the exchange it was on (KRX or NXT), so
	// a SOR order shows where KIS routed it. Empty when the record does not
	// carry the field (fewer than the 26 OTA fields) or its value is not
	// one of the four.
	Venue, Exchange broker.Venue
}

// H0STCNI0/9 positions, from open-trading-api
// examples_llm/domestic_stock/ccnl_notice/ccnl_notice.py columns. 0–17 agree
// with python-kis pykis/api/websocket/order_execution.py (23 fields); the
// tail grew at NXT's launch, so only the first 18 are relied on.
const (
	fNoticeAcnt    = 1  // ACNT_NO
	fNoticeOrderNo = 2  // ODER_NO
	fNoticeOrigNo  = 3  // OODER_NO
	fNoticeSide    = 4  // SELN_BYOV_CLS 01 sell, 02 buy
	fNoticeCode    = 8  // STCK_SHRN_ISCD
	fNoticeQty     = 9  // CNTG_QTY
	fNoticePrice   = 10 // CNTG_UNPR
	fNoticeHour    = 11 // STCK_CNTG_HOUR
	fNoticeRefused = 12 // RFUS_YN
	fNoticeFill    = 13 // CNTG_YN 2 = fill
	fNoticeOrdQty  = 16 // ODER_QTY
	// fNoticeExg is ORD_EXG_GB, "주문거래소 구분 (1:KRX, 2:NXT, 3:SOR-KRX,
	// 4:SOR-NXT)" in open-trading-api legacy/Sample01/kis_domstk_ws.py
	// notice_cols, the 20th column there and in examples_llm/
	// domestic_stock/ccnl_notice/ccnl_notice.py's columns. It is read only
	// from the 26-field layout: in python-kis's pre-NXT 23 fields (pykis/
	// api/websocket/order_execution.py) position 19 is CRDT_CLS.
	fNoticeExg = 19
)

// noticeExchange maps ORD_EXG_GB to the venue sent and the exchange the
// order is on (kis_domstk_ws.py: 1 KRX, 2 NXT, 3 SOR-KRX, 4 SOR-NXT).
func noticeExchange(s string) (sent, on broker.Venue) {
	switch strings.TrimSpace(s) {
	case "1":
		return broker.VenueKRX, broker.VenueKRX
	case "2":
		return broker.VenueNXT, broker.VenueNXT
	case "3":
		return broker.VenueSOR, broker.VenueKRX
	case "4":
		return broker.VenueSOR, broker.VenueNXT
	}
	return "", ""
}

// ParseNotices decodes a decrypted notice payload. The number of fields per
// record is the field count divided by the frame's record count, so the
// 23-, 25- and 26-field layouts all parse.
func ParseNotices(count int, plain string) ([]Notice, error) {
	fields := strings.Split(plain, "^")
	if count < 1 || len(fields)%count != 0 || len(fields)/count < noticeFieldsMin {
		return nil, fmt.Errorf("%w: notice with %d fields for %d records", ErrFrame, len(fields), count)
	}
	per := len(fields) / count
	out := make([]Notice, 0, count)
	for i := 0; i < count; i++ {
		r := fields[i*per : (i+1)*per]
		var n Notice
		n.Account, n.OrderNo, n.OrigNo, n.Hour = r[fNoticeAcnt], strings.TrimSpace(r[fNoticeOrderNo]), strings.TrimSpace(r[fNoticeOrigNo]), r[fNoticeHour]
		switch r[fNoticeSide] {
		case "01":
			n.Side = broker.Sell
		case "02":
			n.Side = broker.Buy
		default:
			return nil, fmt.Errorf("%w: side %q", ErrFrame, r[fNoticeSide])
		}
		code, err := broker.ParseCode(r[fNoticeCode])
		if err != nil {
			return nil, fmt.Errorf("%w: code: %v", ErrFrame, err)
		}
		n.Code = code
		if n.OrderNo == "" {
			return nil, fmt.Errorf("%w: no order number", ErrFrame)
		}
		n.Qty, _ = strconv.ParseInt(strings.TrimSpace(r[fNoticeQty]), 10, 64)
		n.Price, _ = strconv.ParseInt(strings.TrimSpace(r[fNoticePrice]), 10, 64)
		n.OrderQty, _ = strconv.ParseInt(strings.TrimSpace(r[fNoticeOrdQty]), 10, 64)
		n.Rejected = r[fNoticeRefused] == "1"
		n.Fill = r[fNoticeFill] == "2"
		if per >= noticeFieldsOTA {
			n.Venue, n.Exchange = noticeExchange(r[fNoticeExg])
		}
		if n.Fill && (n.Qty <= 0 || n.Price <= 0) {
			return nil, fmt.Errorf("%w: fill of %d at %d", ErrFrame, n.Qty, n.Price)
		}
		out = append(out, n)
	}
	return out, nil
}

// Control is a JSON text message from the server: a subscribe answer or a
// PINGPONG. Shape from shared/broker-api/kis.md §9, python-kis
// pykis/client/websocket.py _handle_control and kis_auth.py system_resp.
type Control struct {
	Header struct {
		TRID     string `json:"tr_id"`
		TRKey    string `json:"tr_key"`
		Encrypt  string `json:"encrypt"`
		Datetime string `json:"datetime"`
	} `json:"header"`
	Body struct {
		RtCd   string `json:"rt_cd"`
		MsgCd  string `json:"msg_cd"`
		Msg1   string `json:"msg1"`
		Output struct {
			IV  string `json:"iv"`
			Key string `json:"key"`
		} `json:"output"`
	} `json:"body"`
}

// PingPong reports whether the control message is the server's keep-alive,
// which must be echoed back.
func (c Control) PingPong() bool { return c.Header.TRID == trPingPong }

// ParseControl decodes a JSON control message.
func ParseControl(msg []byte) (Control, error) {
	var c Control
	if err := json.Unmarshal(msg, &c); err != nil {
		return Control{}, fmt.Errorf("%w: control: %v", ErrFrame, err)
	}
	if c.Header.TRID == "" {
		return Control{}, fmt.Errorf("%w: control without tr_id", ErrFrame)
	}
	return c, nil
}

// subscribeMessage builds the register ("1") / unregister ("2") request.
// Shape from open-trading-api examples_llm/kis_auth.py data_fetch and
// _base_headers_ws; "2" for unregister as KISWebSocket.unsubscribe and
// python-kis TR_UNSUBSCRIBE_TYPE send (the ccnl_* docstrings say "0").
func subscribeMessage(approvalKey redact.Secret, trType, trID, trKey string) []byte {
	type input struct {
		TRID  string `json:"tr_id"`
		TRKey string `json:"tr_key"`
	}
	m := struct {
		Header map[string]string `json:"header"`
		Body   struct {
			Input input `json:"input"`
		} `json:"body"`
	}{Header: map[string]string{"approval_key": approvalKey.Reveal(), "custtype": "P", "tr_type": trType, "content-type": "utf-8"}}
	m.Body.Input = input{TRID: trID, TRKey: trKey}
	b, _ := json.Marshal(m)
	return b
}

package kiwoom

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hoga-trade/hoga/broker"
)

// Kiwoom realtime message names and types. Sources: Kiwoom-Securities/
// Kiwoom-REST-API spec (realtime entries 00 주문체결 and 0B 주식체결, the
// "URL" /api/dostk/websocket and the LOGIN/REG/REMOVE request tables) and
// shared/broker-api/kiwoom.md §9, which cites them.
const (
	TrnmLogin  = "LOGIN"
	TrnmReg    = "REG"
	TrnmRemove = "REMOVE"
	TrnmReal   = "REAL"
	TrnmPing   = "PING"

	TypeTrade = "0B" // 주식체결
	TypeOrder = "00" // 주문체결
)

// ErrFrame marks a message that is not a valid Kiwoom realtime message.
var ErrFrame = errors.New("kiwoom stream: malformed message")

// Message is any server message: a LOGIN/REG/REMOVE answer (ReturnCode),
// a PING to echo, or REAL data rows.
type Message struct {
	Trnm       string      `json:"trnm"`
	ReturnCode json.Number `json:"return_code"`
	ReturnMsg  string      `json:"return_msg"`
	Data       []Real      `json:"data"`
}

// Real is one row of a REAL message: values keyed by field id (FID).
type Real struct {
	Type   string            `json:"type"`
	Name   string            `json:"name"`
	Item   string            `json:"item"`
	Values map[string]string `json:"values"`
}

// ParseMessage decodes a server message. It never panics on any input.
func ParseMessage(b []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(b, &m); err != nil {
		return Message{}, fmt.Errorf("%w: %v", ErrFrame, err)
	}
	if m.Trnm == "" {
		return Message{}, fmt.Errorf("%w: no trnm", ErrFrame)
	}
	return m, nil
}

// OK reports whether an answer's return_code is 0 (absent counts as 0 only
// for REAL and PING, which carry none).
func (m Message) OK() bool {
	s := m.ReturnCode.String()
	return s == "" || s == "0"
}

// Trade is one 0B row.
type Trade struct {
	Code   broker.Code
	Price  int64  // FID 10, sign stripped (the sign is the day's direction)
	Volume int64  // FID 15, this trade (sign = buy/sell side)
	AccVol int64  // FID 13, cumulative
	Hour   string // FID 20 HHMMSS
}

// 0B FIDs: 20 체결시간, 10 현재가, 15 거래량 (this tick), 13 누적거래량.
// Kiwoom-REST-API spec 0B; shared/broker-api/kiwoom.md §9 (13 is
// cumulative, 15 the trade's own volume).
const (
	fidTime   = "20"
	fidPrice  = "10"
	fidVolume = "15"
	fidAccVol = "13"
)

// TradeOf decodes a 0B row. The item may carry an exchange suffix
// (_NX, _AL); the code is the six characters before it.
func TradeOf(r Real) (Trade, error) {
	if r.Type != TypeTrade {
		return Trade{}, fmt.Errorf("%w: type %q is not 0B", ErrFrame, r.Type)
	}
	item, _, _ := strings.Cut(r.Item, "_")
	code, err := broker.ParseCode(item)
	if err != nil {
		return Trade{}, fmt.Errorf("%w: item: %v", ErrFrame, err)
	}
	price, err := wsAbs(r.Values[fidPrice])
	if err != nil || price <= 0 {
		return Trade{}, fmt.Errorf("%w: price %q", ErrFrame, r.Values[fidPrice])
	}
	vol, _ := wsAbs(r.Values[fidVolume])
	acc, _ := wsAbs(r.Values[fidAccVol])
	return Trade{Code: code, Price: price, Volume: vol, AccVol: acc, Hour: r.Values[fidTime]}, nil
}

// OrderNotice is one 00 row: the account's order accepted, filled,
// confirmed, cancelled or refused.
type OrderNotice struct {
	OrderNo   string      // 9203
	OrigNo    string      // 904 ("0000000" when none)
	Code      broker.Code // 9001
	State     string      // 913 접수/체결/확인/취소/거부
	Side      broker.Side // 907 1 매도, 2 매수
	OrderQty  int64       // 900
	OrderPx   int64       // 901
	Remaining int64       // 902
	ExecNo    string      // 909 체결번호: the fill's id, for deduplication
	ExecPx    int64       // 914 단위체결가 (this fill)
	ExecQty   int64       // 915 단위체결량 (this fill)
	Hour      string      // 908
	Reason    string      // 919
}

// Fill reports whether this notice is a fill (state 체결 with a quantity).
func (n OrderNotice) Fill() bool { return n.State == "체결" && n.ExecQty > 0 }

// 00 FIDs from Kiwoom-REST-API spec 00 (주문체결); shared/broker-api/
// kiwoom.md §9.
const (
	fidOrderNo = "9203"
	fidOrigNo  = "904"
	fidCode    = "9001"
	fidState   = "913"
	fidSide    = "907"
	fidOrdQty  = "900"
	fidOrdPx   = "901"
	fidRemain  = "902"
	fidExecNo  = "909"
	fidUnitPx  = "914"
	fidUnitQty = "915"
	fidExecPx  = "910"
	fidExecQty = "911"
	fidOrdTime = "908"
	fidReason  = "919"
)

// OrderNoticeOf decodes a 00 row.
func OrderNoticeOf(r Real) (OrderNotice, error) {
	if r.Type != TypeOrder {
		return OrderNotice{}, fmt.Errorf("%w: type %q is not 00", ErrFrame, r.Type)
	}
	v := r.Values
	n := OrderNotice{
		OrderNo: strings.TrimSpace(v[fidOrderNo]), OrigNo: strings.TrimSpace(v[fidOrigNo]),
		State: strings.TrimSpace(v[fidState]), ExecNo: strings.TrimSpace(v[fidExecNo]),
		Hour: v[fidOrdTime], Reason: strings.TrimSpace(v[fidReason]),
	}
	if n.OrderNo == "" {
		return OrderNotice{}, fmt.Errorf("%w: no order number", ErrFrame)
	}
	// 9001 is the plain code: Kiwoom's own spec shows '9001':'005930'
	// (and 'item':'005930') in the 주문체결(00) realtime example, as in
	// the 잔고(04) and VI(1h) ones (Kiwoom-Securities/Kiwoom-REST-API,
	// kiwoom/_data/kiwoom_api_spec.json, "주문체결(00)" response_example;
	// kiwoom-go domestic/realtime/subscribe_domestic_order_fill.go passes
	// 9001 through untouched). The "A" that hoga once assumed here is what
	// some REST lists put before a code (an OpenAPI+ habit); ParseCode
	// still drops one if it ever comes, and the item suffixes of NXT/SOR
	// registrations (_NX, _AL) are cut as in TradeOf.
	c, _, _ := strings.Cut(strings.TrimSpace(v[fidCode]), "_")
	code, err := broker.ParseCode(c)
	if err != nil {
		return OrderNotice{}, fmt.Errorf("%w: code: %v", ErrFrame, err)
	}
	n.Code = code
	switch strings.TrimSpace(v[fidSide]) {
	case "1":
		n.Side = broker.Sell
	case "2":
		n.Side = broker.Buy
	default:
		return OrderNotice{}, fmt.Errorf("%w: side %q", ErrFrame, v[fidSide])
	}
	n.OrderQty, _ = wsAbs(v[fidOrdQty])
	n.OrderPx, _ = wsAbs(v[fidOrdPx])
	n.Remaining, _ = wsAbs(v[fidRemain])
	n.ExecPx, _ = wsAbs(v[fidUnitPx])
	n.ExecQty, _ = wsAbs(v[fidUnitQty])
	if n.ExecQty == 0 { // older rows carry only 910/911
		n.ExecPx, _ = wsAbs(v[fidExecPx])
		n.ExecQty, _ = wsAbs(v[fidExecQty])
	}
	return n, nil
}

// wsAbs parses Kiwoom's signed number strings ("+82", "-20800", "") as
// their magnitude; empty is 0.
func wsAbs(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	s = strings.TrimLeft(s, "+-")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("number %q", s)
	}
	return n, nil
}

// regMessage builds a REG or REMOVE request. refresh "1" keeps the group's
// existing registrations (REMOVE omits it). Kiwoom-REST-API spec 0B
// request table; official example subscribe_domestic_stock_trade sends
// item and type as arrays.
func regMessage(trnm, grp string, refresh string, items []string, typ string) []byte {
	type data struct {
		Item []string `json:"item"`
		Type []string `json:"type"`
	}
	m := struct {
		Trnm    string `json:"trnm"`
		GrpNo   string `json:"grp_no"`
		Refresh string `json:"refresh,omitempty"`
		Data    []data `json:"data"`
	}{Trnm: trnm, GrpNo: grp, Refresh: refresh, Data: []data{{Item: items, Type: []string{typ}}}}
	b, _ := json.Marshal(m)
	return b
}

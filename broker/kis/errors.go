package kis

import (
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// The one table from KIS msg_cd to broker error kinds. Sources are in
// kis.md §7 unless noted. A hint, when set, is appended to KIS's message so
// the person reading it knows what to do.
var codeKinds = map[string]struct {
	kind broker.Kind
	hint string
}{
	"EGW00201": {broker.RateLimited, ""}, // 초당 거래건수를 초과하였습니다.
	// 원장에서 허용 가능한 초당 거래건수 초과: a second, ledger-level per-second
	// limit on account TRs (balance, orders); several public KIS clients
	// retry it like EGW00201. Not in kis.md.
	"EGW00215": {broker.RateLimited, ""},
	"EGW00123": {broker.Auth, "the access token expired"},
	"EGW00121": {broker.Auth, "the access token was refused"},
	"EGW00103": {broker.Auth, "KIS does not know this app key: check it, and that it belongs to the mock/live mode in use"},
	"EGW00105": {broker.Auth, "KIS refused the app secret"},
	// Mock keys on the real host and real keys on the mock host (third-party
	// observations; not in kis.md).
	"EGW02004": {broker.Auth, "this app key is not a live (실전) key"},
	"EGW02007": {broker.Auth, "this app key is not a mock (모의투자) key"},
	// 모의투자 TR 이 아닙니다: a real tr_id on the mock host, or a TR the mock
	// service does not offer (HTTP 500; third-party observations).
	// Auth, not Internal: it is a setup mistake the owner fixes (HOGA_MODE,
	// HOGA_KIS_BASE_URL), and the gateway refused the request, so an order
	// was provably not placed.
	"EGW02006": {broker.Auth, "the request's TR does not match the server's mode (mock/live); check HOGA_MODE and HOGA_KIS_BASE_URL"},
	"IGW00007": {broker.Internal, "hoga sent a request body KIS could not read (a bug in hoga)"},
	"OPSQ2001": {broker.Internal, "hoga sent a request with a missing or misspelled field (a bug in hoga)"},
	"APBK0952": {broker.InsufficientFunds, ""}, // 주문가능금액을 초과 했습니다 (rt_cd "7")
	"APBK0919": {broker.MarketClosed, ""},
	"APBK0656": {broker.NotFound, ""},
	"APBK0918": {broker.NotFound, ""}, // modify/cancel found nothing to act on
	"40240000": {broker.InsufficientFunds, ""},
}

// textKinds classifies by message text where codes are unknown or vary:
// the mock service uses 8-digit numeric codes that differ between reports,
// so its messages are matched by text (kis.md §7 lists them).
var textKinds = []struct {
	substr string
	kind   broker.Kind
}{
	{"호가단위", broker.Invalid},      // 주식주문호가단위 오류입니다. / (호가단위 오류)
	{"상/하한가", broker.Invalid},     // 모의투자 상/하한가 오류
	{"장시작전", broker.MarketClosed}, // 모의투자 장시작전 입니다.
	{"장종료", broker.MarketClosed},  // 모의투자 장종료 입니다.
	{"장운영", broker.MarketClosed},  // 장운영일자가 주문일과 상이합니다 / 장운영시간이 아닙니다
	{"주문가능금액", broker.InsufficientFunds},
	{"잔고내역이 없", broker.InsufficientFunds}, // 모의투자 잔고내역이 없습니다. (selling unheld shares)
	{"주문가능수량", broker.InsufficientFunds},
	{"정정/취소할 수량이 없", broker.NotFound}, // nothing left to cancel
	{"초당 거래건수", broker.RateLimited},
	{"유효하지 않은 token", broker.Auth},
	{"기간이 만료된 token", broker.Auth},
}

// classify maps a failed envelope to a kind. known is false when neither
// the code nor the text is recognised; the caller then decides (an order
// whose outcome cannot be read is UnknownOutcome, not Rejected).
func classify(code, msg string) (kind broker.Kind, hint string, known bool) {
	if k, ok := codeKinds[code]; ok {
		return k.kind, k.hint, true
	}
	for _, t := range textKinds {
		if strings.Contains(msg, t.substr) {
			return t.kind, "", true
		}
	}
	return broker.Internal, "", false
}

// tokenRejected reports codes meaning the access token itself was refused:
// the request stopped at KIS's gateway, so reissuing and retrying once is
// safe even for an order.
func tokenRejected(code string) bool {
	return code == "EGW00123" || code == "EGW00121"
}

// apiError builds the error for a failed KIS envelope. order and status
// decide the fallback for codes nobody has mapped: a rejected order is
// Rejected when KIS answered normally, but UnknownOutcome on a 5xx, where
// an unfamiliar error might have come from a gateway after the order went
// through.
func apiError(code, msg string, status int, order bool) *broker.Error {
	kind, hint, known := classify(code, msg)
	if !known {
		switch {
		case order && status >= 500:
			kind = broker.UnknownOutcome
			hint = "KIS answered HTTP " + itoa(int64(status)) + " with an unfamiliar error; the order may have been placed: check today's orders before sending it again"
		case order:
			kind = broker.Rejected
		case status >= 500:
			kind = broker.Transient
		}
	}
	e := &broker.Error{Kind: kind, Code: code, Msg: msg}
	if hint != "" {
		if e.Msg != "" {
			e.Msg += " — "
		}
		e.Msg += hint
	}
	if kind == broker.RateLimited {
		e.RetryAfter = time.Second
	}
	return e
}

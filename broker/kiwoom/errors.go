package kiwoom

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// Where the detail code sits in return_msg. Kiwoom has been seen to use
// three shapes (shared/broker-api/kiwoom.md §7 and the order rejections
// cited at orderCodes):
//
//	인증에 실패했습니다[8005:Token이 유효하지 않습니다]     documented code in brackets
//	[2000](855056:매수증거금이 부족합니다. 16주 매수가능)    order desk code after a [2000] class
//	... CODE=8005 ...                                       WebSocket LOGIN failures
var (
	reBracketCode = regexp.MustCompile(`\[(\d{4}):`)
	reOrderCode   = regexp.MustCompile(`\[\d{4}\]\s*\(\s*(-?[A-Za-z]{0,4}\d{1,8})\s*:`)
	reEqualsCode  = regexp.MustCompile(`CODE=(\d+)`)
)

// errorCode returns the most specific code a failed answer carries: the
// order desk's code, the documented 4-digit code from the message, or
// return_code itself — which is the documented code when it is ≥ 1000 (the
// official client's reading) and only a class (2, 3, 5, 20) otherwise.
func errorCode(returnCode int64, msg string) string {
	if m := reOrderCode.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	if m := reBracketCode.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	if m := reEqualsCode.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return strconv.FormatInt(returnCode, 10)
}

// codeKinds maps the documented codes (the error_codes table of the
// official kiwoom_api_spec.json, shared/broker-api/kiwoom.md §7) to what a
// caller should do about them.
var codeKinds = map[string]broker.Kind{
	"1501": broker.Invalid,     // API ID missing
	"1504": broker.Invalid,     // API ID not served on this URI
	"1505": broker.Invalid,     // unknown API ID
	"1511": broker.Invalid,     // required input missing
	"1512": broker.Invalid,     // HTTP header unreadable
	"1513": broker.Auth,        // authorization header missing
	"1514": broker.Auth,        // bad authorization format
	"1515": broker.Auth,        // bad grant type in authorization
	"1516": broker.Auth,        // no token in authorization
	"1517": broker.Invalid,     // bad input format
	"1634": broker.Invalid,     // too many codes in one call (third-party, ka10095)
	"1687": broker.Invalid,     // 재귀 호출이 발생하여 API 호출을 제한합니다: the caller loops (an input error in Kiwoom's own client, issue 12.3); waiting and retrying repeats it
	"1700": broker.RateLimited, // per-API request limit (유량=)
	"1701": broker.RateLimited, // total request limit (총유량=)
	"1702": broker.RateLimited, // group request limit
	"1901": broker.NotFound,    // market code not found
	"1902": broker.NotFound,    // no such stock
	"1903": broker.NotFound,    // no such stock on this exchange
	"1999": broker.Transient,   // unexpected error at Kiwoom
	"8001": broker.Auth,        // app key / secret key verification failed
	"8002": broker.Auth,        // app key / secret key verification failed
	"8003": broker.Auth,        // access token lookup failed
	"8005": broker.Auth,        // token invalid or expired
	"8006": broker.Auth,        // token creation failed
	"8009": broker.Auth,        // token issuance failed
	"8010": broker.Auth,        // token issued to another IP
	"8011": broker.Auth,        // grant_type missing
	"8012": broker.Auth,        // grant_type wrong
	"8015": broker.Auth,        // revoke failed
	"8016": broker.Auth,        // token missing on revoke
	"8020": broker.Auth,        // app key or secret key missing
	"8030": broker.Auth,        // app key is for the other environment (mock/live)
	"8031": broker.Auth,        // token is for the other environment (mock/live)
	"8040": broker.Auth,        // device authentication failed
	"8050": broker.Auth,        // designated device (registered IP) authentication failed
	"8103": broker.Auth,        // token or device authentication failed
	"8104": broker.Rejected,    // not available on the mock server
	"8200": broker.Rejected,    // not available to corporate customers
	"-994": broker.Transient,   // "fail to sendReceive": Kiwoom's back end did not answer (third-party capture)
}

// refreshCodes are answered by renewing the token and trying once more:
// 8005/8031/8103 as the official client does (kiwoom/core/client.py), 8010
// because a token issued from another IP (a token cache copied from a
// laptop, a NAT address that changed) is cured by a token issued from here,
// and 1516/8003 which say the token is gone.
var refreshCodes = map[string]bool{"8005": true, "8031": true, "8103": true, "8010": true, "8003": true, "1516": true}

// orderCodes are order desk rejections seen on real kt10000/kt10001/kt10003
// answers, always return_code 20 (or 2000) with "[2000](CODE:message)".
// Sources: third-party code on GitHub that logs or tests against live and
// mock Kiwoom answers, found by exact-string search of public code (the
// index names no repository), e.g. "[2000](855056:매수증거금이 부족합니다.
// 16주 매수가능)", "[2000](RC4058:모의투자 장종료)", "[2000](RC4003:모의투자
// 호가단위 오류입니다.)" ("tick-probe 실측" on mockapi.kiwoom.com); and the
// OpenAPI+ mock's "[RC4027] 모의투자 상/하한가 오류입니다.", whose RC codes the
// REST mock reuses. Codes not listed fall back to orderMessageKinds.
var orderCodes = map[string]broker.Kind{
	"855056": broker.InsufficientFunds, // 매수증거금이 부족합니다. N주 매수가능 (live)
	"800033": broker.InsufficientFunds, // 매도가능수량이 부족합니다. N주 매도가능 (live and mock)
	"RC4025": broker.InsufficientFunds, // 모의투자 주문가능금액을 확인하세요 / 매수증거금이 부족합니다
	"RC4003": broker.Invalid,           // 모의투자 호가단위 오류입니다
	"RC4027": broker.Invalid,           // 모의투자 상/하한가 오류입니다
	"308003": broker.Invalid,           // 주문단가를 입력하십시요
	"RC4057": broker.MarketClosed,      // 모의투자 장시작전
	"RC4058": broker.MarketClosed,      // 모의투자 장종료
	"571489": broker.MarketClosed,      // 장이 열리지 않는 날입니다
	"RC4007": broker.Rejected,          // 모의투자 매매제한 종목입니다
	"RC4091": broker.Rejected,          // 모의투자 종료된 계좌입니다
	"RC9000": broker.Rejected,          // 모의투자에서는 해당업무가 제공되지 않습니다
	"521790": broker.Rejected,          // 주문 불가능합니다
	"571412": broker.Rejected,          // SOR정정 및 취소주문은 원주문이 SOR주문인 경우 가능합니다
}

// orderMessageKinds classify an order rejection by its words when the code
// is new to us. Order matters: the first match wins.
var orderMessageKinds = []struct {
	words []string
	kind  broker.Kind
}{
	{[]string{"증거금", "주문가능금액", "매수가능금액", "예수금", "잔고가 부족", "매도가능수량", "잔고수량"}, broker.InsufficientFunds},
	{[]string{"호가단위", "가격단위", "상/하한가", "상하한가", "상한가", "하한가", "주문단가", "주문가격"}, broker.Invalid},
	{[]string{"장종료", "장시작전", "장운영", "장 운영", "장마감", "장이 열리지", "장개시", "휴장", "거래시간"}, broker.MarketClosed},
	{[]string{"원주문", "주문번호가 없", "주문이 없", "존재하지 않는 주문"}, broker.NotFound},
	{[]string{"종목코드", "종목정보", "존재하지 않는 종목"}, broker.NotFound},
}

// kindFor classifies a failed answer by its code and, for orders, by its
// message.
func kindFor(code, msg string, order bool) broker.Kind {
	if k, ok := codeKinds[code]; ok {
		return k
	}
	if k, ok := orderCodes[code]; ok {
		return k
	}
	if order {
		for _, m := range orderMessageKinds {
			for _, w := range m.words {
				if strings.Contains(msg, w) {
					return m.kind
				}
			}
		}
	}
	switch code {
	case "5": // the live class of 1700 ("허용된 요청 개수를 초과하였습니다")
		if strings.Contains(msg, "요청 개수") {
			return broker.RateLimited
		}
	case "3": // the live class of auth failures ("인증에 실패했습니다")
		return broker.Auth
	}
	return broker.Rejected
}

// apiError builds the error for a failed answer. Setup problems get a
// message that says what to change, followed by Kiwoom's own words.
func (c *Client) apiError(status int, returnCode int64, msg string, order bool) *broker.Error {
	msg = strings.TrimSpace(msg)
	code := errorCode(returnCode, msg)
	kind := kindFor(code, msg, order)
	if status == 429 {
		kind = broker.RateLimited
	}
	e := &broker.Error{Kind: kind, Code: code, Msg: msg}
	if kind == broker.RateLimited {
		// Kiwoom counts per second (유량=5 per API ID).
		e.RetryAfter = time.Second
	}
	if hint := c.setupHint(code); hint != "" {
		e.Msg = hint + " (Kiwoom: " + msg + ")"
	}
	return e
}

// setupHint explains the errors a user fixes on Kiwoom's portal or in the
// settings rather than by waiting.
func (c *Client) setupHint(code string) string {
	other := ModeLive
	if c.mode == ModeLive {
		other = ModeMock
	}
	switch code {
	case "8030", "8031":
		return fmt.Sprintf("mock and live keys differ: HOGA_MODE=%s but the key is for %s (or the account has not applied for 모의투자); use the %s app key from openapi.kiwoom.com or set HOGA_MODE=%s",
			c.mode, other, c.mode, other)
	case "8001", "8002", "8020":
		return "Kiwoom rejected the app key or secret key: check HOGA_KIWOOM_APP_KEY and HOGA_KIWOOM_SECRET_KEY against the keys shown on openapi.kiwoom.com"
	case "8010", "8040", "8050", "8103":
		return "Kiwoom does not accept requests from this machine: register this server's public IP address for the app key on the Kiwoom REST API portal (openapi.kiwoom.com)"
	}
	return ""
}

// ctxErr wraps a context error. unknown says that an order may already be
// at Kiwoom, which makes the outcome unknown rather than "nothing done".
func ctxErr(err error, unknown bool) error {
	if unknown {
		return &broker.Error{Kind: broker.UnknownOutcome, Msg: "cancelled after the order was sent; check today's orders before trying again", Err: err}
	}
	return &broker.Error{Kind: broker.Transient, Msg: "request cancelled before it was sent", Err: err}
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

package httpapi

import (
	"fmt"

	"github.com/hoga-trade/hoga/bot"
)

// messages are the HTTP layer's own sentences; errors from the order path
// use the chat router's (Server.errorText), so both speak alike.
var messages = map[bot.Lang]map[string]string{
	bot.Korean: {
		"unauthorized":     "인증이 필요합니다: Authorization: Bearer <HOGA_HTTP_TOKEN> 헤더를 보내세요.",
		"bad_scheme":       "Authorization 헤더는 Bearer 방식이어야 합니다.",
		"bad_token":        "토큰이 올바르지 않습니다.",
		"no_token":         "HOGA_HTTP_TOKEN 이 설정되지 않아 제어 API가 꺼져 있습니다.",
		"route":            "그런 경로가 없습니다: %s",
		"method":           "%s 메서드는 이 경로에서 지원하지 않습니다.",
		"too_large":        "요청 본문이 %d 바이트를 넘습니다.",
		"media_type":       "Content-Type 은 application/json 이어야 합니다 (curl: --json '{…}' 또는 -H 'Content-Type: application/json').",
		"empty_body":       "요청 본문이 비어 있습니다. 예: {\"code\":\"005930\",\"side\":\"buy\",\"qty\":3,\"type\":\"limit\",\"price\":198000}",
		"bad_json":         "JSON 을 읽을 수 없습니다: %s",
		"trailing":         "JSON 객체 뒤에 다른 데이터가 있습니다.",
		"bad_id":           "주문 번호 %q 가 올바르지 않습니다 (영문, 숫자, -, _ 로 64자 이내).",
		"bad_key":          "Idempotency-Key 는 1~255자의 보이는 ASCII 문자여야 합니다.",
		"idem.reused":      "이 Idempotency-Key 는 다른 주문에 이미 쓰였습니다. 새 주문에는 새 키를 쓰세요.",
		"idem.inflight":    "같은 Idempotency-Key 의 요청을 아직 처리 중입니다. 잠시 후 다시 시도하세요.",
		"order_not_found":  "주문 %s 을(를) 찾을 수 없습니다.",
		"too_many_waiting": "확인을 기다리는 주문이 너무 많습니다 (%d건). 텔레그램에서 확인하거나 만료를 기다리세요.",
		"chart_off":        "차트를 그릴 수 없습니다: 이 API에 명령 처리기(Router)가 연결되지 않았습니다.",
		"internal":         "내부 오류가 났습니다. 주문 상태는 GET /orders 로 확인하고, 계속되면 로그를 확인하세요.",
		"exit.empty_body":  "요청 본문이 비어 있습니다. 예: {\"code\":\"005930\",\"kind\":\"stop\",\"level\":\"-5%\"}",
		"exit.bad_kind":    "kind %q 는 stop(손절), take(익절), trail(추적손절) 중 하나여야 합니다.",
		"exit.no_level":    "level 이 없습니다. 예: \"-5%\" (손절), \"+10%\" (익절), \"3%\" (추적손절), 또는 원 단위 가격 65000.",
		"exit.idem.reused": "이 Idempotency-Key 는 다른 청산 설정에 이미 쓰였습니다. 새 설정에는 새 키를 쓰세요.",
		"exit.any":         "손절·익절",
		"bad_days":         "days 는 1~%d 사이의 정수여야 합니다 (받은 값: %q).",
	},
	bot.English: {
		"unauthorized":     "Authentication required: send the header Authorization: Bearer <HOGA_HTTP_TOKEN>.",
		"bad_scheme":       "The Authorization header must use the Bearer scheme.",
		"bad_token":        "The token is not valid.",
		"no_token":         "HOGA_HTTP_TOKEN is not set, so the control API is off.",
		"route":            "No such route: %s",
		"method":           "Method %s is not supported on this route.",
		"too_large":        "The request body is over %d bytes.",
		"media_type":       "Content-Type must be application/json (curl: --json '{…}' or -H 'Content-Type: application/json').",
		"empty_body":       "The request body is empty. Example: {\"code\":\"005930\",\"side\":\"buy\",\"qty\":3,\"type\":\"limit\",\"price\":198000}",
		"bad_json":         "The JSON could not be read: %s",
		"trailing":         "There is data after the JSON object.",
		"bad_id":           "Order id %q is not valid (letters, digits, - and _, up to 64).",
		"bad_key":          "Idempotency-Key must be 1 to 255 visible ASCII characters.",
		"idem.reused":      "This Idempotency-Key was already used for a different order. Use a new key for a new order.",
		"idem.inflight":    "A request with this Idempotency-Key is still being processed. Try again shortly.",
		"order_not_found":  "Order %s was not found.",
		"too_many_waiting": "Too many orders are awaiting confirmation (%d). Confirm them in Telegram or let them expire.",
		"chart_off":        "No chart: this API has no command router attached.",
		"internal":         "Internal error. Check GET /orders for the order's state; if it persists, check the logs.",
		"exit.empty_body":  "The request body is empty. Example: {\"code\":\"005930\",\"kind\":\"stop\",\"level\":\"-5%\"}",
		"exit.bad_kind":    "kind %q must be stop, take or trail.",
		"exit.no_level":    "level is missing. e.g. \"-5%\" (stop), \"+10%\" (take), \"3%\" (trail), or a price in won, 65000.",
		"exit.idem.reused": "This Idempotency-Key was already used for a different exit. Use a new key for a new one.",
		"exit.any":         "exit",
		"bad_days":         "days must be a whole number from 1 to %d (got %q).",
	},
}

// msg formats the HTTP layer's sentence key in the configured language.
func (s *Server) msg(key string, args ...any) string {
	cat := messages[s.lang]
	if cat == nil {
		cat = messages[bot.Korean]
	}
	f, ok := cat[key]
	if !ok {
		f = messages[bot.English][key]
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

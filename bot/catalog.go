package bot

import (
	"fmt"
	"regexp"
	"strings"
)

// Lang is a reply language.
type Lang string

// Supported languages. Korean is the default: hoga is for Korean retail
// investors; HOGA_LANG=en switches every user-facing string.
const (
	Korean  Lang = "ko"
	English Lang = "en"
)

// ParseLang reads "ko" or "en".
func ParseLang(s string) (Lang, error) {
	switch Lang(s) {
	case Korean, English:
		return Lang(s), nil
	case "":
		return Korean, nil
	}
	return "", fmt.Errorf("language %q must be ko or en", s)
}

// catalogs holds every user-facing string, one map per language, so a
// translation is one place to edit and a test checks both have every key.
// Values are fmt formats producing Telegram HTML.
var catalogs = map[Lang]map[string]string{
	Korean: {
		"help": "<b>hoga</b> — 호가 트레이딩 봇 (%s · %s)\n\n" +
			"/price 종목코드 — 현재가\n" +
			"/buy 종목코드 수량 [가격] — 매수 (가격 없으면 시장가)\n" +
			"/sell 종목코드 수량 [가격] — 매도 (가격 없으면 시장가)\n" +
			"/cancel 주문번호 — 주문 취소\n" +
			"/orders — 오늘 주문 (/orders open: 미체결만)\n" +
			"/balance — 잔고와 평가손익\n" +
			"/rules — 자동매매 규칙, /rule add|del|on|off …\n" +
			"/halt — 모든 주문 정지, /resume — 재개\n" +
			"/status — 상태\n\n" +
			"예: <code>/buy 005930 3 198000</code>, <code>/sell 005930 3 market</code>",
		"unknown_command":     "알 수 없는 명령입니다: %s\n/help 로 명령 목록을 보세요.",
		"not_command":         "명령은 / 로 시작합니다. 예: <code>/price 005930</code> — /help 참고",
		"usage.price":         "사용법: <code>/price 종목코드</code> (예: <code>/price 005930</code>, <code>/price 삼성전자</code>)",
		"stocks.head":         "<b>종목</b> (코드나 이름으로 주문하세요)",
		"usage.order":         "사용법: <code>/%s 종목코드 수량 [가격|market]</code> (예: <code>/%s 005930 3 198000</code>)",
		"usage.cancel":        "사용법: <code>/cancel 주문번호</code> — 주문번호는 /orders 에서 확인하세요.",
		"usage.rule":          "사용법: <code>/rule add 005930 buy&lt;190000 sell&gt;210000 qty=3 [market] [max=50] [cooldown=10m] [confirm]</code>, <code>/rule del 005930</code>, <code>/rule on|off 005930</code>",
		"bad.code":            "종목코드 %s 가 올바르지 않습니다. 종목코드는 6자리입니다 (예: 005930).",
		"bad.qty":             "수량 %s 가 올바르지 않습니다. 1 이상의 정수를 쓰세요.",
		"bad.price":           "가격 %s 가 올바르지 않습니다. 원 단위 정수를 쓰거나, 시장가는 market 이라고 쓰세요.",
		"bad.tick":            "가격 %s원은 호가단위(%s원)에 맞지 않습니다. 가까운 가격: %s원 또는 %s원",
		"bad.extra":           "인자가 너무 많습니다: %s",
		"bad.rule":            "규칙이 올바르지 않습니다: %s",
		"quote":               "<b>%s</b> (%s)\n현재가 <b>%s원</b> %s (%s)\n시가 %s · 고가 %s · 저가 %s\n거래량 %s주 · 상한 %s · 하한 %s",
		"side.buy":            "매수",
		"side.sell":           "매도",
		"type.market":         "시장가",
		"type.limit":          "%s원",
		"order.placed":        "✅ %s 주문 접수: %s (%s) %s주 %s\n주문번호 <code>%s</code>",
		"order.filled":        "\n체결: %s주 @ %s원",
		"order.cancelled":     "🚫 주문 <code>%s</code> 취소 요청 완료",
		"confirm.ask":         "⚠️ <b>%s 주문 확인</b>\n%s %s (%s)\n수량 %s주 · %s\n예상 금액 약 %s원\n%d초 안에 [확인]을 누르세요.",
		"confirm.ok":          "확인",
		"confirm.no":          "주문 안 함",
		"confirm.sending":     "⏳ 주문 전송 중… %s %s %s주",
		"confirm.cancelled":   "주문을 취소했습니다. 아무것도 전송되지 않았습니다.",
		"confirm.expired":     "이 확인 버튼은 만료되었거나 이미 사용되었습니다. 주문은 전송되지 않았습니다. 다시 주문하세요.",
		"confirm.not_yours":   "이 확인 버튼은 주문한 사람만 누를 수 있습니다.",
		"console.pick":        "번호를 입력하세요",
		"console.too_long":    "한 줄이 너무 깁니다(%d바이트 초과). 그 줄은 무시했습니다. 명령은 짧게 입력하세요.",
		"orders.none":         "오늘 주문이 없습니다.",
		"orders.head":         "<b>오늘 주문</b> (%d건)",
		"orders.line":         "%s %s %s %s주 %s — %s%s",
		"orders.by":           " · %s",
		"status.pending":      "접수 대기",
		"status.accepted":     "미체결",
		"status.partial":      "부분체결 %s주",
		"status.filled":       "체결 %s주 @%s",
		"status.cancelled":    "취소",
		"status.rejected":     "거부",
		"status.unknown":      "⚠️ 결과 확인 중 (재전송하지 않음)",
		"status.expired":      "⚠️ 미확인 — 증권사 주문내역을 확인하세요",
		"balance.head":        "<b>잔고</b>\n예수금 %s원 · 주문가능 %s원\n주식 평가 %s원 · 총 %s원\n평가손익 %s원",
		"balance.none":        "보유 종목이 없습니다.",
		"balance.line":        "%s (%s) %s주 · 평균 %s · 현재 %s · %s원 (%s)",
		"halted":              "⛔ 긴급 정지했습니다. 새 주문과 자동매매가 모두 멈춥니다. /resume 으로 재개하세요.",
		"resumed":             "▶️ 재개했습니다. 주문과 자동매매를 다시 받습니다.",
		"already_halted":      "이미 정지 상태입니다 (%s, %s). /resume 으로 재개하세요.",
		"not_halted":          "정지 상태가 아닙니다.",
		"unavailable":         "이 기능은 설정되지 않았습니다.",
		"status":              "<b>hoga 상태</b>\n모드: %s · 브로커: %s\n가동 시간: %s\n상태: %s\n장: %s",
		"status.token":        "\n토큰 만료: %s",
		"status.account":      "\n계좌: %s",
		"status.strategy":     "\n자동매매: %s",
		"status.rules":        "규칙 %d개 (켜짐 %d)",
		"activity.running":    "실행 중",
		"activity.paused":     "긴급 정지로 일시정지",
		"activity.unattended": "텔레그램 연결이 끊겨 일시정지 (연결되면 자동 재개)",
		"activity.closed":     "장 시간 외 대기",
		"activity.stopped":    "멈춤",
		"rules.limit":         "지정가",
		"status.errors":       "\n최근 오류:\n%s",
		"status.halted":       "⛔ 정지 (%s)",
		"status.running":      "정상",
		"market.open":         "열림",
		"market.closed":       "닫힘 — 다음 개장 %s",
		"market.always":       "시간 제한 없음 (HOGA_MARKET_HOURS=always)",
		"mode.mock":           "모의투자",
		"mode.live":           "실전",
		"mode.paper":          "페이퍼 (가상)",
		"rules.none":          "자동매매 규칙이 없습니다. 예: <code>/rule add 005930 buy&lt;190000 sell&gt;210000 qty=3</code>",
		"rules.head":          "<b>자동매매 규칙</b>",
		"rules.line":          "%s %s — %s주 %s%s%s · %s",
		"rules.buy":           "매수&lt;%s",
		"rules.sell":          "매도&gt;%s",
		"rules.max":           " 최대 %s주",
		"rules.cooldown":      " 쿨다운 %s",
		"rules.on":            "켜짐",
		"rules.off":           "꺼짐",
		"rules.off_auto":      "꺼짐 (실패가 이어져 자동으로 꺼졌습니다 — <code>/rule on %s</code> 로 다시 켜기)",
		"rules.state":         " (매수 %s, 매도 %s, 오늘 %d회)",
		"rules.armed":         "대기",
		"rules.disarmed":      "발동됨",
		"rules.saved":         "규칙을 저장했습니다:\n%s",
		"rules.deleted":       "%s 규칙을 삭제했습니다.",
		"rules.enabled":       "%s 규칙을 켰습니다.",
		"rules.disabled":      "%s 규칙을 껐습니다.",
		"rules.unavailable":   "자동매매가 설정되지 않았습니다.",
		"unauthorized":        "권한이 없습니다. 사용자 ID %s 는 허용 목록에 없습니다. 소유자에게 HOGA_TELEGRAM_ALLOWED_USERS 에 추가해 달라고 하세요.",
		"stale":               "이 메시지는 %s 전에 보낸 것이라 실행하지 않았습니다 (한도 %s). 지금도 원하면 다시 보내세요.",
		"whoami":              "이제 사용자 %s 로 명령합니다.",

		// Telegram's command menu (setMyCommands): plain text, ≤ 256 characters.
		"cmd.help":    "명령 목록과 사용법",
		"cmd.price":   "현재가 — /price 005930",
		"cmd.buy":     "매수 — /buy 종목코드 수량 [가격]",
		"cmd.sell":    "매도 — /sell 종목코드 수량 [가격]",
		"cmd.cancel":  "주문 취소 — /cancel 주문번호",
		"cmd.orders":  "오늘 주문",
		"cmd.balance": "잔고와 평가손익",
		"cmd.rules":   "자동매매 규칙 목록",
		"cmd.rule":    "규칙 추가·삭제 — /rule add|del|on|off …",
		"cmd.halt":    "긴급 정지: 모든 주문 중단",
		"cmd.resume":  "긴급 정지 해제",
		"cmd.status":  "상태: 모드, 브로커, 장, 최근 오류",

		"err.invalid":               "❌ 요청이 올바르지 않습니다: %s",
		"err.rejected":              "❌ 브로커가 주문을 거부했습니다: %s",
		"err.insufficient_funds":    "❌ 잔고가 부족합니다: %s — /balance 로 주문가능 금액과 수량을 확인하세요.",
		"err.market_closed":         "❌ 지금은 주문할 수 없습니다 (%s). 다음 개장: %s",
		"err.market_closed_nt":      "❌ 지금은 주문할 수 없습니다: %s",
		"err.auth":                  "❌ 브로커 인증 실패: %s — 앱 키/시크릿과 모의/실전 모드(HOGA_MODE)를 확인하세요.",
		"err.rate_limited":          "⏳ 브로커 요청 한도를 넘었습니다: %s — 잠시 후 다시 시도하세요. 아무것도 전송되지 않았습니다.",
		"err.transient":             "⚠️ 브로커와 통신하지 못했습니다: %s — 주문은 전송되지 않았습니다. 잠시 후 다시 시도하세요.",
		"err.unknown_outcome":       "⚠️ 주문 결과를 알 수 없습니다: %s — 다시 보내지 마세요. 브로커의 오늘 주문과 대조해 결과를 알려 드립니다. /orders 로 확인할 수 있습니다.",
		"err.unknown_outcome_plain": "⚠️ 주문을 보냈지만 답이 오지 않아 결과를 알 수 없습니다. 다시 보내지 마세요. 브로커의 오늘 주문과 대조해 결과를 알려 드립니다. /orders 로 확인할 수 있습니다.",
		"err.not_found":             "❌ 찾을 수 없습니다: %s",
		"err.halted":                "⛔ 긴급 정지 중이라 주문하지 않았습니다. /resume 으로 재개하세요.",
		"err.limit_exceeded":        "❌ 위험 한도에 걸렸습니다: %s",
		"err.order_krw":             "❌ 주문 금액이 1회 한도 %s원을 넘습니다 (시장가 매수는 상한가로 계산). 수량을 줄이거나 HOGA_MAX_ORDER_KRW 를 바꾸세요.",
		"err.order_krw_sum":         "❌ 주문 금액 %s주 × %s원 = %s원(%s)이 1회 한도 %s원을 넘습니다. 수량을 줄이거나 HOGA_MAX_ORDER_KRW 를 바꾸세요.",
		"basis.limit":               "지정가",
		"basis.upper":               "시장가 매수는 상한가로 계산: 증권사가 잡아 두는 금액",
		"basis.current":             "시장가 매도는 현재가로 계산",
		"err.daily_orders":          "❌ 오늘 주문 한도 %d건에 도달했습니다 (모든 경로 합계). 내일 다시 하거나 HOGA_MAX_DAILY_ORDERS 를 바꾸세요.",
		"err.no_such_order":         "❌ 오늘 주문 중 %s 번이 없습니다. /orders 로 주문번호를 확인하세요.",
		"err.not_at_broker":         "브로커에 주문이 없어 전송되지 않은 것으로 확인했습니다. 원하면 다시 주문하세요.",
		"err.expired_unknown":       "확인되지 않은 채 지난 주문입니다. 증권사 주문내역과 /balance 를 확인하세요.",
		"err.internal":              "❌ 내부 오류가 났습니다. 주문 상태는 /orders 로 확인하고, 계속되면 로그를 확인하세요.",
		"err.unreadable":            "⚠️ 증권사의 답을 읽을 수 없습니다: %s — 잠시 후 다시 시도하세요. 주문을 보냈다면 /orders 로 상태를 확인하세요.",

		"weekday.0": "일", "weekday.1": "월", "weekday.2": "화", "weekday.3": "수",
		"weekday.4": "목", "weekday.5": "금", "weekday.6": "토",

		"alert.placed":             "🟢 주문 접수 [%s] %s %s %s주 %s — 주문번호 %s",
		"alert.filled":             "💰 체결 %s %s %s주 @ %s원",
		"alert.rejected":           "🔴 주문 거부 [%s] %s %s %s주 %s — %s",
		"alert.unknown":            "⚠️ 주문 결과 불명 [%s] %s %s %s주 %s — 대조 중: %s",
		"alert.reconciled":         "✅ 결과 확인 [%s] %s %s %s주 — %s",
		"alert.cancelled":          "🚫 주문 취소 %s (%s)",
		"who.telegram":             "텔레그램 사용자 %s",
		"who.telegram_any":         "텔레그램",
		"who.console":              "콘솔",
		"who.http":                 "HTTP API",
		"who.strategy":             "자동매매",
		"who.rule":                 "자동매매 규칙 %s",
		"alert.fallback":           "⚠️ 알림 채팅(%d)에 알림을 보낼 수 없습니다: %s. 이제부터 알림은 이 개인 채팅으로 옵니다. 봇을 그 채팅에 다시 추가하거나 HOGA_TELEGRAM_ALERT_CHAT 을 고친 뒤 hoga 를 다시 시작하세요.",
		"alert.fallback.forbidden": "봇이 내보내졌거나 차단되었습니다",
		"alert.fallback.not_found": "텔레그램이 그런 채팅이 없다고 합니다",
		"quote.when":               "⏱ %s 시세",
		"rule.need_leg":            "매수 조건(buy&lt;가격)이나 매도 조건(sell&gt;가격)이 하나는 있어야 합니다",
		"rule.order":               "매수 가격 %s원이 매도 가격 %s원보다 낮아야 합니다",
		"rule.qty":                 "수량(qty=)을 1 이상으로 쓰세요",
		"rule.max":                 "최대 보유 %s주가 한 번의 수량 %s주보다 적습니다",
		"orders.head_open":         "<b>오늘 미체결 주문</b> (%d건)",
		"orders.none_open":         "미체결 주문이 없습니다. 오늘 주문 전체는 /orders",
		"usage.orders":             "사용법: <code>/orders</code> (오늘 주문 전체) 또는 <code>/orders open</code> (미체결만)",
		"page":                     " · %d/%d쪽",
		"nav.prev":                 "◀ 이전",
		"nav.next":                 "다음 ▶",
		"nav.refresh":              "🔄 새로고침",
		"quote.when_market":        "⏱ %s 시세 · %s",
		"mkt.holiday":              "휴장일",
		"mkt.before":               "장 시작 전",
		"mkt.nxt_pre":              "NXT 프리마켓 (KRX 개장 전)",
		"mkt.auction_open":         "장 시작 동시호가",
		"mkt.open":                 "장중",
		"mkt.auction_close":        "장 마감 동시호가",
		"mkt.nxt_after":            "KRX 장 마감 · NXT 애프터마켓",
		"mkt.closed":               "장 마감",
		"confirm.expired_note":     "\n\n⌛ 확인 시간이 지났습니다. 주문은 전송되지 않았습니다. 원하면 다시 주문하세요.",
		"telegram.back":            "✅ 텔레그램 연결이 돌아왔습니다 (%s 동안 끊김). 자동매매를 다시 시작합니다.",
		"telegram.conflict":        "⚠️ 다른 프로그램이 이 봇 토큰으로 메시지를 받고 있습니다 (두 번째 hoga 또는 다른 봇 프로그램). 명령과 버튼 일부가 그쪽으로 가서 여기서는 실행되지 않습니다. 다른 프로세스를 끄거나, 그쪽에 다른 토큰을 쓰세요.",
		"status.surface":           "\n⚠️ 텔레그램 연결 끊김 (%s부터, %s) — 자동매매 일시정지",
		"alert.surface_down":       "⏸ 텔레그램 연결이 끊겨 (%s) 자동매매를 일시정지합니다. 미체결 주문은 그대로 둡니다. 연결이 돌아오면 저절로 재개하고 알려 드립니다.",
		"surface.token_refused":    "텔레그램이 봇 토큰을 거부함 — @BotFather 에서 토큰을 확인하세요",
		"surface.refused":          "텔레그램이 요청을 거부함",
		"surface.dead_connection":  "텔레그램 응답 없음",
		"surface.unreachable":      "텔레그램에 연결할 수 없음",
		"stale.read":               "⏳ %s 전에 보낸 질문입니다. 지금 기준으로 답합니다.",
		"dur.d":                    "%d일",
		"dur.h":                    "%d시간",
		"dur.m":                    "%d분",
		"dur.s":                    "%d초",
		"future":                   "⚠️ 이 메시지의 시각이 hoga 시계보다 %s 앞서 있습니다. 텔레그램이 보낸 메시지일 수 없어 실행하지 않았습니다. 서버 시계를 확인하세요.",
		"alert.halted":             "⛔ 긴급 정지 (%s)",
		"alert.resumed":            "▶️ 재개 (%s)",
		"alert.started":            "🚀 hoga 시작 — %s · %s",
		"alert.stopped":            "🛑 hoga 종료",
		"alert.broker_error":       "⚠️ 브로커(%s) 문제: %s — %s",
		"alert.broker_ok":          "✅ 브로커(%s)가 다시 정상입니다.",
		"hint.auth":                "앱 키·시크릿과 모의/실전 모드(HOGA_MODE)를 확인하세요. 토큰 만료라면 hoga 가 새로 받습니다.",
		"hint.transient":           "증권사 서버나 네트워크 문제입니다. hoga 가 다시 시도하며, 주문을 두 번 보내지 않습니다.",
		"hint.rate_limited":        "요청 한도를 넘었습니다. hoga 가 속도를 늦춰 다시 시도합니다 (HOGA_KIS_RPS / HOGA_KIWOOM_RPS).",
		"hint.internal":            "hoga 가 읽지 못한 응답입니다. 로그를 확인하세요.",
		"hint.unreadable":          "증권사가 성공이라면서 읽을 수 없는 답(빈 목록 항목, 0원 시세 등)을 보냈습니다. hoga 가 다시 조회하며, 이것만으로 주문이 없다고 판단하지 않습니다.",

		"strategy.placed":         "🤖 자동매매 %s 현재가 %s원 (%s) → %s %s주 %s 주문 접수, 주문번호 %s",
		"strategy.asked":          "✋ 자동매매 %s 현재가 %s원 (%s) → %s %s주 %s — 확인을 기다립니다",
		"strategy.rejected":       "🔴 자동매매 %s %s %s주 %s 주문이 거부되었습니다: %s — 잠시 후 다시 시도합니다 (%d회 연속 실패하면 규칙을 끕니다)",
		"strategy.unknown":        "⚠️ 자동매매 %s %s %s주 %s 주문 결과를 알 수 없습니다: %s — 브로커 주문과 대조 중이며, 이번 조건으로는 다시 주문하지 않습니다",
		"strategy.limit":          "⛔ 자동매매 %s %s %s주 %s 주문이 위험 한도에 걸렸습니다: %s — 가격이 %s 돌아간 뒤 다시 발동합니다",
		"strategy.skipped.buy":    "ℹ️ 자동매매 %s 현재가 %s원 (%s) — 이미 최대 %s주를 보유하고 있어 매수하지 않습니다",
		"strategy.skipped.sell":   "ℹ️ 자동매매 %s 현재가 %s원 (%s) — 매도할 수 있는 주식이 없어 매도하지 않습니다",
		"strategy.disabled":       "🛑 자동매매 %s 규칙을 껐습니다: %d회 연속 실패, 마지막 오류 %s — 원인을 확인한 뒤 <code>/rule on %s</code> 로 다시 켜세요",
		"strategy.rearmed":        "🔄 자동매매 %s %s 조건 다시 대기 — 현재가 %s원",
		"strategy.halted":         "⏸ 자동매매 일시정지: 긴급 정지 중입니다. /resume 하면 다시 시작합니다.",
		"strategy.unattended":     "⏸ 자동매매 일시정지: 텔레그램으로 연락할 수 없어 자동 주문을 멈췄습니다 (열린 주문은 그대로). 연결이 돌아오면 저절로 재개합니다.",
		"strategy.quote_failed":   "⚠️ 자동매매 %s 시세 조회가 %d회 연속 실패했습니다: %s — 계속 시도합니다",
		"strategy.balance_failed": "⚠️ 자동매매 잔고 조회가 %d회 연속 실패했습니다: %s — 잔고를 확인할 때까지 조건이 맞아도 주문하지 않습니다",
		"strategy.below":          "%s원 미만",
		"strategy.above":          "%s원 초과",
		"strategy.rearm.buy":      "%s원 이상으로",
		"strategy.rearm.sell":     "%s원 이하로",

		// Realtime stream (issue 15).
		"alert.stream_lost":    "📡 실시간 시세 연결이 %s 동안 끊겨 있습니다. 시세와 체결은 조회(polling)로 대신 확인합니다. 다시 연결되면 알려 드립니다.",
		"alert.stream_back":    "📡 실시간 시세 연결이 돌아왔습니다 (%s 끊김). 종목 %d개를 다시 구독했습니다.",
		"status.stream_up":     "\n실시간: 연결됨 (%s부터) · 구독 %d종목 · 마지막 수신 %s 전",
		"status.stream_down":   "\n실시간: 끊김 (%s부터) — 조회로 대신 확인 중",
		"status.stream_polled": "\n구독 한도 초과로 조회하는 종목: %s",
	},
	English: {
		"help": "<b>hoga</b> — KRX trading bot (%s · %s)\n\n" +
			"/price CODE — current price\n" +
			"/buy CODE QTY [PRICE] — buy (no price: market)\n" +
			"/sell CODE QTY [PRICE] — sell (no price: market)\n" +
			"/cancel ORDERNO — cancel an order\n" +
			"/orders — today's orders (/orders open: open ones only)\n" +
			"/balance — cash, holdings and P&amp;L\n" +
			"/rules — strategy rules, /rule add|del|on|off …\n" +
			"/halt — stop all orders, /resume — resume\n" +
			"/status — status\n\n" +
			"e.g. <code>/buy 005930 3 198000</code>, <code>/sell 005930 3 market</code>",
		"unknown_command":     "Unknown command: %s\nSee /help for the list.",
		"not_command":         "Commands start with /. e.g. <code>/price 005930</code> — see /help",
		"usage.price":         "Usage: <code>/price CODE</code> (e.g. <code>/price 005930</code>, <code>/price 삼성전자</code>)",
		"stocks.head":         "<b>Stocks</b> (use the code or the name)",
		"usage.order":         "Usage: <code>/%s CODE QTY [PRICE|market]</code> (e.g. <code>/%s 005930 3 198000</code>)",
		"usage.cancel":        "Usage: <code>/cancel ORDERNO</code> — order numbers are in /orders.",
		"usage.rule":          "Usage: <code>/rule add 005930 buy&lt;190000 sell&gt;210000 qty=3 [market] [max=50] [cooldown=10m] [confirm]</code>, <code>/rule del 005930</code>, <code>/rule on|off 005930</code>",
		"bad.code":            "Stock code %s is not valid. Codes are 6 characters (e.g. 005930).",
		"bad.qty":             "Quantity %s is not valid. Use a whole number of 1 or more.",
		"bad.price":           "Price %s is not valid. Use whole won, or write market for a market order.",
		"bad.tick":            "Price %s won is off the tick grid (%s won). Nearest valid prices: %s or %s won",
		"bad.extra":           "Too many arguments: %s",
		"bad.rule":            "Rule is not valid: %s",
		"quote":               "<b>%s</b> (%s)\nPrice <b>%s won</b> %s (%s)\nOpen %s · High %s · Low %s\nVolume %s · Upper %s · Lower %s",
		"side.buy":            "Buy",
		"side.sell":           "Sell",
		"type.market":         "market",
		"type.limit":          "at %s won",
		"order.placed":        "✅ %s order accepted: %s (%s) %s shares %s\nOrder no. <code>%s</code>",
		"order.filled":        "\nFilled: %s shares @ %s won",
		"order.cancelled":     "🚫 Cancel of order <code>%s</code> accepted",
		"confirm.ask":         "⚠️ <b>Confirm %s order</b>\n%s %s (%s)\nQty %s · %s\nEstimated about %s won\nPress [Confirm] within %d seconds.",
		"confirm.ok":          "Confirm",
		"confirm.no":          "Don't order",
		"confirm.sending":     "⏳ Sending order… %s %s %s shares",
		"confirm.cancelled":   "Order cancelled. Nothing was sent.",
		"confirm.expired":     "This button has expired or was already used. No order was sent. Place the order again.",
		"confirm.not_yours":   "Only the person who placed this order can confirm it.",
		"console.pick":        "type the number",
		"console.too_long":    "That line is too long (over %d bytes) and was ignored. Type commands on short lines.",
		"orders.none":         "No orders today.",
		"orders.head":         "<b>Today's orders</b> (%d)",
		"orders.line":         "%s %s %s %s sh %s — %s%s",
		"orders.by":           " · %s",
		"status.pending":      "pending",
		"status.accepted":     "open",
		"status.partial":      "partly filled %s",
		"status.filled":       "filled %s @%s",
		"status.cancelled":    "cancelled",
		"status.rejected":     "rejected",
		"status.unknown":      "⚠️ outcome being checked (not resent)",
		"status.expired":      "⚠️ never confirmed — check the broker's order history",
		"balance.head":        "<b>Balance</b>\nCash %s won · Orderable %s won\nStocks %s won · Total %s won\nP&amp;L %s won",
		"balance.none":        "No holdings.",
		"balance.line":        "%s (%s) %s sh · avg %s · now %s · %s won (%s)",
		"halted":              "⛔ Halted. New orders and the strategy are stopped. /resume to resume.",
		"resumed":             "▶️ Resumed. Orders and the strategy run again.",
		"already_halted":      "Already halted (%s, %s). /resume to resume.",
		"not_halted":          "Not halted.",
		"unavailable":         "This feature is not configured.",
		"status":              "<b>hoga status</b>\nMode: %s · Broker: %s\nUptime: %s\nState: %s\nMarket: %s",
		"status.token":        "\nToken expires: %s",
		"status.account":      "\nAccount: %s",
		"status.strategy":     "\nStrategy: %s",
		"status.rules":        "%d rules (%d on)",
		"activity.running":    "running",
		"activity.paused":     "paused (halted)",
		"activity.unattended": "paused: Telegram lost (resumes by itself when it is back)",
		"activity.closed":     "waiting for the session",
		"activity.stopped":    "not running",
		"rules.limit":         "limit",
		"status.errors":       "\nRecent errors:\n%s",
		"status.halted":       "⛔ halted (%s)",
		"status.running":      "running",
		"market.open":         "open",
		"market.closed":       "closed — next open %s",
		"market.always":       "no hours check (HOGA_MARKET_HOURS=always)",
		"mode.mock":           "mock",
		"mode.live":           "LIVE",
		"mode.paper":          "paper (simulated)",
		"rules.none":          "No strategy rules. e.g. <code>/rule add 005930 buy&lt;190000 sell&gt;210000 qty=3</code>",
		"rules.head":          "<b>Strategy rules</b>",
		"rules.line":          "%s %s — %s sh %s%s%s · %s",
		"rules.buy":           "buy&lt;%s",
		"rules.sell":          "sell&gt;%s",
		"rules.max":           " max %s",
		"rules.cooldown":      " cooldown %s",
		"rules.on":            "on",
		"rules.off":           "off",
		"rules.off_auto":      "off (turned off after repeated failures — <code>/rule on %s</code> turns it back on)",
		"rules.state":         " (buy %s, sell %s, %d today)",
		"rules.armed":         "armed",
		"rules.disarmed":      "fired",
		"rules.saved":         "Rule saved:\n%s",
		"rules.deleted":       "Rule for %s deleted.",
		"rules.enabled":       "Rule for %s enabled.",
		"rules.disabled":      "Rule for %s disabled.",
		"rules.unavailable":   "The strategy is not configured.",
		"unauthorized":        "Not authorized. User id %s is not on the allowed list. Ask the owner to add it to HOGA_TELEGRAM_ALLOWED_USERS.",
		"stale":               "This message was sent %s ago, so it was not executed (limit %s). Send it again if you still want it.",
		"whoami":              "Now commanding as user %s.",

		// Telegram's command menu (setMyCommands): plain text, ≤ 256 characters.
		"cmd.help":    "Commands and how to use them",
		"cmd.price":   "Current price — /price 005930",
		"cmd.buy":     "Buy — /buy CODE QTY [PRICE]",
		"cmd.sell":    "Sell — /sell CODE QTY [PRICE]",
		"cmd.cancel":  "Cancel an order — /cancel ORDERNO",
		"cmd.orders":  "Today's orders",
		"cmd.balance": "Cash, holdings, profit and loss",
		"cmd.rules":   "Strategy rules",
		"cmd.rule":    "Add or remove a rule — /rule add|del|on|off …",
		"cmd.halt":    "Kill switch: stop all orders",
		"cmd.resume":  "Resume after /halt",
		"cmd.status":  "Status: mode, broker, market, recent errors",

		"err.invalid":               "❌ Invalid request: %s",
		"err.rejected":              "❌ The broker rejected the order: %s",
		"err.insufficient_funds":    "❌ Not enough cash or shares: %s — check /balance for what you can order.",
		"err.market_closed":         "❌ Orders are not accepted now (%s). Next open: %s",
		"err.market_closed_nt":      "❌ Orders are not accepted now: %s",
		"err.auth":                  "❌ Broker authentication failed: %s — check the app key/secret and HOGA_MODE (mock or live).",
		"err.rate_limited":          "⏳ Broker rate limit reached: %s — try again shortly. Nothing was sent.",
		"err.transient":             "⚠️ Could not reach the broker: %s — the order was not sent. Try again shortly.",
		"err.unknown_outcome":       "⚠️ The order's outcome is unknown: %s — do not resend it. hoga is checking the broker's orders for today and will tell you; /orders shows it.",
		"err.unknown_outcome_plain": "⚠️ The order was sent but no answer came back, so its outcome is unknown. Do not resend it: hoga is checking the broker's orders for today and will tell you; /orders shows it.",
		"err.not_found":             "❌ Not found: %s",
		"err.halted":                "⛔ Halted, so no order was placed. /resume to resume.",
		"err.limit_exceeded":        "❌ Risk limit: %s",
		"err.order_krw":             "❌ The order is over the per-order limit of %s won (a market buy is valued at the upper limit price). Lower the quantity or change HOGA_MAX_ORDER_KRW.",
		"err.order_krw_sum":         "❌ The order's value %s × %s = %s won (%s) is over the per-order limit of %s won. Lower the quantity or change HOGA_MAX_ORDER_KRW.",
		"basis.limit":               "at its limit price",
		"basis.upper":               "a market buy is valued at the upper limit price, what the broker reserves for it",
		"basis.current":             "a market sell is valued at the current price",
		"err.daily_orders":          "❌ Today's limit of %d orders is reached (all sources together). Try tomorrow or change HOGA_MAX_DAILY_ORDERS.",
		"err.no_such_order":         "❌ No order %s today. /orders lists today's order numbers.",
		"err.not_at_broker":         "The broker has no such order, so it was never placed. Send it again if you still want it.",
		"err.expired_unknown":       "Never confirmed and now past. Check the broker's order history and /balance.",
		"err.internal":              "❌ Internal error. Check /orders for the order's state; if it persists, check the logs.",
		"err.unreadable":            "⚠️ The broker's answer could not be read: %s — try again shortly. If an order was sent, check /orders for its state.",

		"weekday.0": "Sun", "weekday.1": "Mon", "weekday.2": "Tue", "weekday.3": "Wed",
		"weekday.4": "Thu", "weekday.5": "Fri", "weekday.6": "Sat",

		"alert.placed":             "🟢 Order accepted [%s] %s %s %s sh %s — no. %s",
		"alert.filled":             "💰 Filled %s %s %s sh @ %s won",
		"alert.rejected":           "🔴 Order rejected [%s] %s %s %s sh %s — %s",
		"alert.unknown":            "⚠️ Order outcome unknown [%s] %s %s %s sh %s — reconciling: %s",
		"alert.reconciled":         "✅ Outcome found [%s] %s %s %s sh — %s",
		"alert.cancelled":          "🚫 Order cancelled %s (%s)",
		"who.telegram":             "Telegram user %s",
		"who.telegram_any":         "Telegram",
		"who.console":              "console",
		"who.http":                 "HTTP API",
		"who.strategy":             "strategy",
		"who.rule":                 "rule %s",
		"alert.fallback":           "⚠️ Alerts cannot be sent to the alert chat (%d): %s. From now on alerts come to this private chat. Add the bot back to that chat or fix HOGA_TELEGRAM_ALERT_CHAT, then restart hoga.",
		"alert.fallback.forbidden": "the bot was removed or blocked",
		"alert.fallback.not_found": "Telegram says there is no such chat",
		"quote.when":               "⏱ quote of %s",
		"rule.need_leg":            "a rule needs a buy condition (buy&lt;PRICE) or a sell condition (sell&gt;PRICE)",
		"rule.order":               "the buy price %s must be below the sell price %s",
		"rule.qty":                 "give a quantity of 1 or more (qty=)",
		"rule.max":                 "the maximum position %s is below the quantity %s",
		"orders.head_open":         "<b>Today's open orders</b> (%d)",
		"orders.none_open":         "No open orders. All of today's: /orders",
		"usage.orders":             "Usage: <code>/orders</code> (all of today's) or <code>/orders open</code> (open ones only)",
		"page":                     " · page %d/%d",
		"nav.prev":                 "◀ Prev",
		"nav.next":                 "Next ▶",
		"nav.refresh":              "🔄 Refresh",
		"quote.when_market":        "⏱ quote of %s · %s",
		"mkt.holiday":              "market holiday",
		"mkt.before":               "before the open",
		"mkt.nxt_pre":              "NXT pre-market (KRX not open yet)",
		"mkt.auction_open":         "opening auction",
		"mkt.open":                 "market open",
		"mkt.auction_close":        "closing auction",
		"mkt.nxt_after":            "KRX closed · NXT after-market",
		"mkt.closed":               "market closed",
		"confirm.expired_note":     "\n\n⌛ The time to confirm is over. No order was sent. Order again if you still want it.",
		"telegram.back":            "✅ Telegram is reachable again (it was down for %s). The strategy runs again.",
		"telegram.conflict":        "⚠️ Another program is receiving messages with this bot's token (a second hoga or another bot program). Some of your commands and button presses go there and are not run here. Stop the other process, or give it its own token.",
		"status.surface":           "\n⚠️ Telegram lost (since %s, %s) — strategy paused",
		"alert.surface_down":       "⏸ Telegram is lost (%s): the strategy pauses. Open orders are left as they are. It resumes by itself, with a notice, when Telegram is back.",
		"surface.token_refused":    "Telegram refused the bot token — check it in @BotFather",
		"surface.refused":          "Telegram refused the requests",
		"surface.dead_connection":  "no answer from Telegram",
		"surface.unreachable":      "cannot reach Telegram",
		"stale.read":               "⏳ You asked %s ago; this is the answer as of now.",
		"dur.d":                    "%d d",
		"dur.h":                    "%d h",
		"dur.m":                    "%d min",
		"dur.s":                    "%d s",
		"future":                   "⚠️ This message is dated %s ahead of hoga's clock. It cannot have come from Telegram, so it was not executed. Check the server's clock.",
		"alert.halted":             "⛔ Halted (%s)",
		"alert.resumed":            "▶️ Resumed (%s)",
		"alert.started":            "🚀 hoga started — %s · %s",
		"alert.stopped":            "🛑 hoga stopped",
		"alert.broker_error":       "⚠️ Broker (%s) trouble: %s — %s",
		"alert.broker_ok":          "✅ Broker (%s) works again.",
		"hint.auth":                "Check the app key/secret and HOGA_MODE (mock or live). An expired token is renewed by hoga.",
		"hint.transient":           "The broker's server or the network has trouble. hoga retries and never sends an order twice.",
		"hint.rate_limited":        "The request limit was reached. hoga slows down and retries (HOGA_KIS_RPS / HOGA_KIWOOM_RPS).",
		"hint.internal":            "An answer hoga could not read. Check the logs.",
		"hint.unreadable":          "The broker answered success with something hoga cannot read (a list field missing, a quote of 0). hoga asks again and never concludes from it that an order is absent.",

		"strategy.placed":         "🤖 Rule %s: price %s won (%s) → %s %s sh %s placed, no. %s",
		"strategy.asked":          "✋ Rule %s: price %s won (%s) → %s %s sh %s — waiting for your confirmation",
		"strategy.rejected":       "🔴 Rule %s: %s %s sh %s was refused: %s — retrying shortly (%d failures in a row turn the rule off)",
		"strategy.unknown":        "⚠️ Rule %s: the outcome of %s %s sh %s is unknown: %s — hoga is checking the broker's orders and will not order again on this crossing",
		"strategy.limit":          "⛔ Rule %s: %s %s sh %s hit a risk limit: %s — it fires again once the price has gone %s",
		"strategy.skipped.buy":    "ℹ️ Rule %s: price %s won (%s) — already holding the maximum of %s shares, so no buy",
		"strategy.skipped.sell":   "ℹ️ Rule %s: price %s won (%s) — no shares to sell, so no sell",
		"strategy.disabled":       "🛑 Rule %s turned off: %d failures in a row, last error %s — check the cause, then <code>/rule on %s</code>",
		"strategy.rearmed":        "🔄 Rule %s: %s re-armed — price %s won",
		"strategy.halted":         "⏸ Strategy paused: trading is halted. /resume to start it again.",
		"strategy.unattended":     "⏸ Strategy paused: you cannot be reached on Telegram, so no automatic orders are placed (open orders stay). It resumes by itself when Telegram is back.",
		"strategy.quote_failed":   "⚠️ Rule %s: quotes failed %d times in a row: %s — still trying",
		"strategy.balance_failed": "⚠️ Strategy: the balance failed %d times in a row: %s — no rule orders until the holdings can be checked",
		"strategy.below":          "below %s won",
		"strategy.above":          "above %s won",
		"strategy.rearm.buy":      "back to %s won or more",
		"strategy.rearm.sell":     "back to %s won or less",

		// Realtime stream (issue 15).
		"alert.stream_lost":    "📡 The realtime price stream has been down for %s. Prices and fills are checked by polling meanwhile. You will hear when it is back.",
		"alert.stream_back":    "📡 The realtime price stream is back (down %s); %d codes resubscribed.",
		"status.stream_up":     "\nRealtime: connected since %s · %d codes · last message %s ago",
		"status.stream_down":   "\nRealtime: down since %s — polling meanwhile",
		"status.stream_polled": "\nPolled (past the subscription limit): %s",
	},
}

// Text renders a catalog entry in lang, for transports that need a
// string of their own (Telegram's command menu, its stop notice).
func Text(lang Lang, key string, args ...any) string { return text(lang, key, args...) }

// text renders key in lang. A missing key is a programming error caught by
// the catalog test; at run time it degrades to the key itself.
func text(lang Lang, key string, args ...any) string {
	f, ok := catalogs[lang][key]
	if !ok {
		f, ok = catalogs[Korean][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return f
	}
	out := fmt.Sprintf(f, args...)
	if lang == English {
		out = singular(out)
	}
	return out
}

// englishOne finds a count of exactly one before a plural noun: "1 shares"
// but not "11 shares", "2,001 shares" or "0.1 times".
var englishOne = regexp.MustCompile(`(^|[^0-9.,])1 (shares|rules|orders|failures|times|seconds|minutes|hours|days)\b`)

// singular makes English agree with a count of one (issue 19, item 4:
// "1 shares"): the catalog says "%s shares" once, for every count.
// Korean needs no such rule (1주, 3주).
func singular(s string) string {
	return englishOne.ReplaceAllStringFunc(s, func(m string) string { return strings.TrimSuffix(m, "s") })
}

package main

import (
	"fmt"

	"github.com/hoga-trade/hoga/bot"
)

// checkTexts are `hoga check`'s lines (and those setup prints after it
// writes .env): Korean by default, English with HOGA_LANG=en, as every
// other sentence hoga says (issue 12). The first word of a line (OK, FAIL,
// --) stays as it is in both: scripts and the reliability suite read it.
// Setting names, file paths and the broker's or the system's own error
// text are kept inside as the detail. A test checks both languages have
// every key with the same formatting verbs.
var checkTexts = map[bot.Lang]map[string]string{
	bot.Korean: {
		"name.settings":      "설정",
		"name.store":         "저장소",
		"name.broker_paper":  "증권사 paper",
		"name.broker":        "증권사 %s (%s)",
		"name.telegram":      "텔레그램",
		"name.http":          "HTTP API",
		"name.rules":         "규칙 파일",
		"timed_out":          "%s 안에 답이 없음: %s",
		"failed":             "검사 %[2]d개 중 %[1]d개 실패",
		"settings.ok":        "유효함 (%s); 주문 1회 최대 %s원, 하루 %d건",
		"settings.env":       "환경 변수",
		"settings.dotenv":    "%s 와 환경 변수",
		"store.todo":         "HOGA_DATA_DIR 와, hoga 를 실행하는 사용자가 그 폴더에 쓸 수 있는지 확인하세요",
		"store.dir":          "데이터 폴더 %s: %v",
		"store.not_writable": "데이터 폴더 %s 에 쓸 수 없음: %v",
		"store.journal":      "%s 의 주문 기록: %v",
		"store.damaged":      "주문 기록 %s: %v",
		"store.damaged.todo": "파일이 손상되었을 수 있습니다: 사본을 남기고 로그를 보세요",
		"store.ok":           "데이터 폴더 %s 쓰기 가능, 주문 기록 %s (스키마 v%d)",
		"broker.token":       "토큰 %s 까지 유효",
		"broker.simulated":   "가상 거래소",
		"broker.quote":       "%s = %s원",
		"broker.quote_fail":  "시세 %s: %v",
		"broker.balance":     "잔고: %v",
		"broker.setup":       "준비: %v",
		"broker.token_fail":  "토큰: %v",
		"broker.cash":        "예수금 %s원",
		"todo.timeout":       "제시간에 답이 없습니다: 이 컴퓨터의 인터넷 연결, 방화벽, 프록시%s를 확인하세요",
		"todo.keys.kis":      "HOGA_KIS_APP_KEY 와 HOGA_KIS_APP_SECRET 을 확인하세요 (모의투자와 실전 앱은 키가 다릅니다; HOGA_MODE=%s)",
		"todo.keys.kiwoom":   "HOGA_KIWOOM_APP_KEY 와 HOGA_KIWOOM_SECRET_KEY 를 확인하세요 (모의투자와 실전 키는 다릅니다; HOGA_MODE=%s). 이 컴퓨터의 공인 IP 가 openapi.kiwoom.com 에 등록되어 있는지도 확인하세요",
		"todo.rate":          "증권사가 요청을 제한하고 있습니다 (KIS 는 토큰을 1분에 한 번 발급합니다): 1분 뒤에 hoga check 를 다시 실행하세요",
		"todo.network":       "증권사와 통신할 수 없습니다: 이 컴퓨터의 인터넷 연결과 방화벽%s을 확인하세요",
		"todo.account.kis":   "HOGA_KIS_ACCOUNT (12345678-01) 와, HOGA_MODE 가 그 계좌의 것인지 확인하세요",
		"todo.account":       "HOGA_MODE 가 계좌와 키에 맞는지 확인하세요",
		"also":               ", %s",
		"tg.skip":            "설정 안 됨 (콘솔 모드)",
		"tg.token":           "토큰: %v",
		"tg.todo.token":      "HOGA_TELEGRAM_TOKEN 을 확인하세요 (@BotFather 에서 받은 토큰)",
		"tg.todo.net":        "이 컴퓨터에서 %s 로 가는 인터넷 연결%s을 확인하세요",
		"tg.chat_fail":       "@%s 정상, 그러나 %s %d: %s",
		"tg.what.alert":      "알림 채팅",
		"tg.what.user":       "사용자",
		"tg.not_forum":       "@%s 정상, 그러나 %s 는 포럼 그룹이 아니어서 토픽 %d 이 없습니다",
		"tg.not_forum.todo":  "HOGA_TELEGRAM_ALERT_CHAT 에서 \":%d\" 를 빼거나, 그룹 설정에서 토픽을 켜세요",
		"tg.topic":           " 토픽 %d (확인 안 함: 확인하려면 메시지를 보내야 합니다)",
		"tg.ok":              "@%s, 알림 받을 곳 %s 에 닿음",
		"tg.todo.migrated":   "그룹이 슈퍼그룹으로 바뀌었습니다: HOGA_TELEGRAM_ALERT_CHAT=%d 로 설정하세요",
		"tg.todo.removed":    "봇이 그룹에서 빠졌습니다: @%s 를 다시 추가하세요",
		"tg.todo.blocked":    "사용자 %d 가 봇을 차단했습니다: 텔레그램에서 @%s 차단을 푸세요",
		"tg.todo.add":        "@%s 를 그룹에 추가하고 HOGA_TELEGRAM_ALERT_CHAT 을 확인하세요 (그룹 id 는 -100 으로 시작합니다)",
		"tg.todo.start":      "사용자 %d 가 t.me/%s 를 열고 시작(Start)을 한 번 눌러야 합니다 (또는 HOGA_TELEGRAM_ALERT_CHAT 을 설정하세요)",
		"tg.unreachable":     "%s 에 연결할 수 없음: %v",
		"tg.429":             "429 요청 한도 초과 (%d초 뒤 다시)",
		"http.off":           "꺼짐 (켜려면 HOGA_HTTP_ADDR(예: 127.0.0.1:8080)와 HOGA_HTTP_TOKEN 을 설정하세요)",
		"http.todo":          "HOGA_HTTP_ADDR 와 HOGA_HTTP_TOKEN 을 고치세요",
		"http.busy":          "%s 에서 연결을 받을 수 없음: %v",
		"http.busy.todo":     "다른 프로그램(또는 실행 중인 hoga)이 그 포트를 쓰고 있습니다: 그 프로그램을 멈추거나 다른 HOGA_HTTP_ADDR 을 고르세요",
		"http.auth":          "bearer 토큰 설정됨",
		"http.no_auth":       "토큰 없음: 제어 경로는 꺼짐 (403), /healthz 와 /metrics 만",
		"http.ok":            "%s 에서 연결을 받을 수 있음; %s",
		"http.running":       "%s 은(는) 실행 중인 hoga 가 쓰고 있음 (/healthz 응답); %s",
		"rules.skip":         "설정 안 됨 (HOGA_RULES_FILE 이 비어 있음; /rule add 는 그대로 됩니다)",
		"rules.todo.path":    "HOGA_RULES_FILE 을 확인하세요 (상대 경로는 %s 에서 시작합니다)",
		"rules.todo.fix":     "파일을 고치세요 (형식: deploy/rules.example.yaml)",
		"rules.ok":           "%s: 규칙 %d개",
		"rules.ok_exits":     "%s: 규칙 %d개, 손절·익절 %d개",
	},
	bot.English: {
		"name.settings":      "settings",
		"name.store":         "store",
		"name.broker_paper":  "broker paper",
		"name.broker":        "broker %s (%s)",
		"name.telegram":      "telegram",
		"name.http":          "http",
		"name.rules":         "rules",
		"timed_out":          "timed out after %s: %s",
		"failed":             "%d of %d checks failed",
		"settings.ok":        "valid (%s); max %s won per order, %d orders a day",
		"settings.env":       "environment",
		"settings.dotenv":    "%s and the environment",
		"store.todo":         "check HOGA_DATA_DIR and that the user hoga runs as may write there",
		"store.dir":          "data dir %s: %v",
		"store.not_writable": "data dir %s is not writable: %v",
		"store.journal":      "journal in %s: %v",
		"store.damaged":      "journal %s: %v",
		"store.damaged.todo": "the file may be damaged: keep a copy and see the logs",
		"store.ok":           "data dir %s writable, journal %s (schema v%d)",
		"broker.token":       "token valid until %s",
		"broker.simulated":   "simulated exchange",
		"broker.quote":       "%s = %s won",
		"broker.quote_fail":  "quote %s: %v",
		"broker.balance":     "balance: %v",
		"broker.setup":       "setup: %v",
		"broker.token_fail":  "token: %v",
		"broker.cash":        "account cash %s won",
		"todo.timeout":       "no answer in time: check this machine's internet access, firewall and proxy%s",
		"todo.keys.kis":      "check HOGA_KIS_APP_KEY and HOGA_KIS_APP_SECRET (mock and live apps have different keys; HOGA_MODE=%s)",
		"todo.keys.kiwoom":   "check HOGA_KIWOOM_APP_KEY and HOGA_KIWOOM_SECRET_KEY (mock and live keys differ; HOGA_MODE=%s) and that this machine's public IP is registered at openapi.kiwoom.com",
		"todo.rate":          "the broker is limiting requests (KIS issues one token a minute): wait a minute and run hoga check again",
		"todo.network":       "cannot talk to the broker: check this machine's internet access and firewall%s",
		"todo.account.kis":   "check HOGA_KIS_ACCOUNT (12345678-01) and that HOGA_MODE matches the account",
		"todo.account":       "check that HOGA_MODE matches the account and keys",
		"also":               " and %s",
		"tg.skip":            "not configured (console mode)",
		"tg.token":           "token: %v",
		"tg.todo.token":      "check HOGA_TELEGRAM_TOKEN (from @BotFather)",
		"tg.todo.net":        "check this machine's internet access to %s%s",
		"tg.chat_fail":       "@%s ok, but %s %d: %s",
		"tg.what.alert":      "alert chat",
		"tg.what.user":       "user",
		"tg.not_forum":       "@%s ok, but %s is not a forum group, so it has no topic %d",
		"tg.not_forum.todo":  "drop \":%d\" from HOGA_TELEGRAM_ALERT_CHAT, or turn on Topics in the group's settings",
		"tg.topic":           " topic %d (not verified: that would need a message)",
		"tg.ok":              "@%s, alerts to %s reachable",
		"tg.todo.migrated":   "the group became a supergroup: set HOGA_TELEGRAM_ALERT_CHAT=%d",
		"tg.todo.removed":    "the bot was removed from the group: add @%s again",
		"tg.todo.blocked":    "user %d blocked the bot: unblock @%s in Telegram",
		"tg.todo.add":        "add @%s to the group, and check HOGA_TELEGRAM_ALERT_CHAT (group ids start with -100)",
		"tg.todo.start":      "user %d must open t.me/%s and press Start once (or set HOGA_TELEGRAM_ALERT_CHAT)",
		"tg.unreachable":     "cannot reach %s: %v",
		"tg.429":             "429 Too Many Requests (retry after %ds)",
		"http.off":           "off (set HOGA_HTTP_ADDR, e.g. 127.0.0.1:8080, and HOGA_HTTP_TOKEN to turn it on)",
		"http.todo":          "fix HOGA_HTTP_ADDR / HOGA_HTTP_TOKEN",
		"http.busy":          "cannot listen on %s: %v",
		"http.busy.todo":     "another program (or a running hoga) holds the port: stop it or choose another HOGA_HTTP_ADDR",
		"http.auth":          "bearer token set",
		"http.no_auth":       "no token: control routes off (403), /healthz and /metrics only",
		"http.ok":            "%s is free to listen on; %s",
		"http.running":       "%s is held by the running hoga (its /healthz answers); %s",
		"rules.skip":         "not configured (HOGA_RULES_FILE is empty; /rule add still works)",
		"rules.todo.path":    "check HOGA_RULES_FILE (a relative path starts from %s)",
		"rules.todo.fix":     "fix the file (format: deploy/rules.example.yaml)",
		"rules.ok":           "%s: %d rules",
		"rules.ok_exits":     "%s: %d rules, %d exits",
	},
}

// ct renders a check text in lang (Korean when a key is missing, the key
// itself when it is missing everywhere — the catalog test catches both).
func ct(lang bot.Lang, key string, args ...any) string {
	f, ok := checkTexts[lang][key]
	if !ok {
		f, ok = checkTexts[bot.Korean][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/hoga-trade/hoga/bot"
)

// configTexts are the sentences a person sees when hoga refuses to start:
// the settings' problems (config.go), the data directory's lock, and the
// other start-up failures printed before the bot runs. Korean by default,
// English with HOGA_LANG=en, as every other sentence hoga says (issue 12,
// item 12). Each line says what is wrong and what to do; setting names and
// values stay verbatim. A test checks both languages have every key with
// the same verbs, and that no Korean line carries an English sentence.
var configTexts = map[bot.Lang]map[string]string{
	bot.Korean: {
		"header": "설정이 올바르지 않아 시작하지 않았습니다 (hoga config 로 모든 설정을 볼 수 있습니다):",

		// A value that is not of the setting's kind.
		"field.duration": "%s=%q: 기간이 아닙니다. 숫자에 단위(s 초, m 분, h 시간)를 붙여 쓰세요 (예: 10s, 1m)",
		"field.negative": "%s=%q: 음수일 수 없습니다. 0 이상의 기간을 쓰세요 (예: 10s)",
		"field.int":      "%s=%q: 정수가 아닙니다. 쉼표나 단위 없이 숫자만 쓰세요 (예: 1000000)",
		"field.float":    "%s=%q: 숫자가 아닙니다. 숫자만 쓰세요 (예: 20 또는 2.5)",
		"field.type":     "%s=%q: 이 설정을 읽을 수 없습니다 (hoga 의 결함입니다: 알려 주세요)",

		"kis.keys":       "HOGA_BROKER=kis 에는 HOGA_KIS_APP_KEY 와 HOGA_KIS_APP_SECRET 이 필요합니다: apiportal.koreainvestment.com 에서 받은 앱 키와 시크릿을 넣으세요 (hoga setup 이 물어봅니다)",
		"kis.account":    "HOGA_KIS_ACCOUNT 는 12345678-01 모양의 계좌번호여야 합니다 (종합계좌 8자리, -, 상품코드 2자리)",
		"kiwoom.keys":    "HOGA_BROKER=kiwoom 에는 HOGA_KIWOOM_APP_KEY 와 HOGA_KIWOOM_SECRET_KEY 가 필요합니다: openapi.kiwoom.com 에서 받은 키를 넣으세요 (hoga setup 이 물어봅니다)",
		"broker":         "HOGA_BROKER=%q: paper, kis, kiwoom 중 하나여야 합니다 (계좌 없이 연습하려면 paper)",
		"mode":           "HOGA_MODE=%q: mock(모의투자) 또는 live(실전)여야 합니다",
		"paper.live":     "HOGA_MODE=live 는 실제 증권사가 있어야 합니다: HOGA_BROKER=kis 또는 kiwoom 으로 하거나, paper 로 연습하려면 HOGA_MODE=mock 으로 하세요",
		"allowed.id":     "HOGA_TELEGRAM_ALLOWED_USERS: %q 는 숫자로 된 텔레그램 사용자 id 가 아닙니다: 숫자 id 를 쉼표로 나눠 쓰세요 (예: 123456789; hoga setup 이 /start 한 번으로 알아냅니다)",
		"allowed.empty":  "HOGA_TELEGRAM_TOKEN 이 설정되었지만 HOGA_TELEGRAM_ALLOWED_USERS 가 비어 있습니다: hoga 에 명령할 수 있는 사용자 id 를 쉼표로 나눠 넣으세요 (hoga setup 이 /start 한 번으로 알아냅니다)",
		"live.allowed":   "HOGA_MODE=live 는 HOGA_TELEGRAM_ALLOWED_USERS 없이 시작하지 않습니다: 명령할 수 있는 사용자 id 를 넣으세요",
		"alert.chat":     "HOGA_TELEGRAM_ALERT_CHAT=%q: 채팅 id 는 숫자여야 합니다 (그룹은 음수, 예: -1001234567890)",
		"alert.topic":    "HOGA_TELEGRAM_ALERT_CHAT=%q: ':' 뒤의 토픽 id 는 양의 정수여야 합니다 (예: -1001234567890:42)",
		"keyboard.bad":   "HOGA_TELEGRAM_KEYBOARD: 버튼 %q 는 hoga 명령이 아닙니다. 쓸 수 있는 명령: /%s (버튼은 쉼표, 줄은 | 로 나눕니다)",
		"keyboard.empty": "HOGA_TELEGRAM_KEYBOARD=%q 에 버튼이 없습니다: 명령을 쉼표로 나눠 쓰거나, 키보드가 필요 없으면 off 로 하세요",
		"http.hostport":  "HOGA_HTTP_ADDR=%q: 호스트:포트 모양이어야 합니다 (예: 127.0.0.1:8080)",
		"http.no_token":  "HOGA_HTTP_ADDR=%q 는 이 컴퓨터 밖에서도 접속할 수 있습니다: HOGA_HTTP_TOKEN 을 설정하거나 (예: openssl rand -hex 32 의 결과), 127.0.0.1 에서만 받으세요",
		"http.no_port":   "HOGA_HTTP_ADDR=%q 에 포트가 없습니다: 포트를 붙이세요 (예: 127.0.0.1:8080)",
		"http.port":      "HOGA_HTTP_ADDR=%q: 포트는 0 에서 65535 사이의 숫자여야 합니다 (예: 127.0.0.1:8080)",
		"http.short":     "HOGA_HTTP_TOKEN 은 %d자 이상이어야 합니다: 긴 임의의 값을 쓰세요 (예: openssl rand -hex 32 의 결과)",
		"http.spaces":    "HOGA_HTTP_TOKEN 에 공백이 있으면 안 됩니다: 공백 없는 임의의 값을 쓰세요 (예: openssl rand -hex 32 의 결과)",
		"max_order":      "HOGA_MAX_ORDER_KRW 는 0보다 커야 합니다: 주문 1회의 최대 금액(원)을 쓰세요 (예: 1000000)",
		"max_daily":      "HOGA_MAX_DAILY_ORDERS 는 0보다 커야 합니다: 하루(KST) 최대 주문 건수를 쓰세요 (예: 20)",
		"market_hours":   "HOGA_MARKET_HOURS=%q: krx(장 시간에만 주문) 또는 always(언제나) 여야 합니다",
		"venue":          "HOGA_VENUE=%q: krx, nxt, sor 중 하나여야 합니다",
		"venue.mock":     "HOGA_VENUE=%q: 모의투자 계좌는 KRX 에서만 거래합니다: HOGA_VENUE=krx 로 하거나 비워 두세요",
		"holiday":        "HOGA_HOLIDAYS: %q 는 YYYY-MM-DD 날짜가 아닙니다: 2026-05-05 처럼 쓰고 여러 날은 쉼표로 나누세요",
		"log_level":      "HOGA_LOG_LEVEL=%q: debug, info, warn, error 중 하나여야 합니다",
		"log_format":     "HOGA_LOG_FORMAT=%q: text 또는 json 이어야 합니다",
		"lang":           "HOGA_LANG=%q: ko(한국어) 또는 en(영어)이어야 합니다",
		"duration":       "%s=%s: %s 와 %s 사이여야 합니다",
		"rps.max":        "HOGA_KIS_RPS 와 HOGA_KIWOOM_RPS 는 1000 이하여야 합니다: 앱 키에 허용된 초당 요청 수를 쓰세요 (KIS 실전 20, 모의투자 2)",
		"rps.negative":   "HOGA_KIS_RPS 와 HOGA_KIWOOM_RPS 는 음수일 수 없습니다: 비워 두면 기본값을 씁니다",
		"paper_cash":     "HOGA_PAPER_CASH 는 음수일 수 없습니다: 가상 계좌의 시작 금액(원)을 쓰세요 (예: 10000000)",
		"report_time":    "HOGA_REPORT_TIME=%q: HH:MM (KST) 모양이어야 합니다 (예: 15:40), 보고가 필요 없으면 off",
		"exit_order":     "HOGA_EXIT_ORDER=%q: market 또는 limit 이어야 합니다",
		"confirm":        "HOGA_CONFIRM=%q: live(실전 주문만 확인) 또는 always(모든 주문 확인)여야 합니다",
		"alerts.form":    "HOGA_ALERTS: %q 는 종류=수준 모양이어야 합니다 (예: orders=on,system=silent)",
		"alerts.type":    "HOGA_ALERTS: 알림 종류 %q 는 없습니다: orders, strategy, errors, system 중 하나를 쓰세요",
		"alerts.level":   "HOGA_ALERTS: %[2]s 의 수준 %[1]q 는 없습니다: on, silent, off 중 하나를 쓰세요",

		// .env, read before anything else.
		"dotenv.irregular": "%s 는 일반 파일이 아닙니다 (%s): .env 는 KEY=VALUE 줄로 된 텍스트 파일이어야 합니다",
		"dotenv.line":      "%s:%d: KEY=VALUE 모양이 아닙니다: 한 줄에 설정 하나를 쓰세요 (예: HOGA_BROKER=paper; 주석은 # 로 시작)",
		"dotenv.read":      "%s 를 읽을 수 없습니다: %s. hoga 를 실행하는 사용자가 읽을 수 있게 하세요",

		// The data directory: made, then locked (lock.go).
		"datadir.mkdir": "HOGA_DATA_DIR=%q: 데이터 폴더를 만들 수 없습니다: %s. hoga 를 실행하는 사용자가 쓸 수 있는 경로를 주세요",
		"lock.held":     "다른 hoga 가 이미 HOGA_DATA_DIR=%s 로 실행 중입니다 (잠금 파일 %s): 그 hoga 를 먼저 멈추거나, 이 hoga 에 다른 HOGA_DATA_DIR 을 주세요",
		"lock.open":     "데이터 폴더 HOGA_DATA_DIR=%s 에 잠금 파일 %s 을(를) 만들 수 없습니다: %s. hoga 를 실행하는 사용자가 그 폴더에 쓸 수 있게 하거나 (예: chmod u+w %[1]s), 쓸 수 있는 다른 HOGA_DATA_DIR 을 주세요",
		"lock.flock":    "잠금 파일 %s 을(를) 잠글 수 없습니다: %s. HOGA_DATA_DIR 을 이 컴퓨터의 디스크에 있는 폴더로 하세요 (네트워크 드라이브는 잠금이 안 될 수 있습니다)",

		// Other start-up failures, before the bot runs (wire.go, brokers.go).
		"url":               "%s=%q: http:// 또는 https:// 로 시작하는 주소여야 합니다 (예: %s)",
		"journal.open":      "HOGA_DATA_DIR=%s 의 주문 기록을 열 수 없어 시작하지 않았습니다: %s. hoga 를 실행하는 사용자가 그 폴더와 그 안의 파일에 쓸 수 있게 하거나 (예: chmod u+w %[1]s), 쓸 수 있는 다른 HOGA_DATA_DIR 을 주세요",
		"paper.open":        "가상 계좌 파일 %s 을(를) 열 수 없어 시작하지 않았습니다: %s. 권한 문제가 아니면 hoga paper reset 으로 가상 계좌를 새로 시작하세요",
		"broker.token":      "%s 에서 첫 토큰을 받지 못해 시작하지 않았습니다 (증권사의 답: %v). %s",
		"broker.token.todo": "hoga check 로 무엇이 문제인지 확인하세요",
		"telegram.refused":  "HOGA_TELEGRAM_TOKEN: 텔레그램이 봇 토큰을 거부했습니다 (401 Unauthorized): @BotFather 에서 토큰을 다시 복사해 넣으세요 (/mybots → API Token)",
		"rules.read":        "HOGA_RULES_FILE=%q 를 읽을 수 없습니다: %s. YAML 규칙 파일의 경로를 주세요 (형식: deploy/rules.example.yaml)",
		"http.listen":       "HOGA_HTTP_ADDR=%q 에서 연결을 받을 수 없어 시작하지 않았습니다: %s. 다른 프로그램(또는 실행 중인 hoga)이 그 포트를 쓰고 있으면 멈추거나, 다른 HOGA_HTTP_ADDR 을 고르세요",
		"defect":            "%s: %v (설정 검사가 걸렀어야 하는 문제입니다: hoga check 를 실행하고 이 줄을 알려 주세요)",

		// hoga setup's flags.
		"setup.lang":       "--lang %q: ko 또는 en 이어야 합니다",
		"setup.broker":     "--broker %q: paper, kis, kiwoom 중 하나여야 합니다",
		"setup.mode":       "--mode %q: mock(모의투자) 또는 live(실전)여야 합니다",
		"setup.paper_live": "--mode live 는 실제 증권사가 있어야 합니다: --broker kis 또는 kiwoom 을 주세요",
		"setup.account":    "--account 는 12345678-01 모양이어야 합니다 (8자리, -, 2자리)",
		"setup.owner":      "--owner %q: 텔레그램 사용자 id (양의 정수) 또는 wait 여야 합니다",
		"setup.alert":      "--alert-chat %q: wait, none, 또는 -1001234567890 같은 채팅 id 여야 합니다 (토픽은 -1001234567890:42 처럼 뒤에)",
		"setup.durations":  "--wait 와 --timeout 은 0보다 커야 합니다 (예: --wait 10m)",

		// The system's reasons, for the lines above.
		"os.permission": "권한이 없습니다",
		"os.readonly":   "읽기 전용 파일 시스템입니다",
		"os.not_exist":  "없습니다",
		"os.not_dir":    "경로의 일부가 폴더가 아닙니다",
		"os.no_space":   "디스크에 빈 공간이 없습니다",
		"os.is_dir":     "파일이 있어야 할 자리에 폴더가 있습니다",
		"os.irregular":  "일반 파일이 아닙니다 (%s)",
		"os.in_use":     "다른 프로그램이 이미 쓰고 있는 주소입니다",
		"os.no_addr":    "이 컴퓨터의 주소가 아닙니다",
		"os.damaged":    "내용을 읽을 수 없습니다 (손상되었을 수 있습니다)",
	},
	bot.English: {
		"header": "invalid configuration, hoga did not start (hoga config lists every setting):",

		"field.duration": "%s=%q: not a duration: write a number and a unit (s, m, h), e.g. 10s, 1m",
		"field.negative": "%s=%q: must not be negative: write a duration of 0 or more, e.g. 10s",
		"field.int":      "%s=%q: not a whole number: write digits only, without commas or units, e.g. 1000000",
		"field.float":    "%s=%q: not a number: write a number only, e.g. 20 or 2.5",
		"field.type":     "%s=%q: hoga cannot read this setting (a defect in hoga: please report it)",

		"kis.keys":       "HOGA_BROKER=kis needs HOGA_KIS_APP_KEY and HOGA_KIS_APP_SECRET: the app key and secret from apiportal.koreainvestment.com (hoga setup asks for them)",
		"kis.account":    "HOGA_KIS_ACCOUNT must be the account number as 12345678-01 (8 digits, dash, 2-digit product code)",
		"kiwoom.keys":    "HOGA_BROKER=kiwoom needs HOGA_KIWOOM_APP_KEY and HOGA_KIWOOM_SECRET_KEY: the keys from openapi.kiwoom.com (hoga setup asks for them)",
		"broker":         "HOGA_BROKER=%q: must be paper, kis or kiwoom (paper to practise without an account)",
		"mode":           "HOGA_MODE=%q: must be mock (모의투자) or live (실전)",
		"paper.live":     "HOGA_MODE=live needs a real broker: set HOGA_BROKER=kis or kiwoom, or HOGA_MODE=mock to practise on paper",
		"allowed.id":     "HOGA_TELEGRAM_ALLOWED_USERS: %q is not a numeric Telegram user id: list numeric ids separated by commas, e.g. 123456789 (hoga setup learns yours from a /start)",
		"allowed.empty":  "HOGA_TELEGRAM_TOKEN is set but HOGA_TELEGRAM_ALLOWED_USERS is empty: list the user ids allowed to command hoga, separated by commas (hoga setup learns yours from a /start)",
		"live.allowed":   "HOGA_MODE=live refuses to start without HOGA_TELEGRAM_ALLOWED_USERS: list the user ids allowed to command hoga",
		"alert.chat":     "HOGA_TELEGRAM_ALERT_CHAT=%q: chat id must be a number (groups are negative, e.g. -1001234567890)",
		"alert.topic":    "HOGA_TELEGRAM_ALERT_CHAT=%q: topic id after ':' must be a positive number (e.g. -1001234567890:42)",
		"keyboard.bad":   "HOGA_TELEGRAM_KEYBOARD: keyboard buttons %q are not hoga commands; valid: /%s (buttons separated by commas, rows by |)",
		"keyboard.empty": "HOGA_TELEGRAM_KEYBOARD=%q has no buttons: list commands separated by commas, or off for no keyboard",
		"http.hostport":  "HOGA_HTTP_ADDR=%q: must be host:port, e.g. 127.0.0.1:8080",
		"http.no_token":  "HOGA_HTTP_ADDR=%q listens beyond this machine: set HOGA_HTTP_TOKEN (e.g. the output of openssl rand -hex 32), or listen on 127.0.0.1 only",
		"http.no_port":   "HOGA_HTTP_ADDR=%q has no port: add one, e.g. 127.0.0.1:8080",
		"http.port":      "HOGA_HTTP_ADDR=%q: the port must be a number from 0 to 65535, e.g. 127.0.0.1:8080",
		"http.short":     "HOGA_HTTP_TOKEN must be at least %d characters: use a long random value (try: openssl rand -hex 32)",
		"http.spaces":    "HOGA_HTTP_TOKEN must not contain spaces: use a random value without spaces (try: openssl rand -hex 32)",
		"max_order":      "HOGA_MAX_ORDER_KRW must be positive: the largest order in won, e.g. 1000000",
		"max_daily":      "HOGA_MAX_DAILY_ORDERS must be positive: the most orders per KST day, e.g. 20",
		"market_hours":   "HOGA_MARKET_HOURS=%q: must be krx (orders in market hours only) or always",
		"venue":          "HOGA_VENUE=%q: must be krx, nxt or sor",
		"venue.mock":     "HOGA_VENUE=%q: a mock (모의투자) account trades on KRX only: set HOGA_VENUE=krx or leave it empty",
		"holiday":        "HOGA_HOLIDAYS: %q is not a YYYY-MM-DD date: write dates like 2026-05-05, separated by commas",
		"log_level":      "HOGA_LOG_LEVEL=%q: must be debug, info, warn or error",
		"log_format":     "HOGA_LOG_FORMAT=%q: must be text or json",
		"lang":           "HOGA_LANG=%q: must be ko (Korean) or en (English)",
		"duration":       "%s=%s: must be between %s and %s",
		"rps.max":        "HOGA_KIS_RPS and HOGA_KIWOOM_RPS must be at most 1000: the requests per second your app key is allowed (KIS allows 20/s live, 2/s mock)",
		"rps.negative":   "HOGA_KIS_RPS and HOGA_KIWOOM_RPS must not be negative: leave them empty for the defaults",
		"paper_cash":     "HOGA_PAPER_CASH must not be negative: the paper account's starting cash in won, e.g. 10000000",
		"report_time":    "HOGA_REPORT_TIME=%q: must be HH:MM (KST), e.g. 15:40, or off",
		"exit_order":     "HOGA_EXIT_ORDER=%q: must be market or limit",
		"confirm":        "HOGA_CONFIRM=%q: must be live (confirm live orders) or always (confirm every order)",
		"alerts.form":    "HOGA_ALERTS: alert setting %q must be type=level, e.g. orders=on,system=silent",
		"alerts.type":    "HOGA_ALERTS: alert type %q must be orders, strategy, errors or system",
		"alerts.level":   "HOGA_ALERTS: alert level %q for %s must be on, silent or off",

		"dotenv.irregular": "%s is not a regular file (%s): .env must be a text file of KEY=VALUE lines",
		"dotenv.line":      "%s:%d: expected KEY=VALUE: one setting a line, e.g. HOGA_BROKER=paper (comments start with #)",
		"dotenv.read":      "cannot read %s: %s. Let the user hoga runs as read it",

		"datadir.mkdir": "HOGA_DATA_DIR=%q: the data directory cannot be made: %s. Give a path the user hoga runs as may write to",
		"lock.held":     "another hoga is already running with HOGA_DATA_DIR=%s (lock %s): stop it first, or give this one its own HOGA_DATA_DIR",
		"lock.open":     "data directory lock: cannot create %[2]s in HOGA_DATA_DIR=%[1]s: %[3]s. Let the user hoga runs as write there (e.g. chmod u+w %[1]s), or give a writable HOGA_DATA_DIR",
		"lock.flock":    "data directory lock: cannot lock %s: %s. Put HOGA_DATA_DIR on this machine's own disk (network drives may not lock)",

		"url":               "%s=%q: must be an http:// or https:// address, e.g. %s",
		"journal.open":      "cannot open the order journal in HOGA_DATA_DIR=%s, so hoga did not start: %s. Let the user hoga runs as write to that folder and its files (e.g. chmod u+w %[1]s), or give a writable HOGA_DATA_DIR",
		"paper.open":        "cannot open the paper account file %s, so hoga did not start: %s. If it is not a matter of permissions, start the paper account afresh with hoga paper reset",
		"broker.token":      "%s gave no first token, so hoga did not start (the broker said: %v). %s",
		"broker.token.todo": "Run hoga check to see what is wrong",
		"telegram.refused":  "HOGA_TELEGRAM_TOKEN: Telegram refused the bot token (401 Unauthorized): copy it again from @BotFather (/mybots → API Token)",
		"rules.read":        "HOGA_RULES_FILE=%q cannot be read: %s. Give the path of a YAML rules file (format: deploy/rules.example.yaml)",
		"http.listen":       "cannot listen on HOGA_HTTP_ADDR=%q, so hoga did not start: %s. If another program (or a running hoga) holds the port, stop it or choose another HOGA_HTTP_ADDR",
		"defect":            "%s: %v (the settings check should have caught this: run hoga check and report this line)",

		"setup.lang":       "--lang %q: must be ko or en",
		"setup.broker":     "--broker %q: must be paper, kis or kiwoom",
		"setup.mode":       "--mode %q: must be mock or live",
		"setup.paper_live": "--mode live needs a real broker: --broker kis or kiwoom",
		"setup.account":    "--account must look like 12345678-01",
		"setup.owner":      "--owner %q: a Telegram user id (a positive number) or wait",
		"setup.alert":      "--alert-chat %q: wait, none, or a chat id like -1001234567890 (optionally :topic, e.g. -1001234567890:42)",
		"setup.durations":  "--wait and --timeout must be positive (e.g. --wait 10m)",

		"os.permission": "permission denied",
		"os.readonly":   "read-only file system",
		"os.not_exist":  "no such file or directory",
		"os.not_dir":    "part of the path is not a directory",
		"os.no_space":   "no space left on the disk",
		"os.is_dir":     "a folder stands where a file should be",
		"os.irregular":  "not a regular file (%s)",
		"os.in_use":     "another program already uses the address",
		"os.no_addr":    "not an address of this machine",
		"os.damaged":    "its contents cannot be read (it may be damaged)",
	},
}

// cfgt renders a start-up text in lang (Korean when lang is unset or a key
// is missing; the catalog test catches a missing key).
func cfgt(lang bot.Lang, key string, args ...any) string {
	f, ok := configTexts[lang][key]
	if !ok {
		f, ok = configTexts[bot.Korean][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// startLang is the language of what hoga says before its settings are
// read, or when they fail: HOGA_LANG as given, Korean when it is empty or
// not a language hoga speaks (that is itself one of the problems listed).
func startLang(raw string) bot.Lang {
	if l, err := bot.ParseLang(strings.ToLower(strings.TrimSpace(raw))); err == nil {
		return l
	}
	return bot.Korean
}

// osReason says why a file operation failed, in lang, for the common
// reasons a person can act on; other errors keep the system's own text.
func osReason(lang bot.Lang, err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return cfgt(lang, "os.permission")
	case errors.Is(err, syscall.EROFS):
		return cfgt(lang, "os.readonly")
	case errors.Is(err, fs.ErrNotExist):
		return cfgt(lang, "os.not_exist")
	case errors.Is(err, syscall.ENOTDIR):
		return cfgt(lang, "os.not_dir")
	case errors.Is(err, syscall.ENOSPC):
		return cfgt(lang, "os.no_space")
	case errors.Is(err, syscall.EISDIR):
		return cfgt(lang, "os.is_dir")
	case errors.Is(err, syscall.EADDRINUSE):
		return cfgt(lang, "os.in_use")
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return cfgt(lang, "os.no_addr")
	case strings.Contains(err.Error(), "readonly database"): // SQLite's own
		return cfgt(lang, "os.readonly")
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// plainDuration writes a bound the way a person types it: 10m, not 10m0s.
func plainDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// fileReason is osReason for a file hoga reads: what is not one of the
// system's reasons is the file's contents.
func fileReason(lang bot.Lang, path string, err error) string {
	if fi, serr := os.Stat(path); serr == nil && !fi.Mode().IsRegular() {
		return cfgt(lang, "os.irregular", fi.Mode().Type())
	}
	var pe *fs.PathError
	var se syscall.Errno
	if errors.As(err, &pe) || errors.As(err, &se) {
		return osReason(lang, err)
	}
	return cfgt(lang, "os.damaged")
}

// startError is a start-up failure said in the owner's language (exit
// status 1); it unwraps to the cause for errors.Is and the log.
type startError struct {
	msg string
	err error
}

func (e *startError) Error() string { return e.msg }

func (e *startError) Unwrap() error { return e.err }

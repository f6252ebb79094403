package main

import (
	"fmt"

	"github.com/hoga-trade/hoga/bot"
)

// setupTexts are `hoga setup`'s sentences, and the start-up banner's: plain terminal text, one map
// per language (Korean by default, English with HOGA_LANG=en or --lang
// en). The chat messages it sends are here too. A test checks both
// languages have every key and the same verbs.
var setupTexts = map[bot.Lang]map[string]string{
	bot.Korean: {
		// The banner `hoga` prints at start (serve.go).
		"banner.mode.paper": "페이퍼(가상) 거래",
		"banner.mode.mock":  "모의투자",
		"banner.mode.live":  "⚠️ 실전 투자",
		"banner.head":       "hoga — %s · broker %s · %s\n",
		"banner.paper":      "가상 거래소 (seed %d): 계좌가 필요 없습니다. 실제 증권사와 휴대폰 연결은 hoga setup.\n",
		"banner.console":    "콘솔 모드. 휴대폰(텔레그램)으로 명령하려면 hoga setup.\n",
		"banner.help":       "/help 로 명령 목록, Ctrl-C 로 종료.",
		"banner.quiet_log":  " (로그는 경고만 표시; 자세히 보려면 HOGA_LOG_LEVEL=info)",

		// Start-up on a journal SQLite cannot read (store.DamagedError):
		// one line, what is wrong and what to do, not SQLite's words.
		"journal.damaged": "주문 기록 파일 %[1]s 이(가) 손상되어 열 수 없으므로 hoga 를 시작하지 않았습니다(주문도 보내지 않았습니다). 백업이 있으면 그 파일로 바꾸세요. 없으면 이 파일을 -wal·-shm 파일과 함께 다른 이름으로 옮긴 뒤(예: mv %[1]s %[1]s.damaged) 다시 시작하면 빈 기록으로 시작합니다. 오늘 주문과 체결은 증권사 앱에서 확인하세요.",

		"welcome": "hoga 설정 — 증권사, 텔레그램, .env 를 차례로 묻습니다. 언제든 Ctrl-C 로 그만둘 수 있습니다.\n" +
			"입력한 키와 토큰은 화면에 표시되지 않고, 이 폴더의 .env (소유자만 읽기, 0600) 에만 저장됩니다.",
		"env.override": "주의: 환경 변수 %s 가 설정되어 있어 .env 보다 우선합니다. 이 설정을 쓰려면 먼저 지우세요.",
		"no.hidden":    "이 터미널(Git Bash 등)에서는 입력을 가릴 수 없습니다: PowerShell 이나 명령 프롬프트에서 hoga setup 을 하거나, 키를 환경 변수(HOGA_KIS_APP_KEY 등)로 주세요.",
		"locked":       "이 폴더의 hoga 가 실행 중입니다 (HOGA_DATA_DIR=%s): 그 hoga 를 멈춘 뒤 setup 을 다시 하세요.",
		"step.broker":  "\n[1/3] 증권사",
		"broker.menu": "  1) paper  — 가상 거래소: 계좌 없이 연습\n" +
			"  2) kis    — 한국투자증권 KIS Developers (apiportal.koreainvestment.com)\n" +
			"  3) kiwoom — 키움증권 REST API (openapi.kiwoom.com)",
		"choose":     "선택 [%s]: ",
		"bad.choice": "%q 는 보기에 없습니다. 번호나 이름을 입력하세요.",
		"mode.menu":  "  1) mock — 모의투자: 가상의 돈, 모의투자용 앱 키\n  2) live — 실전: 실제 계좌와 돈",
		"live.explain": "실전 모드는 실제 계좌로 주문합니다. hoga 는 수동 주문마다 텔레그램의 [확인] 버튼을 한 번 더 누르게 하고,\n" +
			"주문 1회 %s원, 하루 %d건 한도(HOGA_MAX_ORDER_KRW, HOGA_MAX_DAILY_ORDERS)를 지킵니다. 실전 앱 키는 모의투자 키와 다릅니다.",
		"live.confirm":    "실전으로 설정하려면 실전 이라고 입력하세요 (다른 입력은 모의투자): ",
		"live.word":       "실전",
		"live.declined":   "모의투자로 설정합니다.",
		"key.kis":         "KIS 앱 키 (App Key, 화면에 표시되지 않음): ",
		"secret.kis":      "KIS 앱 시크릿 (App Secret, 화면에 표시되지 않음): ",
		"account.kis":     "계좌번호 (종합계좌 8자리-상품코드 2자리, 예: 12345678-01, 화면에 표시되지 않음): ",
		"key.kiwoom":      "키움 앱 키 (appkey, 화면에 표시되지 않음): ",
		"secret.kiwoom":   "키움 시크릿 키 (secretkey, 화면에 표시되지 않음): ",
		"keep.previous":   " (Enter: 그대로): ",
		"empty":           "비어 있습니다. 다시 입력하세요.",
		"bad.account":     "계좌번호는 12345678-01 모양이어야 합니다 (8자리, -, 2자리).",
		"probing":         "토큰을 받고 시세 1건과 잔고를 조회해 확인합니다…",
		"broker.ok":       "✓ %s %s: 토큰 유효 %s, %s 현재가 %s원, 예수금 %s원%s",
		"broker.account":  ", 계좌 %s",
		"paper.ok":        "✓ 가상 거래소: 계좌가 필요 없습니다 (시작 금액 %s원).",
		"try.again":       "다시 입력하세요 (Ctrl-C 로 그만두기).",
		"base.kept":       "%s=%s 를 씁니다 (.env 또는 환경 변수; 바꾸려면 --base-url).",
		"fail.timeout":    "%s이 제시간에 답하지 않았습니다: 이 컴퓨터의 인터넷 연결, 방화벽, 프록시를 확인하세요.",
		"fail.network":    "%s과 통신하지 못했습니다: 이 컴퓨터의 인터넷 연결과 방화벽을 확인하세요.",
		"fail.not_live":   "모의투자 키를 실전 서버에 썼습니다: 실전 앱의 키를 넣거나 모의투자를 고르세요.",
		"fail.not_mock":   "실전 키를 모의투자 서버에 썼습니다: 모의투자 앱의 키를 넣거나 실전을 고르세요.",
		"fail.other_mode": "키와 모드가 맞지 않습니다 (지금 %s): 이 모드의 앱 키를 넣거나 모드를 바꾸세요.",
		"fail.app_key":    "%s이 이 앱 키를 모릅니다: 앱 키를 다시 확인하세요 (모의투자와 실전 키는 다릅니다).",
		"fail.secret":     "%s이 앱 시크릿을 거부했습니다: 시크릿을 다시 확인하세요.",
		"fail.keys":       "%s이 앱 키나 시크릿을 거부했습니다: 포털에 보이는 키와 비교하세요 (모의투자와 실전 키는 다릅니다).",
		"fail.ip":         "키움이 이 컴퓨터에서 온 요청을 받지 않습니다: 이 컴퓨터의 공인 IP 를 openapi.kiwoom.com 에서 앱 키에 등록하세요.",
		"fail.throttle":   "KIS 는 토큰을 1분에 한 번만 발급합니다: 1분 뒤에 다시 해 보세요.",
		"fail.rate":       "%s의 요청 한도를 넘었습니다: 잠시 뒤에 다시 해 보세요.",
		"fail.account":    "계좌를 조회하지 못했습니다: 계좌번호와, 계좌가 고른 모드(%s)의 계좌인지 확인하세요.",
		"fail.mode":       "조회가 거부되었습니다: 키와 계좌가 고른 모드(%s)의 것인지 확인하세요.",
		"fail.other":      "%s 확인 실패: %s",
		"fail.code":       " (%s 코드 %s)",

		"step.telegram":     "\n[2/3] 텔레그램 (휴대폰으로 명령하고 알림 받기)",
		"telegram.ask":      "텔레그램을 연결할까요? 봇이 없으면 텔레그램에서 @BotFather 에게 /newbot 을 보내 만들고 토큰을 받으세요. [Y/n]: ",
		"telegram.skip":     "텔레그램 없이 콘솔 모드로 설정합니다.",
		"telegram.token":    "봇 토큰 (123456:ABC…, 화면에 표시되지 않음): ",
		"telegram.bad":      "텔레그램이 이 토큰을 거부했습니다 (%s): @BotFather 에서 받은 토큰 전체를 다시 확인하세요.",
		"telegram.net":      "텔레그램(%s)에 연결하지 못했습니다: %s — 인터넷 연결과 방화벽을 확인하세요.",
		"telegram.busy":     "다른 프로그램(실행 중인 hoga?)이 이 봇의 메시지를 받고 있습니다: 그것을 멈춘 뒤 다시 하세요.",
		"telegram.error":    "텔레그램 오류: %s",
		"telegram.me":       "✓ 봇 %s (@%s)",
		"owner.send":        "휴대폰 텔레그램에서 @%s 에게 /start 를 보내세요 (t.me/%s). 기다리는 중… (최대 %s)",
		"owner.found":       "/start 를 보낸 사람: %s (ID %d). 이 사람이 hoga 의 소유자(명령할 수 있는 사람)가 맞나요? [Y/n]: ",
		"owner.keep":        "이 봇은 이미 설정되어 있습니다. 명령할 수 있는 사람(ID %s)을 그대로 둘까요? [Y/n]: ",
		"group.keep":        "알림 채팅 %s 를 그대로 둘까요? [Y/n]: ",
		"owner.ignored":     "다시 기다립니다. 소유자의 휴대폰에서 /start 를 보내세요.",
		"owner.ok":          "✓ 소유자 %s (ID %d)",
		"group.ask":         "알림을 받을 그룹도 쓸까요? 그룹에 @%s 봇을 추가하고, 그 그룹(주제가 있으면 알림 받을 주제)에서 다음을 보내세요: /start@%s\n그룹 없이 개인 대화로 알림을 받으려면 Enter. 기다리는 중…",
		"group.found":       "그룹 %q (ID %d%s) 에서 /start 를 받았습니다. 이 그룹으로 알림을 보낼까요? [Y/n]: ",
		"group.topic":       ", 주제 %d",
		"group.stranger":    "%s 님이 보낸 /start 는 무시했습니다: 소유자가 보내야 합니다.",
		"group.skip":        "알림은 소유자와의 개인 대화로 갑니다.",
		"group.ok":          "✓ 알림 그룹 %q%s",
		"wait.timeout":      "%s 동안 /start 가 오지 않았습니다. hoga setup 을 다시 실행하세요.",
		"menu.ok":           "✓ 명령 메뉴 등록",
		"menu.fail":         "명령 메뉴를 등록하지 못했습니다 (%s): hoga 가 시작할 때 다시 시도합니다.",
		"chat.owner":        "✅ hoga 설정: 이 계정을 소유자로 등록했습니다. hoga 를 시작하면 여기서 /help 로 명령을 볼 수 있습니다.",
		"chat.group":        "✅ hoga 설정: hoga 의 알림이 여기로 옵니다.",
		"step.env":          "\n[3/3] 설정 파일",
		"env.exists":        "이 폴더에 .env 가 이미 있습니다. %s 로 백업하고, setup 이 묻지 않은 설정은 그대로 옮깁니다. 계속할까요? [Y/n]: ",
		"env.kept":          "아무것도 바꾸지 않았습니다. 기존 .env 는 그대로입니다.",
		"env.backup":        "✓ 기존 .env 를 %s 로 백업했습니다 (소유자만 읽기). 예전 키가 들어 있으니 필요 없으면 지우세요.",
		"env.written":       "✓ %s 에 저장했습니다 (소유자만 읽기, 0600).",
		"checking":          "\nhoga check 와 같은 점검:",
		"check.failed":      "\n점검에 실패한 항목이 있습니다. 위의 안내대로 고친 뒤 hoga check 로 다시 확인하세요.",
		"start":             "\n준비되었습니다. 이 폴더에서 다음 명령으로 hoga 를 시작하세요:\n\n    %s\n",
		"service.elsewhere": "Windows 서비스(hoga service install)는 hoga.exe 옆의 %s 를 읽습니다: 서비스로 쓰려면 hoga.exe 가 있는 폴더에서 setup 을 하세요.",
		"start.telegram":    "그다음 휴대폰에서 @%s 에게 /price 005930 을 보내 보세요.",
		"need.flags":        "hoga setup 은 터미널에서 질문하며 진행합니다. 터미널 없이 쓰려면 플래그로 답을 주세요: %s 가 필요합니다 (hoga setup -h).",
		"yesno.yes":         "y",
		"yesno.ask_again":   "y 또는 n 으로 답하세요.",
	},
	bot.English: {
		// The banner `hoga` prints at start (serve.go).
		"banner.mode.paper": "paper (simulated) trading",
		"banner.mode.mock":  "mock trading",
		"banner.mode.live":  "⚠️ LIVE trading",
		"banner.head":       "hoga — %s · broker %s · %s\n",
		"banner.paper":      "Simulated exchange (seed %d): no account needed. For a real broker and your phone: hoga setup.\n",
		"banner.console":    "Console mode. To command hoga from your phone: hoga setup (it connects Telegram).\n",
		"banner.help":       "Type /help for commands, Ctrl-C to quit.",
		"banner.quiet_log":  " (Log: warnings only; HOGA_LOG_LEVEL=info for more.)",

		"journal.damaged": "The order journal %[1]s is damaged and cannot be opened, so hoga did not start (nothing was sent). Restore it from a backup if you have one. Otherwise move it aside with its -wal and -shm files (e.g. mv %[1]s %[1]s.damaged) and start again with an empty journal; check today's orders and fills in the broker's app.",

		"welcome": "hoga setup — asks about the broker, Telegram and .env in turn. Ctrl-C stops at any point.\n" +
			"Keys and tokens you type are not shown, and are saved only in this folder's .env (readable by you only, 0600).",
		"env.override": "Note: the environment variable %s is set and wins over .env. Unset it to use what setup writes.",
		"no.hidden":    "This terminal (Git Bash and the like) cannot hide what is typed: run hoga setup in PowerShell or the Command Prompt, or give the keys as environment variables (HOGA_KIS_APP_KEY, …).",
		"locked":       "hoga is running in this folder (HOGA_DATA_DIR=%s): stop it, then run setup again.",
		"step.broker":  "\n[1/3] Broker",
		"broker.menu": "  1) paper  — simulated exchange: practise without an account\n" +
			"  2) kis    — Korea Investment & Securities, KIS Developers (apiportal.koreainvestment.com)\n" +
			"  3) kiwoom — Kiwoom Securities REST API (openapi.kiwoom.com)",
		"choose":     "Choice [%s]: ",
		"bad.choice": "%q is not one of the choices. Type its number or name.",
		"mode.menu":  "  1) mock — 모의투자: play money, mock-trading app keys\n  2) live — 실전: your real account and money",
		"live.explain": "Live mode orders on your real account. hoga asks you to press [Confirm] in Telegram once more for every manual order,\n" +
			"and keeps to %s won per order and %d orders a day (HOGA_MAX_ORDER_KRW, HOGA_MAX_DAILY_ORDERS). Live app keys differ from mock keys.",
		"live.confirm":    "Type live to set up live trading (anything else: mock): ",
		"live.word":       "live",
		"live.declined":   "Setting up mock trading.",
		"key.kis":         "KIS App Key (not shown): ",
		"secret.kis":      "KIS App Secret (not shown): ",
		"account.kis":     "Account number (8 digits, dash, 2-digit product code, e.g. 12345678-01; not shown): ",
		"key.kiwoom":      "Kiwoom appkey (not shown): ",
		"secret.kiwoom":   "Kiwoom secretkey (not shown): ",
		"keep.previous":   " (Enter keeps it): ",
		"empty":           "Nothing typed. Try again.",
		"bad.account":     "The account number must look like 12345678-01 (8 digits, dash, 2 digits).",
		"probing":         "Getting a token, one quote and the balance to prove them…",
		"broker.ok":       "✓ %s %s: token valid until %s, %s at %s won, cash %s won%s",
		"broker.account":  ", account %s",
		"paper.ok":        "✓ Simulated exchange: no account needed (starting cash %s won).",
		"try.again":       "Type them again (Ctrl-C stops).",
		"base.kept":       "Using %s=%s (from .env or the environment; --base-url changes it).",
		"fail.timeout":    "%s did not answer in time: check this computer's internet access, firewall and proxy.",
		"fail.network":    "Could not talk to %s: check this computer's internet access and firewall.",
		"fail.not_live":   "Those are mock keys on the live server: use the live app's keys, or choose mock.",
		"fail.not_mock":   "Those are live keys on the mock server: use the mock app's keys, or choose live.",
		"fail.other_mode": "The keys do not match the mode (now %s): use this mode's app keys, or change the mode.",
		"fail.app_key":    "%s does not know this app key: check it (mock and live keys differ).",
		"fail.secret":     "%s refused the app secret: check it.",
		"fail.keys":       "%s refused the app key or secret: compare them with the ones the portal shows (mock and live keys differ).",
		"fail.ip":         "Kiwoom does not accept requests from this computer: register its public IP address for the app key at openapi.kiwoom.com.",
		"fail.throttle":   "KIS issues one token a minute: try again in a minute.",
		"fail.rate":       "%s is limiting requests: try again shortly.",
		"fail.account":    "Could not read the account: check the number, and that it is a %s account.",
		"fail.mode":       "The request was refused: check that the keys and account are for %s.",
		"fail.other":      "%s check failed: %s",
		"fail.code":       " (%s code %s)",

		"step.telegram":     "\n[2/3] Telegram (command hoga and get alerts on your phone)",
		"telegram.ask":      "Connect Telegram? If you have no bot yet, send /newbot to @BotFather in Telegram and copy the token. [Y/n]: ",
		"telegram.skip":     "Setting up console mode, without Telegram.",
		"telegram.token":    "Bot token (123456:ABC…, not shown): ",
		"telegram.bad":      "Telegram refused this token (%s): copy the whole token from @BotFather again.",
		"telegram.net":      "Could not reach Telegram (%s): %s — check the internet access and firewall.",
		"telegram.busy":     "Another program (a running hoga?) is taking this bot's messages: stop it and try again.",
		"telegram.error":    "Telegram error: %s",
		"telegram.me":       "✓ Bot %s (@%s)",
		"owner.send":        "On your phone, send /start to @%s in Telegram (t.me/%s). Waiting… (up to %s)",
		"owner.found":       "/start came from %s (id %d). Is this hoga's owner (the person allowed to command it)? [Y/n]: ",
		"owner.keep":        "This bot is set up already. Keep the people allowed to command it (ids %s)? [Y/n]: ",
		"group.keep":        "Keep the alert chat %s? [Y/n]: ",
		"owner.ignored":     "Waiting again. Send /start from the owner's phone.",
		"owner.ok":          "✓ Owner %s (id %d)",
		"group.ask":         "Alerts to a group as well? Add @%s to the group and send /start@%s there (in the topic alerts should go to, if it has topics).\nPress Enter to get alerts in your private chat instead. Waiting…",
		"group.found":       "/start arrived in the group %q (id %d%s). Send alerts there? [Y/n]: ",
		"group.topic":       ", topic %d",
		"group.stranger":    "Ignored /start from %s: the owner must send it.",
		"group.skip":        "Alerts go to the owner's private chat.",
		"group.ok":          "✓ Alert group %q%s",
		"wait.timeout":      "No /start arrived in %s. Run hoga setup again.",
		"menu.ok":           "✓ Command menu registered",
		"menu.fail":         "Could not register the command menu (%s): hoga tries again when it starts.",
		"chat.owner":        "✅ hoga setup: this account is the owner. Once hoga runs, /help here lists the commands.",
		"chat.group":        "✅ hoga setup: hoga's alerts will come here.",
		"step.env":          "\n[3/3] Settings file",
		"env.exists":        "This folder already has a .env. It will be kept as %s, and settings setup did not ask about are carried over. Go on? [Y/n]: ",
		"env.kept":          "Nothing changed; the .env is as it was.",
		"env.backup":        "✓ The old .env is saved as %s (readable by you only). It holds the old keys: delete it when you no longer need it.",
		"env.written":       "✓ Saved %s (readable by you only, 0600).",
		"checking":          "\nThe same checks as hoga check:",
		"check.failed":      "\nSome checks failed. Fix what they say, then run hoga check again.",
		"start":             "\nReady. Start hoga from this folder with:\n\n    %s\n",
		"service.elsewhere": "The Windows service (hoga service install) reads %s, beside hoga.exe: for the service, run setup in hoga.exe's folder.",
		"start.telegram":    "Then send /price 005930 to @%s from your phone.",
		"need.flags":        "hoga setup asks its questions on a terminal. Without one, give the answers as flags: %s is needed (hoga setup -h).",
		"yesno.yes":         "y",
		"yesno.ask_again":   "Answer y or n.",
	},
}

// st renders a setup text in lang (Korean when a key is missing, the key
// itself when it is missing everywhere — the catalog test catches both).
func st(lang bot.Lang, key string, args ...any) string {
	f, ok := setupTexts[lang][key]
	if !ok {
		f, ok = setupTexts[bot.Korean][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

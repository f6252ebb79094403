package main

import (
	"fmt"

	"github.com/hoga-trade/hoga/bot"
)

// usageTexts are hoga's own command-line help and its refusals of a
// mistyped command, in the owner's language like every other sentence a
// person reads (issue 12, item 12). Command names, flags and setting names
// stay as typed.
var usageTexts = map[bot.Lang]map[string]string{
	bot.Korean: {
		"usage": `사용법: hoga [명령]

명령:
  (없음), run   hoga 시작 (이 터미널이 콘솔; 설정되어 있으면 텔레그램·HTTP·자동매매도)
  version       버전 보기
  config        모든 설정과 기본값 보기
  setup         몇 가지 질문에 답해 바로 쓸 수 있는 .env 만들기 (키 확인, 텔레그램 id 알아내기)
  check         설정을 검사하고 설정된 부분을 하나씩 시험 (하나라도 실패하면 종료 코드 1)
  healthcheck   상태 확인: HTTP API 의 /healthz (Docker HEALTHCHECK 용)
  service       Windows 서비스 install|uninstall|start|stop|status
  paper reset   가상 계좌 지우기 (먼저 묻습니다; --yes 는 묻지 않음)
`,
		"unknown": "알 수 없는 명령 %q 입니다. 아래 명령 중 하나를 쓰세요.\n%s",
		"check.usage": `사용법: hoga check [-timeout 20s]

설정을 검사하고(잘못되었으면 시작할 때처럼 종료 코드 2), 설정된 부분을 하나씩
시험해 한 줄씩 보여 줍니다: OK, 무엇을 할지와 함께 FAIL, 설정되지 않은 부분은 --.
하나라도 실패하면 종료 코드 1. 주문도, 채팅 메시지도 보내지 않습니다.`,
		"check.bad_flag": "hoga check: 옵션을 읽을 수 없습니다 (%v). 쓸 수 있는 옵션은 -timeout 하나입니다.\n%s",
		"check.args":     "hoga check 는 인자를 받지 않습니다 (받은 것: %q).\n%s",
		"check.timeout":  "hoga check: -timeout 은 0 보다 커야 합니다 (예: -timeout 20s).",
	},
	bot.English: {
		"usage": `usage: hoga [command]

commands:
  (none), run   start hoga (console on this terminal; Telegram/HTTP/strategy when configured)
  version       print the version
  config        list every setting with its default
  setup         answer a few questions and get a working .env (keys proven, Telegram ids learned)
  check         check the settings and try each configured part (exit 1 if one fails)
  healthcheck   ask the HTTP API's /healthz (Docker HEALTHCHECK)
  service       install|uninstall|start|stop|status the Windows service
  paper reset   delete the paper account (asks first; --yes does not ask)
`,
		"unknown": "unknown command %q: use one of the commands below.\n%s",
		"check.usage": `usage: hoga check [-timeout 20s]

Validates the settings (exit 2 if they are wrong, like a start), then tries
each configured part and prints one line per check: OK, FAIL with what to
do, or -- when the part is not configured. Exit 1 if any check fails.
Nothing is ordered and no chat message is sent.`,
		"check.bad_flag": "hoga check: %v; the one option is -timeout.\n%s",
		"check.args":     "hoga check takes no arguments (got %q)\n%s",
		"check.timeout":  "hoga check: -timeout must be positive (e.g. -timeout 20s)",
	},
}

// ut renders a usage text in lang (Korean when a key is missing there;
// TestUsageCatalogComplete catches that).
func ut(lang bot.Lang, key string, args ...any) string {
	f, ok := usageTexts[lang][key]
	if !ok {
		f = usageTexts[bot.Korean][key]
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

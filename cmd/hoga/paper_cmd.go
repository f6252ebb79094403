package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker/paper"
)

// This file is `hoga paper reset` and the start-up line about a saved paper
// account (issue 12, item 14): HOGA_PAPER_CASH only opens a new account, so
// a changed setting was ignored without a word, and there was no way to
// start over.

// paperTexts are the sentences of `hoga paper` and of the start-up line,
// plain terminal text, in both languages (TestPaperTextsBothLanguages).
var paperTexts = map[bot.Lang]map[string]string{
	bot.Korean: {
		"usage": "사용법: hoga paper reset [--yes]\n" +
			"  reset  가상 계좌(HOGA_DATA_DIR 의 paper.json)를 지워, 다음 시작 때 HOGA_PAPER_CASH 로 새 계좌를 엽니다.\n" +
			"         --yes 를 주면 묻지 않습니다.",
		"none":     "지울 가상 계좌가 없습니다 (%s 에 paper.json 이 없음). 다음 시작 때 HOGA_PAPER_CASH %s원으로 새 계좌를 엽니다.",
		"ask":      "가상 계좌를 지웁니다: 예수금 %s원 (처음 %s원), 보유 종목과 미체결 주문이 모두 사라집니다. 주문 기록(hoga.db)은 남습니다.\n다음 시작 때 HOGA_PAPER_CASH %s원으로 새 계좌를 엽니다. 지울까요? [y/N]: ",
		"need_yes": "묻지 않고 지우지 않습니다: 입력이 터미널이 아닙니다. 정말 지우려면 hoga paper reset --yes 로 다시 실행하세요.",
		"kept":     "지우지 않았습니다. 가상 계좌는 그대로입니다.",
		"done":     "가상 계좌를 지웠습니다. 다음 시작 때 HOGA_PAPER_CASH %s원으로 새 계좌를 엽니다.",
		"locked":   "이 데이터 폴더의 hoga 가 실행 중입니다 (HOGA_DATA_DIR=%s): 그 hoga 를 멈춘 뒤 다시 하세요. 실행 중에 지우면 hoga 가 종료할 때 계좌를 다시 씁니다.",
		"differs":  "가상 계좌: 저장된 계좌(%s, 처음 예수금 %s원)를 씁니다. HOGA_PAPER_CASH=%s원은 새 계좌를 열 때만 쓰입니다. 그 금액으로 새로 시작하려면 hoga paper reset.\n",
	},
	bot.English: {
		"usage": "usage: hoga paper reset [--yes]\n" +
			"  reset  delete the paper account (paper.json in HOGA_DATA_DIR); the next start opens a new one with HOGA_PAPER_CASH.\n" +
			"         --yes deletes without asking.",
		"none":     "There is no paper account to delete (no paper.json in %s). The next start opens a new one with HOGA_PAPER_CASH %s won.",
		"ask":      "This deletes the paper account: cash %s won (opened with %s won), every holding and every open order. The order journal (hoga.db) stays.\nThe next start opens a new account with HOGA_PAPER_CASH %s won. Delete it? [y/N]: ",
		"need_yes": "Not deleting without asking: input is not a terminal. To delete it, run hoga paper reset --yes.",
		"kept":     "Nothing deleted. The paper account is as it was.",
		"done":     "Paper account deleted. The next start opens a new one with HOGA_PAPER_CASH %s won.",
		"locked":   "A hoga is running on this data directory (HOGA_DATA_DIR=%s): stop it, then try again. Deleted while it runs, the account would be written back when it stops.",
		"differs":  "Paper account: using the saved account (%s, opened with %s won). HOGA_PAPER_CASH=%s won only opens a new account. To start over with that amount: hoga paper reset.\n",
	},
}

// pt is a paperTexts sentence in lang (Korean when lang lacks it).
func pt(lang bot.Lang, key string, args ...any) string {
	f, ok := paperTexts[lang][key]
	if !ok {
		f = paperTexts[bot.Korean][key]
	}
	return fmt.Sprintf(f, args...)
}

// paperRefusal is a reset hoga would not do (nobody to ask, a running
// hoga): said as it is, exit status 1, nothing deleted.
type paperRefusal struct{ msg string }

func (e *paperRefusal) Error() string { return e.msg }

// runPaper is `hoga paper …`.
func runPaper(_ context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	cfg, err := loadSettings(getenv)
	if err != nil {
		return err
	}
	lang := cfg.lang
	yes := false
	var rest []string
	for _, a := range args {
		switch a {
		case "--yes", "-yes", "-y":
			yes = true
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) != 1 || rest[0] != "reset" {
		if len(rest) == 1 && (rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help") {
			fmt.Fprintln(stdout, pt(lang, "usage"))
			return nil
		}
		return &usageError{msg: pt(lang, "usage")}
	}
	release, err := lockDataDir(cfg.DataDir, lang)
	if err != nil {
		if errors.Is(err, errLocked) {
			return &paperRefusal{pt(lang, "locked", cfg.DataDir)}
		}
		return err
	}
	defer release()
	acct, ok, err := paper.Stored(cfg.DataDir)
	if err != nil {
		return err // names the file: a damaged one is for a person to look at
	}
	if !ok {
		fmt.Fprintln(stdout, pt(lang, "none", cfg.DataDir, bot.Group(cfg.PaperCash)))
		return nil
	}
	if !yes {
		if !isTerminal(stdin) {
			return &paperRefusal{pt(lang, "need_yes")}
		}
		fmt.Fprint(stdout, pt(lang, "ask", bot.Group(acct.Cash), bot.Group(acct.InitialCash), bot.Group(cfg.PaperCash)))
		line, _ := bufio.NewReader(stdin).ReadString('\n')
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes", "예", "네", "ㅇ":
		default:
			fmt.Fprintln(stdout, pt(lang, "kept"))
			return nil
		}
	}
	if _, err := paper.Reset(cfg.DataDir); err != nil {
		return err
	}
	fmt.Fprintln(stdout, pt(lang, "done", bot.Group(cfg.PaperCash)))
	return nil
}

// paperCashLine is the start-up line when the saved paper account was
// opened with another amount than HOGA_PAPER_CASH: which one is used and
// how to start over. "" when they agree or nothing was saved.
func paperCashLine(lang bot.Lang, dataDir string, setting int64) string {
	acct, ok, err := paper.Stored(dataDir)
	if err != nil || !ok || acct.InitialCash == setting {
		return ""
	}
	return pt(lang, "differs", paper.StateFile, bot.Group(acct.InitialCash), bot.Group(setting))
}

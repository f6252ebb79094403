package bot

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy"
)

// catalogVerbs counts the fmt verbs of a catalog format (%% is not one).
func catalogVerbs(f string) int {
	n := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		if i+1 < len(f) && f[i+1] == '%' {
			i++
			continue
		}
		n++
	}
	return n
}

// TestCatalogCallsMatchTheirFormats is a vet-style pass over the source:
// every call that renders a catalog key given as a literal (text(lang, "k",
// …), Text(lang, "k", …), r.t("k", …), t("k", …)) must pass exactly as many
// arguments as the key's format has verbs, in every language. A mismatch
// prints %!(EXTRA …) or %!s(MISSING) on the owner's phone (issue 19, item 1:
// the cancel alert did).
func TestCatalogCallsMatchTheirFormats(t *testing.T) {
	t.Parallel()
	root := ".." // the module root: bot/ is one level down
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || (strings.HasPrefix(name, ".") && name != "..") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || call.Ellipsis.IsValid() {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			keyAt := -1
			switch name {
			case "t":
				keyAt = 0
			case "text", "Text":
				keyAt = 1
			default:
				return true
			}
			if len(call.Args) <= keyAt {
				return true
			}
			lit, ok := call.Args[keyAt].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			key, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if _, known := catalogs[Korean][key]; !known {
				t.Errorf("%s: catalog key %q does not exist", fset.Position(call.Pos()), key)
				return true
			}
			args := len(call.Args) - keyAt - 1
			for lang, cat := range catalogs {
				if want := catalogVerbs(cat[key]); want != args {
					t.Errorf("%s: %q in %s has %d verbs; the call passes %d arguments", fset.Position(call.Pos()), key, lang, want, args)
				}
			}
			checked++
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d catalog calls found: the pass is not looking where the calls are", checked)
	}
}

func TestDurationPerLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d      time.Duration
		ko, en string
	}{
		{0, "0초", "0 s"},
		{42 * time.Second, "42초", "42 s"},
		{time.Minute, "1분", "1 min"},
		{90 * time.Second, "1분 30초", "1 min 30 s"},
		{90 * time.Minute, "1시간 30분", "1 h 30 min"},
		{2 * time.Hour, "2시간", "2 h"},
		{26 * time.Hour, "1일 2시간", "1 d 2 h"},
		{-5 * time.Second, "5초", "5 s"},
	}
	for _, tt := range tests {
		if got := duration(Korean, tt.d); got != tt.ko {
			t.Errorf("duration(ko, %v) = %q, want %q", tt.d, got, tt.ko)
		}
		if got := duration(English, tt.d); got != tt.en {
			t.Errorf("duration(en, %v) = %q, want %q", tt.d, got, tt.en)
		}
	}
}

func TestMarketState(t *testing.T) {
	t.Parallel()
	cal, err := broker.NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	day := func(d string, hh, mm int) time.Time {
		t0, _ := time.ParseInLocation("2006-01-02", d, broker.KST())
		return t0.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
	}
	tests := []struct {
		at   time.Time
		want string
	}{
		{day("2026-11-25", 7, 30), "mkt.before"},
		{day("2026-11-25", 8, 10), "mkt.nxt_pre"},
		{day("2026-11-25", 8, 40), "mkt.auction_open"},
		{day("2026-11-25", 10, 0), "mkt.open"},
		{day("2026-11-25", 15, 25), "mkt.auction_close"},
		{day("2026-11-25", 19, 0), "mkt.nxt_after"},
		{day("2026-11-25", 21, 0), "mkt.closed"},
		{day("2026-11-28", 10, 0), "mkt.holiday"}, // Saturday
	}
	for _, tt := range tests {
		if got := MarketState(cal, tt.at); got != tt.want {
			t.Errorf("MarketState(%v) = %s, want %s", tt.at, got, tt.want)
		}
	}
}

// English agrees with a count of one; other counts and Korean are left
// alone (issue 19, item 4).
func TestEnglishPlurals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		args []any
		want string
	}{
		{"order.filled", []any{"1", "70,000"}, "Filled: 1 share @"},
		{"order.filled", []any{"11", "70,000"}, "Filled: 11 shares @"},
		{"order.filled", []any{"2,001", "70,000"}, "Filled: 2,001 shares @"},
		{"status.rules", []any{1, 1}, "1 rule (1 on)"},
		{"status.rules", []any{3, 1}, "3 rules (1 on)"},
		// /status on the Kiwoom fake read "· 1 codes ·" (issue 12).
		{"status.stream_up", []any{"12-06 (Sun) 09:09", 1, "2 s"}, "· 1 code · last message"},
		{"status.stream_up", []any{"12-06 (Sun) 09:09", 21, "2 s"}, "· 21 codes · last message"},
		{"err.daily_orders", []any{1}, "limit of 1 order is"},
		{"confirm.sending", []any{"Buy", "삼성전자", "1"}, "Buy 삼성전자 1 share"},
	}
	for _, tt := range tests {
		if got := text(English, tt.key, tt.args...); !strings.Contains(got, tt.want) {
			t.Errorf("%s %v = %q; want it to contain %q", tt.key, tt.args, got, tt.want)
		}
	}
	if got := text(Korean, "order.filled", "1", "70,000"); !strings.Contains(got, "1주") {
		t.Errorf("ko: %q", got)
	}
}

// /status says when the control surface is lost and why, in the user's
// language (issue 19, item 5).
func TestStatusSaysTelegramIsLost(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 11, 25, 10, 0, 0, 0, broker.KST())
	for lang, want := range map[Lang]string{
		Korean:  "⚠️ 텔레그램 연결 끊김 (11-25 (수) 10:00부터, 텔레그램이 봇 토큰을 거부함",
		English: "⚠️ Telegram lost (since 11-25 (Wed) 10:00, Telegram refused the bot token",
	} {
		r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) {
			c.Lang = lang
			c.Surface = func() (bool, time.Time, string) { return true, since, "token_refused" }
		})
		got := r.Handle(context.Background(), Request{Text: "/status", UserID: "console", Source: "console"}).Text
		if !strings.Contains(got, want) {
			t.Errorf("%s /status = %q; want %q", lang, got, want)
		}
	}
}

// A stream that is up but has sent nothing yet (paper before its first
// trade, a quiet code) reads so, not "마지막 수신 - 전" (issue 12: the
// console walk showed it).
func TestStatusStreamNothingReceivedYet(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 11, 25, 10, 0, 0, 0, broker.KST())
	for lang, want := range map[Lang]string{
		Korean:  "실시간: 연결됨 (11-25 (수) 10:00부터) · 구독 0종목 · 아직 받은 것 없음",
		English: "Realtime: connected since 11-25 (Wed) 10:00 · 0 codes · nothing received yet",
	} {
		r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) {
			c.Lang = lang
			c.Stream = func() (broker.StreamStatus, bool) { return broker.StreamStatus{Connected: true, Since: since}, true }
		})
		got := r.Handle(context.Background(), Request{Text: "/status", UserID: "console", Source: "console"}).Text
		if !strings.Contains(got, want) || strings.Contains(got, " - ") {
			t.Errorf("%s /status = %q; want %q", lang, got, want)
		}
	}
}

// A rule's problem is said in the user's language, not the strategy's
// English (issue 19, item 4).
func TestRuleProblemsInTheUsersLanguage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args string
		ko   string
	}{
		{"/rule add 005930 qty=1", "매수 조건(buy&lt;가격)이나 매도 조건(sell&gt;가격)이 하나는 있어야 합니다"},
		{"/rule add 005930 buy<75000 sell>65000 qty=1", "매수 가격 75,000원이 매도 가격 65,000원보다 낮아야 합니다"},
		{"/rule add 005930 buy<65000", "수량(qty=)을 1 이상으로 쓰세요"},
		{"/rule add 005930 buy<65000 qty=10 max=5", "최대 보유 5주가 한 번의 수량 10주보다 적습니다"},
		{"/rule add 005930 buy<abc qty=1", "규칙이 올바르지 않습니다: buy&lt;abc"},
	} {
		r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) { c.Rules = &fakeRules{} })
		got := r.Handle(context.Background(), Request{Text: tt.args, UserID: "console", Source: "console"}).Text
		if !strings.Contains(got, tt.ko) || strings.Contains(got, "rule 005930") {
			t.Errorf("%s = %q; want %q", tt.args, got, tt.ko)
		}
	}
}

// fakeRules is a RuleBook that keeps nothing.
type fakeRules struct{}

func (*fakeRules) Rules(context.Context) ([]strategy.RuleStatus, error) { return nil, nil }
func (*fakeRules) PutRule(context.Context, strategy.Rule) error         { return nil }
func (*fakeRules) DeleteRule(context.Context, broker.Code) error        { return nil }
func (*fakeRules) EnableRule(context.Context, broker.Code, bool) error  { return nil }
func (*fakeRules) Activity() strategy.Activity                          { return strategy.ActivityRunning }

// positionedRules is a RuleBook whose /rules also gives positions.
type positionedRules struct {
	fakeRules
	list []strategy.RuleStatus
}

func (p *positionedRules) RulesWithPositions(context.Context) ([]strategy.RuleStatus, error) {
	return p.list, nil
}

// /rules shows each rule's position under it (issue 14): held shares and
// the unfilled rest of open buys and sells, in the owner's language; an
// unreadable balance leaves the holding out rather than saying 0.
func TestRulesShowPosition(t *testing.T) {
	t.Parallel()
	rule := strategy.Rule{Code: "005930", BuyBelow: 65_000, Qty: 5, MaxPosition: 10, Type: broker.Limit, Enabled: true}
	tests := []struct {
		name   string
		lang   Lang
		rs     strategy.RuleStatus
		want   string
		absent string
	}{
		{"ko_resting_buy", Korean, strategy.RuleStatus{Rule: rule, Held: 5, Buying: 5, PositionKnown: true},
			"└ 보유 5주 · 미체결 매수 5주 (체결 전, 최대 수량에 포함)", "미체결 매도"},
		{"ko_open_sell", Korean, strategy.RuleStatus{Rule: rule, Held: 10, Selling: 4, PositionKnown: true},
			"└ 보유 10주 · 미체결 매도 4주", "미체결 매수"},
		{"ko_unknown_balance", Korean, strategy.RuleStatus{Rule: rule, Buying: 5},
			"└ 미체결 매수 5주", "보유"},
		{"en_resting_buy", English, strategy.RuleStatus{Rule: rule, Held: 5, Buying: 5, PositionKnown: true},
			"└ holding 5 · open buy 5 (not filled yet; counts toward max)", "open sell"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) {
				c.Lang = tt.lang
				c.Rules = &positionedRules{list: []strategy.RuleStatus{tt.rs}}
			})
			got := r.Handle(context.Background(), Request{Text: "/rules", UserID: "console", Source: "console"}).Text
			if !strings.Contains(got, tt.want) || strings.Contains(got, tt.absent) {
				t.Errorf("/rules = %q; want %q and no %q", got, tt.want, tt.absent)
			}
		})
	}
}

var _ PositionedRules = (*strategy.Engine)(nil)

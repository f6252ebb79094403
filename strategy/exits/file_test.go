package exits

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy"
)

func TestParseFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want []Exit
	}{
		{"no_exits", "rules:\n  - {code: \"005930\", buy_below: 1000, qty: 1}\n", nil},
		{"empty", "exits:\n", nil},
		{"all_three", "exits:\n  - code: \"005930\"\n    stop: -5%\n    take: +10%\n    trail: 3%\n", []Exit{
			{Code: "005930", Kind: Stop, BP: -500}, {Code: "005930", Kind: Take, BP: 1000}, {Code: "005930", Kind: Trail, BP: 300}}},
		{"prices_and_flow_style", "exits: [{code: 000660, stop: 190000, take: \"220,000\"}]\n", []Exit{
			{Code: "000660", Kind: Stop, Price: 190_000}, {Code: "000660", Kind: Take, Price: 220_000}}},
		{"decimal_percent_trail_sign_ignored", "exits:\n  - code: \"005930\"\n    trail: -2.5%\n", []Exit{{Code: "005930", Kind: Trail, BP: 250}}},
		{"beside_rules", "rules:\n  - code: \"005930\"\n    buy_below: 190000\n    qty: 3\nexits:\n  - code: \"005930\"\n    stop: -5%\n", []Exit{{Code: "005930", Kind: Stop, BP: -500}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseFile("rules.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
			// The strategy accepts the same file (its exits: key included).
			if _, err := strategy.ParseRules("rules.yaml", []byte(tc.yaml)); err != nil {
				t.Fatalf("strategy refuses the file: %v", err)
			}
		})
	}
}

// Each problem names its line and the catalog key the owner reads it in.
func TestParseFileProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml string
		line       int
		key        string
		msg        string
	}{
		{"not_a_list", "exits:\n  code: \"005930\"\n", 2, keyList, "must be a list"},
		{"item_not_mapping", "exits:\n  - 005930\n", 2, keyItem, "exit 1 must be a mapping"},
		{"no_code", "exits:\n  - stop: -5%\n", 2, keyNoCode, "no code"},
		{"bad_code", "exits:\n  - code: \"5930\"\n    stop: -5%\n", 2, keyBadCode, "\"5930\" is not a stock code"},
		{"unknown_field", "exits:\n  - code: \"005930\"\n    stop_loss: -5%\n", 3, keyField, "\"stop_loss\""},
		{"nothing_to_do", "exits:\n  - code: \"005930\"\n", 2, keyNone, "none of stop, take and trail"},
		{"positive_stop", "exits:\n  - code: \"005930\"\n    stop: 5%\n", 3, keyBadLevel + ".stop", "negative percent"},
		{"negative_take", "exits:\n  - code: \"005930\"\n    take: -10%\n", 3, keyBadLevel + ".take", "positive percent"},
		{"trail_as_price", "exits:\n  - code: \"005930\"\n    trail: 3\n", 3, keyBadLevel + ".trail", "pullback"},
		{"trail_100", "exits:\n  - code: \"005930\"\n    trail: 100%\n", 3, keyBadLevel + ".trail", "under 100"},
		{"stop_minus_100", "exits:\n  - code: \"005930\"\n    stop: -100%\n", 3, keyBadLevel + ".stop", ""},
		{"three_decimals", "exits:\n  - code: \"005930\"\n    stop: -5.125%\n", 3, keyBadLevel + ".stop", ""},
		{"fraction_without_percent", "exits:\n  - code: \"005930\"\n    take: 2.5\n", 3, keyBadLevel + ".take", ""},
		{"negative_number", "exits:\n  - code: \"005930\"\n    stop: -5\n", 3, keyBadLevel + ".stop", "\"-5\""},
		{"duplicate_code", "exits:\n  - code: \"005930\"\n    stop: -5%\n  - code: \"005930\"\n    take: +5%\n", 4, keyDup, "line 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFile("rules.yaml", []byte(tc.yaml))
			var fe *strategy.FileError
			if !errors.As(err, &fe) || len(fe.Problems) == 0 {
				t.Fatalf("error %v, want a FileError", err)
			}
			p := fe.Problems[0]
			if p.Line != tc.line || p.Key != tc.key || !strings.Contains(p.Msg, tc.msg) {
				t.Fatalf("problem %+v, want line %d key %s msg ~%q", p, tc.line, tc.key, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), "rules.yaml:") {
				t.Errorf("error %q does not name the file and line", err)
			}
		})
	}
}

// restartWithFile is a restart of hoga with the rules file's exits.
func (w *world) restartWithFile(file ...Exit) {
	w.t.Helper()
	b, err := New(Options{Broker: w.g, Store: w.store, Clock: w.clk, OnEvent: w.ev.add, FileExits: file, FromFile: true,
		Halted: func() bool { on, _, _ := w.g.Halted(); return on }})
	if err != nil {
		w.t.Fatal(err)
	}
	w.book = b
}

func (w *world) status() []Status {
	w.t.Helper()
	ls, err := w.book.List(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return ls
}

var (
	fileStop  = Exit{Code: "005930", Kind: Stop, BP: -500}
	fileTrail = Exit{Code: "005930", Kind: Trail, BP: 300}
)

// A stop from the rules file behaves as /stop does: armed on a held
// position, sells once on the crossing, and a restart below it after
// the sell does not sell again.
func TestFileStopSellsOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.buy(10, 70_000)
	w.restartWithFile(fileStop)
	w.at(69_000)
	ls := w.status()
	if len(ls) != 1 || !ls[0].Armed || !ls[0].FromFile || ls[0].Level != 66_500 {
		t.Fatalf("status %+v", ls)
	}
	w.at(66_000)
	w.at(65_000)
	if s := w.sells(); len(s) != 1 || s[0].Qty != 10 {
		t.Fatalf("sells %+v", s)
	}
	w.restartWithFile(fileStop)
	w.at(60_000)
	if n := len(w.sells()); n != 1 {
		t.Fatalf("%d sells after a restart", n)
	}
	if ls := w.status(); ls[0].Armed || ls[0].Off != OffNotHeld {
		t.Fatalf("after the sell and a restart: %+v, want waiting for a holding", ls[0])
	}
}

// hoga down at the crossing: the file's stop, armed before, sells once at
// start and says it was found on restart.
func TestFileStopFoundOnRestart(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.buy(10, 70_000)
	w.restartWithFile(fileStop)
	w.at(68_000)
	w.price(65_000)
	w.restartWithFile(fileStop)
	w.at(64_000)
	if s := w.sells(); len(s) != 1 {
		t.Fatalf("sells %+v", s)
	}
	if ev := w.ev.last(); ev.Kind != EventFired || !ev.OnRestart {
		t.Fatalf("event %+v, want fired on restart", ev)
	}
}

// A file's exit on a stock not held waits, and arms once the stock is
// bought (within BalanceEvery, with an alert); the trail's high carries
// across a restart.
func TestFileExitWaitsForTheHolding(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.price(70_000)
	w.restartWithFile(fileTrail)
	w.at(70_000)
	if ls := w.status(); len(ls) != 1 || ls[0].Armed || ls[0].Off != OffNotHeld {
		t.Fatalf("status %+v, want waiting", ls)
	}
	w.buy(10, 70_000)
	w.clk.Advance(BalanceEvery) // the balance is re-read at most this often
	w.at(72_000)
	if got := w.ev.kinds(); !slices.Equal(got, []EventKind{EventArmed}) {
		t.Fatalf("events %v", got)
	}
	w.at(75_000)
	w.restartWithFile(fileTrail)
	w.at(73_000)
	if ls := w.status(); !ls[0].Armed || ls[0].High != 75_000 {
		t.Fatalf("after restart %+v, want the high kept", ls[0])
	}
	w.at(72_700) // 75,000 × 0.97 = 72,750
	if s := w.sells(); len(s) != 1 {
		t.Fatalf("sells %+v", s)
	}
}

// hoga takes commands before the exits' first round: /exits at once
// listed nothing while the rules file declared an exit, and a /stop … del
// at once found none (trial run of issue 12, rules.example.yaml piped into
// the console). The file's exits are there from the first command.
func TestFileExitsBeforeTheFirstRound(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.price(70_000)
	w.restartWithFile(fileStop, fileTrail)
	if ls := w.status(); len(ls) != 2 || ls[0].Armed || ls[0].Off != OffNotHeld || !ls[0].FromFile {
		t.Fatalf("status before any round %+v, want the file's two exits waiting", ls)
	}
	w = newWorld(t)
	w.price(70_000)
	w.restartWithFile(fileStop, fileTrail)
	if err := w.book.Delete(w.ctx, "005930", Trail); err != nil {
		t.Fatalf("delete before any round: %v", err)
	}
	w.at(70_000)
	if ls := w.status(); len(ls) != 1 || ls[0].Kind != Stop {
		t.Fatalf("after the first round %+v, want the deleted trail to stay deleted", ls)
	}
}

// The chat's edits of a file's exit stand across restarts until the
// file's exit changes; an exit dropped from the file goes.
func TestFileAndChatEdits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.buy(10, 70_000)
	w.restartWithFile(fileStop)
	w.at(70_000)

	w.put(Stop, "-8%") // the chat overrides the file's -5%
	w.restartWithFile(fileStop)
	w.at(70_000)
	if ls := w.status(); len(ls) != 1 || ls[0].BP != -800 || !ls[0].Armed {
		t.Fatalf("after the chat edit and a restart: %+v, want -8%% kept", ls)
	}
	// The file changes: the newer intent wins.
	changed := Exit{Code: "005930", Kind: Stop, BP: -300}
	w.restartWithFile(changed)
	w.at(70_000)
	if ls := w.status(); len(ls) != 1 || ls[0].BP != -300 {
		t.Fatalf("after the file changed: %+v, want -3%%", ls)
	}
	// Deleted from the chat: stays deleted across a restart…
	if err := w.book.Delete(w.ctx, "005930", Stop); err != nil {
		t.Fatal(err)
	}
	w.restartWithFile(changed)
	w.at(70_000)
	if ls := w.status(); len(ls) != 0 {
		t.Fatalf("after the chat's delete and a restart: %+v", ls)
	}
	// …until the file's exit changes again.
	w.restartWithFile(fileStop)
	w.at(70_000)
	if ls := w.status(); len(ls) != 1 || ls[0].BP != -500 {
		t.Fatalf("after the file changed again: %+v", ls)
	}
	// Gone from the file: gone.
	w.restartWithFile()
	w.at(70_000)
	if ls := w.status(); len(ls) != 0 {
		t.Fatalf("after the file dropped it: %+v", ls)
	}
	// Without a rules file configured, chat exits are untouched.
	w.put(Take, "+10%")
	w.restart()
	w.at(70_000)
	if ls := w.status(); len(ls) != 1 {
		t.Fatalf("without a file: %+v", ls)
	}
	if n := len(w.sells()); n != 0 {
		t.Fatalf("%d sells", n)
	}
}

// Halted, the file's exits are declared (shown) but nothing sells.
func TestFileExitsWhileHalted(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.buy(10, 70_000)
	_ = w.g.Halt(w.ctx, "test")
	w.restartWithFile(fileStop)
	w.at(60_000)
	if ls := w.status(); len(ls) != 1 || !ls[0].Armed {
		t.Fatalf("status %+v", ls)
	}
	if n := len(w.sells()); n != 0 {
		t.Fatalf("%d sells while halted", n)
	}
	_ = w.g.Resume(w.ctx, "test")
	w.at(60_000)
	if n := len(w.sells()); n != 1 {
		t.Fatalf("%d sells after resume", n)
	}
}

func TestExampleFileExits(t *testing.T) {
	t.Parallel()
	got, err := LoadFile("../../deploy/rules.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Exit{{Code: "000660", Kind: Stop, BP: -500}, {Code: "000660", Kind: Take, BP: 1000}, {Code: "000660", Kind: Trail, BP: 300}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v", got)
	}
}

// Every stored state keeps where the exit came from: a chat edit of the
// file's trail, whose high is saved as the price moves, still stands
// after a restart (it would be taken for a stale file exit otherwise).
func TestChatEditOfFileTrailSurvivesStateSaves(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.buy(10, 70_000)
	w.restartWithFile(fileTrail)
	w.at(70_000)
	w.put(Trail, "5%")
	w.at(71_000)
	w.at(72_000) // the high is saved with the edit
	w.restartWithFile(fileTrail)
	w.at(71_500)
	ls := w.status()
	if len(ls) != 1 || ls[0].BP != 500 || ls[0].High != 72_000 || !ls[0].FromFile {
		t.Fatalf("after restart %+v, want the chat's 5%% with its high", ls)
	}
}

// Each exit keeps who set it: the file's own, a chat or HTTP edit of the
// file's exit (still FromFile), through fires and restarts. A record
// stored before sources were kept is read by what it holds; a source the
// book does not take is refused.
func TestExitSources(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.buy(10, 70_000)
	w.restartWithFile(fileStop, fileTrail)
	w.at(69_000)
	src := func(when string, want map[Kind]Source, fromFile map[Kind]bool) {
		t.Helper()
		for _, s := range w.status() {
			if s.Source != want[s.Kind] || s.FromFile != fromFile[s.Kind] {
				t.Errorf("%s: %s source %q from file %v, want %q %v", when, s.Kind, s.Source, s.FromFile, want[s.Kind], fromFile[s.Kind])
			}
		}
	}
	src("declared", map[Kind]Source{Stop: SourceFile, Trail: SourceFile}, map[Kind]bool{Stop: true, Trail: true})
	if _, err := w.book.PutOnce(w.ctx, Exit{Code: "005930", Kind: Stop, BP: -300}, "k", SourceHTTP); err != nil {
		t.Fatal(err)
	}
	if err := w.book.Put(w.ctx, Exit{Code: "005930", Kind: Take, BP: 1000}, SourceChat); err != nil {
		t.Fatal(err)
	}
	want := map[Kind]Source{Stop: SourceHTTP, Take: SourceChat, Trail: SourceFile}
	from := map[Kind]bool{Stop: true, Trail: true}
	src("edited", want, from)
	w.restartWithFile(fileStop, fileTrail)
	w.at(69_000)
	src("after a restart", want, from)
	w.at(67_800) // the HTTP stop (-3 %: 67,900) sells; the others turn off
	if s := w.sells(); len(s) != 1 || s[0].Source != "strategy" || s[0].User != "exit:005930:stop" {
		t.Fatalf("sells %+v", s)
	}
	src("after the stop fired", want, from)

	for _, err := range []error{
		func() error { return w.book.Put(w.ctx, Exit{Code: "005930", Kind: Stop, BP: -500}, SourceFile) }(),
		func() error { return w.book.Put(w.ctx, Exit{Code: "005930", Kind: Stop, BP: -500}, "") }(),
		func() error {
			_, err := w.book.PutOnce(w.ctx, Exit{Code: "005930", Kind: Stop, BP: -500}, "k2", "telegram")
			return err
		}(),
	} {
		if broker.KindOf(err) != broker.Invalid {
			t.Errorf("a put without chat or http: %v, want invalid", err)
		}
	}

	// Records from before sources were kept.
	store := NewMemSettings()
	for k, v := range map[string]string{
		"exits.005930.stop":  `{"exit":{"code":"005930","kind":"stop","bp":-500},"state":{"armed":true},"key":"abcd"}`,
		"exits.005930.take":  `{"exit":{"code":"005930","kind":"take","bp":1000},"state":{"armed":true}}`,
		"exits.005930.trail": `{"exit":{"code":"005930","kind":"trail","bp":300},"state":{"armed":true},"file":{"code":"005930","kind":"trail","bp":300}}`,
		"exits.000660.stop":  `{"exit":{"code":"000660","kind":"stop","bp":-300},"state":{"armed":true},"file":{"code":"000660","kind":"stop","bp":-500}}`,
		"exits.000660.take":  `{"exit":{"code":"000660","kind":"take","bp":300},"state":{"armed":true},"source":"martian"}`,
	} {
		if err := store.PutSetting(w.ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	b, err := New(Options{Broker: w.g, Store: store, Clock: w.clk})
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := b.List(w.ctx)
	got := map[string]Source{}
	for _, s := range ls {
		got[s.Exit.key()] = s.Source
	}
	for k, v := range map[string]Source{"005930.stop": SourceHTTP, "005930.take": SourceChat, "005930.trail": SourceFile,
		"000660.stop": SourceChat, "000660.take": SourceChat} {
		if got[k] != v {
			t.Errorf("stored %s: source %q, want %q", k, got[k], v)
		}
	}
}

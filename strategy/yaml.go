package strategy

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/hoga-trade/hoga/broker"
)

// MaxAmount bounds a rule's prices and quantities, as the chat parser does:
// far above any KRX price, far below where int64 arithmetic could wrap.
const MaxAmount = 1_000_000_000_000

// maxFileSize bounds a rules file: a few hundred rules fit in a few
// kilobytes, and a runaway file should not be parsed at start-up.
const maxFileSize = 1 << 20

// maxProblems caps how many problems one file reports.
const maxProblems = 20

// Problem is one thing wrong in a rules file, at a line (and column, when
// known; 0 otherwise).
type Problem struct {
	Line, Column int
	Msg          string
	// Key and Args, when Key is set, are the problem in the bot's catalog
	// (bot.Text), so start-up can say it in the owner's language; Msg is
	// the English fallback.
	Key  string
	Args []any
}

// FileError is a rules file that cannot be used: every problem found, each
// with its line, so the owner fixes them all in one go.
type FileError struct {
	Path     string
	Problems []Problem
}

// Error is one line per problem, "rules.yaml:3:5: unknown field "buy_belw"".
func (e *FileError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		loc := fmt.Sprintf("%s:%d", e.Path, p.Line)
		if p.Column > 0 {
			loc += fmt.Sprintf(":%d", p.Column)
		}
		lines[i] = loc + ": " + p.Msg
	}
	return strings.Join(lines, "\n")
}

// ReadError is a rules file that could not be read at all (missing, not a
// regular file, unreadable): a setting to fix, which start-up reports as
// one line naming HOGA_RULES_FILE with exit status 2.
type ReadError struct {
	Path string
	Err  error
}

func (e *ReadError) Error() string { return "strategy: rules file: " + e.Err.Error() }

func (e *ReadError) Unwrap() error { return e.Err }

// problemError carries a Problem through the YAML decoder from a custom
// unmarshaler.
type problemError struct{ Problem }

func (e *problemError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// problemAt is a problem at tk: its English msg and its catalog sentence
// (key, args), so the owner reads it in their language.
func problemAt(tk *token.Token, msg, key string, args ...any) *problemError {
	p := Problem{Msg: msg, Key: key, Args: args}
	if tk != nil {
		p.Line, p.Column = tk.Position.Line, tk.Position.Column
	}
	return &problemError{p}
}

// Lines renders the problems one per line as Error does, each message
// through msg (a catalog lookup for problems with a Key).
func (e *FileError) Lines(msg func(Problem) string) []string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		loc := fmt.Sprintf("%s:%d", e.Path, p.Line)
		if p.Column > 0 {
			loc += fmt.Sprintf(":%d", p.Column)
		}
		lines[i] = loc + ": " + msg(p)
	}
	return lines
}

// ReadRulesFile reads a rules file within the size limit, refusing what
// is not a regular file; strategy/exits reads its exits: list with it.
func ReadRulesFile(path string) ([]byte, error) {
	data, err := readRegular(path, maxFileSize)
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("the file is %d bytes or more; a rules file is at most %d", len(data), maxFileSize)
	}
	return data, nil
}

// LoadRulesFile reads and checks a rules file (HOGA_RULES_FILE; `hoga
// check` calls it too). Errors are *FileError naming every problem's line,
// or the read error.
func LoadRulesFile(path string) ([]Rule, error) {
	data, err := readRegular(path, maxFileSize)
	if err != nil {
		return nil, &ReadError{Path: path, Err: err}
	}
	if len(data) > maxFileSize {
		p := said(fmt.Sprintf("the file is %d bytes; a rules file is at most %d", len(data), maxFileSize), "file.too_big", len(data), maxFileSize)
		p.Line = 1
		return nil, &FileError{Path: path, Problems: []Problem{p}}
	}
	return ParseRules(path, data)
}

// ParseRules reads the rules file format documented in
// deploy/rules.example.yaml: a mapping with one key, rules, a list of
// {code, buy_below, sell_above, qty, type, max_position, cooldown, enabled,
// confirm, rearm_pct}. Unknown keys are errors (a misspelt max_postion
// would otherwise silently mean "no cap"), and so are duplicate codes.
// name labels the problems.
func ParseRules(name string, data []byte) (rules []Rule, err error) {
	fe := &FileError{Path: name}
	defer func() {
		// The YAML library is third-party code parsing user input; a bug
		// in it must stop start-up with a message, not a crash.
		if v := recover(); v != nil {
			p := said(fmt.Sprintf("cannot parse the file: %v", v), "file.exit.parse", fmt.Sprint(v))
			p.Line = 1
			rules, err = nil, &FileError{Path: name, Problems: []Problem{p}}
		}
	}()
	var f struct {
		Rules ruleList `yaml:"rules"`
		// Exits are strategy/exits' (protective stops per position): it
		// reads and checks them from the same file.
		Exits otherSection `yaml:"exits"`
	}
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict()); err != nil {
		fe.Problems = append(fe.Problems, toProblem(err))
		return nil, fe
	}
	fe.Problems = append(fe.Problems, f.Rules.problems...)
	seen := map[broker.Code]int{}
	for _, ry := range f.Rules.rules {
		if len(fe.Problems) >= maxProblems {
			break
		}
		r, p := ry.rule()
		if p.Msg != "" {
			p.Line = ry.line
			fe.Problems = append(fe.Problems, p)
			continue
		}
		if first, dup := seen[r.Code]; dup {
			p := said(fmt.Sprintf("code %s already has a rule at line %d; one rule per code", r.Code, first), "file.rule.dup", string(r.Code), strconv.Itoa(first))
			p.Line = ry.line
			fe.Problems = append(fe.Problems, p)
			continue
		}
		seen[r.Code] = ry.line
		rules = append(rules, r)
	}
	sort.SliceStable(fe.Problems, func(i, j int) bool { return fe.Problems[i].Line < fe.Problems[j].Line })
	if len(fe.Problems) > maxProblems {
		fe.Problems = fe.Problems[:maxProblems]
	}
	if len(fe.Problems) > 0 {
		return nil, fe
	}
	return rules, nil
}

// toProblem turns a decoder error into a Problem with its position and a
// message in the file's terms rather than Go's. Every problem gets a
// catalog sentence: the YAML library's own messages ("value is not allowed
// in this context") are English, so a syntax error is wrapped in one that
// says what to look at, the library's words kept inside as the detail
// (issue 12).
func toProblem(err error) Problem {
	var pe *problemError
	if errors.As(err, &pe) {
		return pe.Problem
	}
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return said(err.Error(), "file.yaml.syntax", err.Error())
	}
	tk := ye.GetToken()
	msg := ye.GetMessage()
	p := said(msg, "file.yaml.syntax", msg)
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		p.Key, p.Args = "file.rule.unknown_field", []any{strings.Trim(name, `"`)}
	} else if rest, ok := strings.CutPrefix(msg, "mapping key "); ok && strings.Contains(rest, " already defined") {
		name, _, _ := strings.Cut(rest, " already defined")
		p.Key, p.Args = "file.yaml.dup_key", []any{strings.Trim(name, `"`)}
	}
	if tk != nil {
		p.Line, p.Column = tk.Position.Line, tk.Position.Column
		if p.Column == 1 && strings.Contains(msg, "where mapping is expected") {
			p.Key, p.Args = "file.yaml.top", nil // a list or a word where rules: belongs
		}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && tk != nil {
		kind, name := kindName(te.DstType)
		p.Msg = fmt.Sprintf("%q is not %s", tk.Value, name)
		p.Key, p.Args = "file.yaml.type", []any{tk.Value}
		if key := keyOf(tk); key != "" {
			p.Msg = key + ": " + p.Msg
			p.Key, p.Args = "file.yaml.type."+kind, []any{key, tk.Value}
		}
	}
	var oe *yaml.OverflowError
	if errors.As(err, &oe) && tk != nil {
		p.Msg = fmt.Sprintf("%s is too large", tk.Value)
		p.Key, p.Args = "file.yaml.type", []any{tk.Value}
		if key := keyOf(tk); key != "" {
			p.Msg = key + ": " + p.Msg
			p.Key, p.Args = "file.yaml.too_large", []any{key, tk.Value}
		}
	}
	return p
}

// keyOf finds the mapping key a value token belongs to.
func keyOf(tk *token.Token) string {
	if tk.Prev != nil && tk.Prev.Type == token.MappingValueType && tk.Prev.Prev != nil {
		return tk.Prev.Prev.Value
	}
	return ""
}

// kindName is what a field wants: the tail of its catalog key
// (file.yaml.type.KIND) and its English.
func kindName(t reflect.Type) (kind, english string) {
	if t == nil {
		return "valid", "valid here"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "int", "a whole number (write 190000, without commas)"
	case reflect.Float64, reflect.Float32:
		return "number", "a number"
	case reflect.Bool:
		return "bool", "true or false"
	case reflect.String:
		return "text", "text"
	case reflect.Struct, reflect.Map:
		return "mapping", "a mapping of key: value"
	case reflect.Slice:
		return "list", "a list"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return "valid", "valid here"
}

// ruleList decodes the rules: list itself so that each rule keeps its
// line and a bad rule does not hide the problems of the others.
type ruleList struct {
	rules    []ruleYAML
	problems []Problem
}

// UnmarshalYAML walks the sequence; each element is decoded strictly.
func (l *ruleList) UnmarshalYAML(n ast.Node) error {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		return problemAt(n.GetToken(), "rules must be a list (each item starting with \"- code: ...\")", "file.rule.list")
	}
	for i, v := range seq.Values {
		if len(l.problems) >= maxProblems {
			break
		}
		tk := v.GetToken()
		if tk == nil {
			tk = seq.GetToken()
		}
		if _, isMap := v.(*ast.MappingNode); !isMap {
			l.problems = append(l.problems, problemAt(tk, fmt.Sprintf("rule %d must be a mapping (code: ..., qty: ...)", i+1), "file.rule.item", i+1).Problem)
			continue
		}
		ry := ruleYAML{line: tk.Position.Line}
		if err := yaml.NodeToValue(v, &ry.f, yaml.Strict()); err != nil {
			l.problems = append(l.problems, toProblem(err))
			continue
		}
		l.rules = append(l.rules, ry)
	}
	return nil
}

// ruleYAML is one rule as written, with its line.
type ruleYAML struct {
	line int
	f    ruleFields
}

// ruleFields is the file's schema for one rule.
type ruleFields struct {
	Code        yamlCode     `yaml:"code"`
	BuyBelow    int64        `yaml:"buy_below"`
	SellAbove   int64        `yaml:"sell_above"`
	Qty         int64        `yaml:"qty"`
	Type        string       `yaml:"type"`
	MaxPosition int64        `yaml:"max_position"`
	Cooldown    yamlDuration `yaml:"cooldown"`
	Enabled     *bool        `yaml:"enabled"`
	Confirm     bool         `yaml:"confirm"`
	RearmPct    *float64     `yaml:"rearm_pct"`
	Venue       string       `yaml:"venue"`
	Sessions    string       `yaml:"sessions"`
}

// rule converts and validates; the problem's Msg is empty on success. Each
// problem carries its catalog sentence (Key, Args) so start-up says it in
// the owner's language (issue 12, item 12); Msg stays the English.
func (ry ruleYAML) rule() (Rule, Problem) {
	f := ry.f
	if f.Code == "" {
		return Rule{}, said("rule has no code (code: \"005930\")", "file.rule.no_code")
	}
	code, err := broker.ParseCode(string(f.Code))
	if err != nil {
		return Rule{}, said(msgOf(err), "file.rule.bad_code", string(f.Code))
	}
	r := Rule{Code: code, BuyBelow: f.BuyBelow, SellAbove: f.SellAbove, Qty: f.Qty, Type: broker.Limit,
		MaxPosition: f.MaxPosition, Cooldown: time.Duration(f.Cooldown), Enabled: true, Confirm: f.Confirm}
	if f.Type != "" {
		if r.Type, err = broker.ParseOrderType(f.Type); err != nil {
			return Rule{}, said(fmt.Sprintf("rule %s: %s", code, msgOf(err)), "say.strategy.type", string(code), f.Type)
		}
	}
	if f.Enabled != nil {
		r.Enabled = *f.Enabled
	}
	if f.Venue != "" {
		if r.Venue, err = broker.ParseVenue(f.Venue); err != nil {
			return Rule{}, said(fmt.Sprintf("rule %s: venue %q must be krx, nxt or sor", code, f.Venue), "say.strategy.venue", string(code), f.Venue)
		}
	}
	switch strings.ToLower(strings.TrimSpace(f.Sessions)) {
	case "", "regular":
	case "extended":
		r.Extended = true
	default:
		return Rule{}, said(fmt.Sprintf("rule %s: sessions %q must be regular (09:00–15:30) or extended (also NXT's 08:00–08:50 and 15:30–20:00)", code, f.Sessions),
			"file.rule.sessions", string(code), f.Sessions)
	}
	if f.RearmPct != nil {
		pct := *f.RearmPct
		if math.IsNaN(pct) || pct <= 0 || pct > 50 {
			return Rule{}, said(fmt.Sprintf("rule %s: rearm_pct %v must be more than 0 and at most 50 (percent)", code, pct), "say.strategy.rearm", string(code))
		}
		r.RearmBP = int64(math.Round(pct * 100))
		if r.RearmBP == 0 {
			r.RearmBP = 1
		}
	}
	if err := CheckRule(r); err != nil {
		p := Problem{Msg: msgOf(err)}
		if be, ok := broker.AsError(err); ok && be.Say != "" {
			p.Key, p.Args = "say."+be.Say, be.Args
		}
		return Rule{}, p
	}
	return r, Problem{}
}

// said is a problem with its English and its catalog sentence.
func said(msg, key string, args ...any) Problem {
	return Problem{Msg: msg, Key: key, Args: args}
}

// CheckRule is Rule.Validate plus the bounds the engine relies on; PutRule
// and the file loader both use it.
func CheckRule(r Rule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.BuyBelow > MaxAmount || r.SellAbove > MaxAmount || r.Qty > MaxAmount || r.MaxPosition > MaxAmount {
		return broker.Errorf(broker.Invalid, "rule %s: prices and quantities must be at most %d", r.Code, int64(MaxAmount)).
			Saying("strategy.too_large", string(r.Code), broker.Thousands(int64(MaxAmount)))
	}
	if r.RearmBP > 5_000 {
		return broker.Errorf(broker.Invalid, "rule %s: re-arm band %d bp is more than 50%%", r.Code, r.RearmBP).Saying("strategy.rearm", string(r.Code))
	}
	return nil
}

func msgOf(err error) string {
	if e, ok := broker.AsError(err); ok {
		return e.Msg
	}
	return err.Error()
}

// otherSection is a top-level key another package reads.
type otherSection struct{}

// UnmarshalYAML accepts anything; its owner checks it.
func (*otherSection) UnmarshalYAML(ast.Node) error { return nil }

// yamlCode takes a stock code as written. An unquoted 012345 is an octal
// number to YAML (5349); the code must be the characters in the file.
type yamlCode string

// UnmarshalYAML keeps the scalar's source text.
func (c *yamlCode) UnmarshalYAML(n ast.Node) error {
	switch n.(type) {
	case *ast.StringNode, *ast.IntegerNode:
		*c = yamlCode(n.GetToken().Value)
		return nil
	}
	return problemAt(n.GetToken(), "code must be a 6-character stock code such as \"005930\"", "file.rule.code_form")
}

// yamlDuration is a Go duration string: 30s, 10m, 1h30m.
type yamlDuration time.Duration

// UnmarshalYAML parses the duration and says where a bad one is.
func (d *yamlDuration) UnmarshalYAML(n ast.Node) error {
	tk := n.GetToken()
	if _, ok := n.(*ast.IntegerNode); ok && tk.Value == "0" {
		*d = 0
		return nil
	}
	if _, ok := n.(*ast.StringNode); !ok {
		return problemAt(tk, "cooldown must be a duration such as 30s, 10m or 1h30m", "file.rule.cooldown_form")
	}
	v, err := time.ParseDuration(tk.Value)
	if err != nil || v < 0 {
		return problemAt(tk, fmt.Sprintf("cooldown %q must be a duration such as 30s, 10m or 1h30m", tk.Value), "file.rule.cooldown", tk.Value)
	}
	*d = yamlDuration(v)
	return nil
}

// readRegular reads at most limit+1 bytes of a regular file. A FIFO nobody
// writes, /dev/zero or /dev/urandom given as a rules file hung start-up for
// 20–40 s or more (issue 20, item 2): it is refused from its mode, before
// it is opened (opening a FIFO blocks until a writer appears), and the read
// is bounded in case the path is swapped in between.
func readRegular(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s); give the path of a YAML file", path, fi.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

package exits

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy"
)

// The exits in the rules file (HOGA_RULES_FILE) sit beside the rules:
//
//	exits:
//	  - code: "005930"
//	    stop: -5%     # or a price in won: 190000
//	    take: +10%
//	    trail: 3%
//
// One entry per code, at least one of stop, take and trail; each level is
// read by ParseLevel and checked by Validate, exactly as /stop, /take and
// /trail read it. A problem names its line and carries a catalog key
// (Problem.Key, "file.exit.*"), so start-up says it in the owner's
// language.

// Problem keys; the bot's catalog words them (ko, en).
const (
	keyList     = "file.exit.list"
	keyItem     = "file.exit.item"
	keyNoCode   = "file.exit.no_code"
	keyBadCode  = "file.exit.bad_code"
	keyField    = "file.exit.field"
	keyNone     = "file.exit.none"
	keyBadLevel = "file.exit.bad_level"
	keyDup      = "file.exit.dup"
	keyParse    = "file.exit.parse"
)

// ParseFile reads the exits: list of a rules file; every other key is the
// strategy's (strategy.ParseRules reads, and checks, the rest). Errors are
// a *strategy.FileError naming each problem's line.
func ParseFile(name string, data []byte) (out []Exit, err error) {
	fe := &strategy.FileError{Path: name}
	defer func() {
		// Third-party code parsing user input: a bug in it stops start-up
		// with a message, not a crash.
		if v := recover(); v != nil {
			out, err = nil, &strategy.FileError{Path: name, Problems: []strategy.Problem{
				prob(1, 0, keyParse, fmt.Sprintf("cannot parse the file: %v", v), fmt.Sprint(v))}}
		}
	}()
	f, perr := yamlParse(data)
	if perr != nil {
		// strategy.ParseRules reports a file that is not YAML at all.
		return nil, nil
	}
	var seq ast.Node
	for _, doc := range f.Docs {
		m, ok := doc.Body.(*ast.MappingNode)
		if !ok {
			continue
		}
		for _, kv := range m.Values {
			if kv.Key.GetToken() != nil && kv.Key.GetToken().Value == "exits" {
				seq = kv.Value
			}
		}
	}
	if seq == nil {
		return nil, nil
	}
	if _, null := seq.(*ast.NullNode); null {
		return nil, nil
	}
	s, ok := seq.(*ast.SequenceNode)
	if !ok {
		l, c := pos(seq.GetToken())
		fe.Problems = append(fe.Problems, prob(l, c, keyList, "exits must be a list, each item starting with - code: \"005930\""))
		return nil, fe
	}
	seen := map[broker.Code]int{}
	for i, v := range s.Values {
		if len(fe.Problems) >= 20 {
			break
		}
		xs, line, problems := parseEntry(i, v)
		fe.Problems = append(fe.Problems, problems...)
		if len(problems) > 0 || len(xs) == 0 {
			continue
		}
		code := xs[0].Code
		if first, dup := seen[code]; dup {
			fe.Problems = append(fe.Problems, prob(line, 0, keyDup,
				fmt.Sprintf("code %s already has exits at line %d; give each code one entry with its stop, take and trail", code, first), string(code), first))
			continue
		}
		seen[code] = line
		out = append(out, xs...)
	}
	if len(fe.Problems) > 0 {
		return nil, fe
	}
	return out, nil
}

// yamlParse is goccy/go-yaml's parser, behind one name.
func yamlParse(data []byte) (*ast.File, error) { return parser.ParseBytes(data, 0) }

// parseEntry reads one "- code: ..., stop: ..." item.
func parseEntry(i int, v ast.Node) ([]Exit, int, []strategy.Problem) {
	line, col := pos(v.GetToken())
	m, ok := mapping(v)
	if !ok {
		return nil, line, []strategy.Problem{prob(line, col, keyItem,
			fmt.Sprintf("exit %d must be a mapping such as code: \"005930\" with stop: -5%%", i+1), i+1)}
	}
	var (
		code     broker.Code
		haveCode bool
		levels   []levelAt
		problems []strategy.Problem
	)
	for _, kv := range m {
		key := kv.Key.GetToken().Value
		kl, kc := pos(kv.Key.GetToken())
		switch key {
		case "code":
			c, err := broker.ParseCode(scalar(kv.Value))
			if err != nil {
				vl, vc := pos(kv.Value.GetToken())
				problems = append(problems, prob(vl, vc, keyBadCode,
					fmt.Sprintf("code %q is not a stock code: write 6 characters such as \"005930\"", scalar(kv.Value)), scalar(kv.Value)))
				continue
			}
			code, haveCode = c, true
		case "stop", "take", "trail":
			levels = append(levels, levelAt{kind: Kind(key), node: kv.Value})
		default:
			problems = append(problems, prob(kl, kc, keyField,
				fmt.Sprintf("unknown field %q in an exit: use code, stop, take and trail", key), key))
		}
	}
	if !haveCode {
		if len(problems) == 0 {
			problems = append(problems, prob(line, col, keyNoCode, "exit has no code: add code: \"005930\""))
		}
		return nil, line, problems
	}
	if len(levels) == 0 && len(problems) == 0 {
		problems = append(problems, prob(line, col, keyNone,
			fmt.Sprintf("exit %s has none of stop, take and trail: add e.g. stop: -5%%", code), string(code)))
	}
	var out []Exit
	for _, l := range levels {
		s := scalar(l.node)
		x, err := ParseLevel(l.kind, s)
		if err == nil {
			x.Code = code
			err = x.Validate()
		}
		if _, isNum := l.node.(*ast.FloatNode); isNum && err == nil && !strings.HasSuffix(s, "%") {
			err = broker.Errorf(broker.Invalid, "a fraction is not a price") // 2.5 without %: never a won amount
		}
		if err != nil {
			vl, vc := pos(l.node.GetToken())
			problems = append(problems, prob(vl, vc, keyBadLevel+"."+string(l.kind),
				fmt.Sprintf("%s %s: %q is not valid: %s", l.kind, code, s, levelHint(l.kind)), string(code), s))
			continue
		}
		out = append(out, x)
	}
	if len(problems) > 0 {
		return nil, line, problems
	}
	return out, line, nil
}

type levelAt struct {
	kind Kind
	node ast.Node
}

// levelHint says what a good level looks like, in English (the catalog
// has the owner's language).
func levelHint(k Kind) string {
	switch k {
	case Stop:
		return "write a stop as a negative percent from the average price (-5%) or a price in won (190000)"
	case Take:
		return "write a take-profit as a positive percent from the average price (+10%) or a price in won (220000)"
	}
	return "write a trailing stop as the pullback from the high in percent, more than 0 and under 100 (3%)"
}

// mapping returns a mapping node's pairs, for block and flow style alike.
func mapping(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

// scalar is a scalar node's text as written in the file (an unquoted
// 012345 stays "012345", not an octal number).
func scalar(n ast.Node) string {
	switch n.(type) {
	case *ast.StringNode, *ast.IntegerNode, *ast.FloatNode, *ast.LiteralNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value
		}
	}
	if n == nil {
		return ""
	}
	return n.String()
}

func pos(tk *token.Token) (line, col int) {
	if tk == nil || tk.Position == nil {
		return 1, 0
	}
	return tk.Position.Line, tk.Position.Column
}

func prob(line, col int, key, msg string, args ...any) strategy.Problem {
	return strategy.Problem{Line: line, Column: col, Msg: msg, Key: key, Args: args}
}

// LoadFile reads the exits of a rules file (missing or unreadable files
// are the strategy's to report: it reads the same file first).
func LoadFile(path string) ([]Exit, error) {
	data, err := strategy.ReadRulesFile(path)
	if err != nil {
		return nil, &strategy.ReadError{Path: path, Err: err}
	}
	return ParseFile(path, data)
}

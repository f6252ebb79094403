package exits

import (
	"errors"
	"testing"

	"github.com/hoga-trade/hoga/strategy"
)

// FuzzParseFile: whatever the file holds, ParseFile neither panics nor
// returns an exit the chat would refuse; a refusal is a FileError whose
// problems each name a line.
func FuzzParseFile(f *testing.F) {
	for _, s := range []string{
		"exits:\n  - code: \"005930\"\n    stop: -5%\n    take: +10%\n    trail: 3%\n",
		"exits: [{code: 000660, stop: 190000}]\n",
		"rules:\n  - {code: \"005930\", buy_below: 1000, qty: 1}\nexits:\n  - code: \"005930\"\n    trail: 2.5%\n",
		"exits:\n  - code: \"005930\"\n    stop: -5.125%\n",
		"exits: {code: 1}\n",
		"exits:\n  - [1, 2]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		xs, err := ParseFile("rules.yaml", []byte(s))
		if err != nil {
			var fe *strategy.FileError
			if !errors.As(err, &fe) || len(fe.Problems) == 0 {
				t.Fatalf("error %v is not a FileError with problems", err)
			}
			for _, p := range fe.Problems {
				if p.Line < 1 || p.Msg == "" || p.Key == "" {
					t.Fatalf("problem %+v", p)
				}
			}
			return
		}
		for _, x := range xs {
			if err := x.Validate(); err != nil {
				t.Fatalf("exit %+v accepted but not valid: %v", x, err)
			}
		}
	})
}

package broker

import "strings"

// OrderIDNormalizer is implemented by a broker whose order numbers have one
// canonical written form. A person types "6555" where KIS shows
// "0000006555" (10 digits) and Kiwoom "0006555" (7): every comparison of
// order numbers (the guard's cancel lookup, the journal, /cancel) must
// first bring both sides to the broker's form, or an open order reads as
// "no such order" (issue 12.5). Wrappers (the guard, metrics, the broker
// watch) implement it by asking what they wrap.
type OrderIDNormalizer interface {
	NormalizeOrderID(id string) string
}

// NormalizeOrderID returns id in b's canonical form when b has one, and id
// with surrounding space trimmed otherwise.
func NormalizeOrderID(b any, id string) string {
	id = strings.TrimSpace(id)
	if n, ok := b.(OrderIDNormalizer); ok {
		return n.NormalizeOrderID(id)
	}
	return id
}

// PadOrderID left-pads an all-digit order number shorter than width with
// zeros, the way KIS (10) and Kiwoom (7) write theirs. Anything else is
// returned trimmed and unchanged: it is not a number of that broker.
func PadOrderID(id string, width int) string {
	id = strings.TrimSpace(id)
	if id == "" || len(id) >= width {
		return id
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return id
		}
	}
	return strings.Repeat("0", width-len(id)) + id
}

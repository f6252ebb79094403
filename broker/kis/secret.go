package kis

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Account is a KIS account number: the 8-digit CANO and the 2-digit product
// code (ACNT_PRDT_CD, "01" for a 종합 stock account). It prints masked as
// 1234****-01.
type Account struct {
	cano string
	prdt string
}

// ParseAccount reads "12345678-01" (or the ten digits without the dash).
func ParseAccount(s string) (Account, error) {
	s = strings.TrimSpace(s)
	var cano, prdt string
	switch {
	case len(s) == 11 && s[8] == '-':
		cano, prdt = s[:8], s[9:]
	case len(s) == 10:
		cano, prdt = s[:8], s[8:]
	default:
		return Account{}, fmt.Errorf("kis: account must look like 12345678-01 (8 digits, a dash, 2 digits)")
	}
	if !allDigits(cano) || !allDigits(prdt) {
		return Account{}, fmt.Errorf("kis: account must look like 12345678-01 (8 digits, a dash, 2 digits)")
	}
	return Account{cano: cano, prdt: prdt}, nil
}

// String shows the first four digits and the product code only.
func (a Account) String() string {
	if a.cano == "" {
		return ""
	}
	return a.cano[:4] + "****-" + a.prdt
}

// LogValue logs the masked form.
func (a Account) LogValue() slog.Value { return slog.StringValue(a.String()) }

// GoString keeps the full number out of %#v.
func (a Account) GoString() string { return a.String() }

// Format keeps the full number out of every fmt verb.
func (a Account) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, a.String()) }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

package kiwoom

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// field is one Kiwoom value as received. Nearly every value is a JSON
// string, but return_code is an integer and some third-party captures show
// numbers unquoted, so a field accepts a string, a number or null. It
// remembers whether the key was present at all, because "" and a missing
// key mean different things when a response is truncated or a TR changes.
type field struct {
	raw string
	set bool
}

// UnmarshalJSON keeps the text of a JSON string or number; null counts as
// absent.
func (f *field) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 4 && string(b) == "null":
		f.raw, f.set = "", false
		return nil
	case len(b) >= 2 && b[0] == '"':
		inner := b[1 : len(b)-1]
		if !hasByte(inner, '\\') {
			f.raw, f.set = string(inner), true
			return nil
		}
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return fmt.Errorf("kiwoom: bad JSON string %s: %w", b, err)
		}
		f.raw, f.set = s, true
		return nil
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		f.raw, f.set = string(b), true
		return nil
	}
	return fmt.Errorf("kiwoom: value %s is neither a string nor a number", b)
}

func hasByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// Present reports whether the key was in the response with a non-blank
// value.
func (f field) Present() bool { return f.set && strings.TrimSpace(f.raw) != "" }

// Text is the value with surrounding blanks removed.
func (f field) Text() string { return strings.TrimSpace(f.raw) }

// Int is the signed integer value; see parseInt.
func (f field) Int() (int64, error) { return parseInt(f.raw) }

// Abs is the magnitude, for price fields whose sign is a direction.
func (f field) Abs() (int64, error) {
	v, err := parseInt(f.raw)
	if v < 0 {
		v = -v
	}
	return v, err
}

// Float is the signed decimal value, for rates.
func (f field) Float() (float64, error) { return parseFloat(f.raw) }

// errNumber is wrapped by every number parsing error.
var errNumber = errors.New("not a Kiwoom number")

// cleanNumber reads Kiwoom's numeric dialects: an optional leading + or -
// (a direction for prices, a sign for changes), zero padding, thousands
// commas and blanks anywhere ("  1,234", "-00000000196888", "+ 500"), and
// an optional fraction. Blank, or a sign alone, is zero. It returns the
// sign, the integer digits without leading zeros, and the fraction digits.
func cleanNumber(s string) (neg bool, whole, frac string, err error) {
	i := 0
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
			i++
		}
	}
	skip()
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var w, fr strings.Builder
	inFrac := false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if inFrac {
				fr.WriteByte(c)
			} else if c != '0' || w.Len() > 0 {
				w.WriteByte(c)
			}
		case c == ',' && !inFrac, c == ' ', c == '\t':
		case c == '.' && !inFrac:
			inFrac = true
		default:
			return false, "", "", fmt.Errorf("%w: %q", errNumber, s)
		}
	}
	return neg, w.String(), fr.String(), nil
}

// parseInt parses a Kiwoom integer string. A fraction is rounded half away
// from zero (an average price "97602.9573459" is 97,603 won).
func parseInt(s string) (int64, error) {
	neg, whole, frac, err := cleanNumber(s)
	if err != nil {
		return 0, err
	}
	var v uint64
	if whole != "" {
		if len(whole) > 19 {
			return 0, fmt.Errorf("%w: %q overflows", errNumber, s)
		}
		v, err = strconv.ParseUint(whole, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: %q", errNumber, s)
		}
	}
	if frac != "" && frac[0] >= '5' {
		v++
	}
	if v > math.MaxInt64 {
		return 0, fmt.Errorf("%w: %q overflows", errNumber, s)
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}

// parseFloat parses a Kiwoom decimal string such as a rate "-52.71".
func parseFloat(s string) (float64, error) {
	neg, whole, frac, err := cleanNumber(s)
	if err != nil {
		return 0, err
	}
	if whole == "" && frac == "" {
		return 0, nil
	}
	if whole == "" {
		whole = "0"
	}
	text := whole
	if frac != "" {
		text += "." + frac
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", errNumber, s)
	}
	if neg {
		v = -v
	}
	return v, nil
}

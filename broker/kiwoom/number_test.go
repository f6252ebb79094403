package kiwoom

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestParseInt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"", 0, false},
		{"   ", 0, false},
		{"0", 0, false},
		{"71000", 71000, false},
		{"+71000", 71000, false},
		{"-239500", -239500, false},
		{"000000000373500", 373500, false},  // kt00018 amount
		{"-00000000196888", -196888, false}, // kt00018 signed loss
		{"000000059000", 59000, false},
		{"1,234,567", 1234567, false},
		{" -1,234 ", -1234, false},
		{"+ 500", 500, false},
		{"+", 0, false},
		{"-", 0, false},
		{"97602.9573459", 97603, false}, // average price, rounded
		{"97602.4999", 97602, false},
		{"-0.5", -1, false},
		{"001,250.00", 1250, false},
		{"9223372036854775807", math.MaxInt64, false},
		{"9223372036854775808", 0, true},
		{"99999999999999999999", 0, true},
		{"12a", 0, true},
		{"1e5", 0, true},
		{"--5", 0, true},
		{"5-", 0, true},
		{"1.2.3", 0, true},
		{"0x10", 0, true},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.in), func(t *testing.T) {
			t.Parallel()
			got, err := parseInt(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseInt(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, errNumber) {
				t.Errorf("error %v does not wrap errNumber", err)
			}
			if got != tt.want {
				t.Errorf("parseInt(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseFloat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want float64
	}{
		{"", 0}, {"-52.71", -52.71}, {"+1.43", 1.43}, {"0.00", 0}, {"-5.14", -5.14}, {".5", 0.5}, {"12", 12}, {"1,000.25", 1000.25},
	}
	for _, tt := range tests {
		got, err := parseFloat(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseFloat(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseFloat("NaN"); err == nil {
		t.Error(`parseFloat("NaN") succeeded`)
	}
}

func TestFieldPresence(t *testing.T) {
	t.Parallel()
	var v struct {
		A, B, C, D, E field
		RC            field `json:"return_code"`
	}
	if err := json.Unmarshal([]byte(`{"A":"-00000000196888","B":"","C":null,"return_code":0,"E":"\u002b5"}`), &v); err != nil {
		t.Fatal(err)
	}
	if !v.A.Present() || v.B.Present() || v.C.Present() || v.D.Present() {
		t.Errorf("presence A=%v B=%v C=%v D=%v; want true false false false", v.A.Present(), v.B.Present(), v.C.Present(), v.D.Present())
	}
	if !v.B.set || v.D.set {
		t.Errorf("set B=%v D=%v; want an empty string set and a missing key unset", v.B.set, v.D.set)
	}
	if n, _ := v.A.Int(); n != -196888 {
		t.Errorf("A = %d", n)
	}
	if n, _ := v.A.Abs(); n != 196888 {
		t.Errorf("Abs(A) = %d", n)
	}
	if n, err := v.RC.Int(); err != nil || n != 0 || !v.RC.set {
		t.Errorf("return_code = %d, %v", n, err)
	}
	if n, _ := v.E.Int(); n != 5 {
		t.Errorf("escaped string = %d", n)
	}
	if err := json.Unmarshal([]byte(`{"A":true}`), &v); err == nil {
		t.Error("a boolean was accepted as a number field")
	}
}

// FuzzParseInt checks that the parser never panics, agrees with strconv on
// plain integers, and reads back any value it formats in Kiwoom's dialects.
func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"", "0", "+71000", "-239500", "000000000373500", "-00000000196888", "1,234", " 5 ", "1.5", "-", "9223372036854775807", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseInt(s)
		if err != nil {
			return
		}
		if want, serr := strconv.ParseInt(s, 10, 64); serr == nil && want != v {
			t.Fatalf("parseInt(%q) = %d, strconv says %d", s, v, want)
		}
		if v == math.MinInt64 {
			return
		}
		abs := v
		if abs < 0 {
			abs = -abs
		}
		for _, form := range []string{
			strconv.FormatInt(v, 10),
			padSigned(v, 15),
			direction(v < 0, abs),
			commas(v),
		} {
			got, err := parseInt(form)
			if err != nil || got != v {
				t.Fatalf("parseInt(%q) = %d, %v; want %d (from %q)", form, got, err, v, s)
			}
		}
	})
}

// FuzzParseFloat checks that rates never panic and keep their sign.
func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"", "-52.71", "+1.43", "0.00", ".5", "1,000.25", "-", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseFloat(s)
		if err != nil {
			return
		}
		if math.IsNaN(v) {
			t.Fatalf("parseFloat(%q) is NaN", s)
		}
		if strings.HasPrefix(strings.TrimLeft(s, " \t,"), "-") && v > 0 {
			t.Fatalf("parseFloat(%q) = %v lost its sign", s, v)
		}
	})
}

func padSigned(v int64, width int) string {
	if v < 0 {
		s := strconv.FormatInt(-v, 10)
		return "-" + strings.Repeat("0", max(width-1-len(s), 0)) + s
	}
	s := strconv.FormatInt(v, 10)
	return strings.Repeat("0", max(width-len(s), 0)) + s
}

func direction(down bool, abs int64) string {
	if down {
		return "-" + strconv.FormatInt(abs, 10)
	}
	return "+" + strconv.FormatInt(abs, 10)
}

func commas(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

package broker_test

import (
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

type padder int

func (w padder) NormalizeOrderID(id string) string { return broker.PadOrderID(id, int(w)) }

func TestNormalizeOrderID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		b    any
		in   string
		want string
	}{
		{padder(10), "6555", "0000006555"}, // KIS
		{padder(10), " 0000006555 ", "0000006555"},
		{padder(7), "6555", "0006555"}, // Kiwoom
		{padder(7), "0006555", "0006555"},
		{padder(7), "12345678", "12345678"}, // longer: not ours to cut
		{padder(10), "A-12", "A-12"},        // not a number: unchanged
		{padder(10), "", ""},
		{nil, " P-3 ", "P-3"}, // no normaliser (paper)
	}
	for _, tt := range tests {
		if got := broker.NormalizeOrderID(tt.b, tt.in); got != tt.want {
			t.Errorf("NormalizeOrderID(%v, %q) = %q; want %q", tt.b, tt.in, got, tt.want)
		}
	}
}

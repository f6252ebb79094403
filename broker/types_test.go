package broker

import (
	"errors"
	"fmt"
	"testing"
)

func TestParseCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Code
		ok   bool
	}{
		{"005930", "005930", true},
		{" 005930 ", "005930", true},
		{"0088m0", "0088M0", true},  // alphanumeric codes since 2024
		{"A005930", "005930", true}, // Kiwoom account views
		{"05930", "", false},
		{"0059300", "", false},
		{"00593O!", "", false},
		{"삼성전자", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := ParseCode(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseCode(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && KindOf(err) != Invalid {
			t.Errorf("ParseCode(%q) kind = %v", tt.in, KindOf(err))
		}
	}
}

func TestOrderRequestValidate(t *testing.T) {
	t.Parallel()
	ok := OrderRequest{Code: "005930", Side: Buy, Type: Limit, Qty: 1, Price: 70_000}
	tests := []struct {
		name   string
		mutate func(*OrderRequest)
		valid  bool
	}{
		{"limit", func(*OrderRequest) {}, true},
		{"market", func(r *OrderRequest) { r.Type, r.Price = Market, 0 }, true},
		{"market_with_price", func(r *OrderRequest) { r.Type = Market }, false},
		{"limit_without_price", func(r *OrderRequest) { r.Price = 0 }, false},
		{"zero_qty", func(r *OrderRequest) { r.Qty = 0 }, false},
		{"no_side", func(r *OrderRequest) { r.Side = 0 }, false},
		{"no_type", func(r *OrderRequest) { r.Type = 0 }, false},
		{"bad_code", func(r *OrderRequest) { r.Code = "12" }, false},
	}
	for _, tt := range tests {
		r := ok
		tt.mutate(&r)
		if err := r.Validate(); (err == nil) != tt.valid {
			t.Errorf("%s: Validate() = %v; want valid=%v", tt.name, err, tt.valid)
		}
	}
}

func TestErrorKindThroughWrapping(t *testing.T) {
	t.Parallel()
	base := &Error{Kind: RateLimited, Code: "EGW00201", Msg: "초당 거래건수를 초과하였습니다."}
	wrapped := fmt.Errorf("quote 005930: %w", base)
	if KindOf(wrapped) != RateLimited {
		t.Fatalf("KindOf = %v", KindOf(wrapped))
	}
	if KindOf(errors.New("plain")) != Internal {
		t.Fatal("plain error should be internal")
	}
	if got := base.Error(); got != "rate_limited [EGW00201]: 초당 거래건수를 초과하였습니다." {
		t.Fatalf("Error() = %q", got)
	}
	for k := Internal; k <= LimitExceeded; k++ {
		if k.String() == "" || k.String()[0] == 'K' {
			t.Errorf("kind %d has no name", k)
		}
	}
}

// Issue 21, item 6: a quote no exchange could produce is unreadable.
func TestQuotePlausible(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		q    Quote
		ok   bool
	}{
		{"normal", Quote{Code: "005930", Price: 70_700, UpperLimit: 91_900, LowerLimit: 49_490}, true},
		{"at the upper limit", Quote{Code: "005930", Price: 91_900, UpperLimit: 91_900, LowerLimit: 49_490}, true},
		{"at the lower limit", Quote{Code: "005930", Price: 49_490, UpperLimit: 91_900, LowerLimit: 49_490}, true},
		{"no limits given", Quote{Code: "005930", Price: 100}, true},
		{"100 under a lower limit of 49,490", Quote{Code: "005930", Price: 100, UpperLimit: 91_900, LowerLimit: 49_490}, false},
		{"above the upper limit", Quote{Code: "005930", Price: 91_910, UpperLimit: 91_900, LowerLimit: 49_490}, false},
		{"zero", Quote{Code: "005930", Price: 0}, false},
		{"negative", Quote{Code: "005930", Price: -70_700}, false},
		{"limits upside down", Quote{Code: "005930", Price: 70_000, UpperLimit: 49_490, LowerLimit: 91_900}, false},
	} {
		err := tc.q.Plausible()
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%t", tc.name, err, tc.ok)
		}
		if err != nil && KindOf(err) != Unreadable {
			t.Errorf("%s: kind %s, want unreadable", tc.name, KindOf(err))
		}
	}
}

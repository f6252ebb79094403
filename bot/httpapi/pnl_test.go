package httpapi

import (
	"context"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/pnl"
	"github.com/hoga-trade/hoga/pnl/pnltest"
)

// The JSON equivalents of /profit, /daily and /performance give the
// numbers of pnl's hand-computed table (pnl.TestHandComputedTable works
// them out) as integer won.
func TestPnLRoutes(t *testing.T) {
	t.Parallel()
	src, end := pnltest.HandTable()
	var asked []int
	e := newEnv(t, func(c *Config) {
		c.PnL = func(ctx context.Context, n int) (pnl.Report, error) {
			asked = append(asked, n)
			return pnl.Compute(ctx, src, end, n)
		}
	})
	tests := []struct {
		path string
		want string
	}{
		{"/daily?days=3", `{"days":3,"from":"2026-03-09","to":"2026-03-11","cost_basis":"moving_average",` +
			`"daily":[{"date":"2026-03-09","realised":0,"net":-213,"bought":1420000,"sold":0,"commission":213,"tax":0,"fills":2,"sells":0,"unknown_cost_sells":0},` +
			`{"date":"2026-03-10","realised":57582,"net":57527,"bought":370000,"sold":1125000,"commission":223,"tax":2250,"fills":2,"sells":1,"unknown_cost_sells":0},` +
			`{"date":"2026-03-11","realised":3173,"net":3173,"bought":0,"sold":850000,"commission":127,"tax":1700,"fills":2,"sells":2,"unknown_cost_sells":0}],` +
			`"total":{"realised":60755,"net":60487,"bought":1790000,"sold":1975000,"commission":563,"tax":3950,"fills":6,"sells":3,"unknown_cost_sells":0}}`},
		{"/profit?days=3", `{"days":3,"from":"2026-03-09","to":"2026-03-11","cost_basis":"moving_average",` +
			`"total":{"realised":60755,"net":60487,"bought":1790000,"sold":1975000,"commission":563,"tax":3950,"fills":6,"sells":3,"unknown_cost_sells":0},` +
			`"unrealised":10000,"positions":1}`},
		{"/performance?days=3", `{"days":3,"from":"2026-03-09","to":"2026-03-11","cost_basis":"moving_average","stocks":[` +
			`{"code":"005930","realised":31077,"bought":1790000,"sold":1825000,"sells":2,"profitable_sells":1,"commission":541,"tax":3650},` +
			`{"code":"000660","realised":29678,"bought":0,"sold":150000,"sells":1,"profitable_sells":1,"commission":22,"tax":300}],` +
			`"total":{"realised":60755,"net":60487,"bought":1790000,"sold":1975000,"commission":563,"tax":3950,"fills":6,"sells":3,"unknown_cost_sells":0}}`},
	}
	for _, tc := range tests {
		r := e.do("GET", tc.path, "")
		if r.status != 200 || strings.TrimSpace(string(r.body)) != tc.want {
			t.Errorf("GET %s: %d\n got %s\nwant %s", tc.path, r.status, r.body, tc.want)
		}
	}
	// The chat's defaults: 30 days for /profit and /performance, 7 for /daily.
	asked = nil
	for _, p := range []string{"/profit", "/daily", "/performance"} {
		if r := e.do("GET", p, ""); r.status != 200 {
			t.Fatalf("GET %s: %d %s", p, r.status, r.body)
		}
	}
	if len(asked) != 3 || asked[0] != 30 || asked[1] != 7 || asked[2] != 30 {
		t.Fatalf("days asked %v", asked)
	}
	for _, q := range []string{"0", "367", "x", "3&days=4", "-1", ""} {
		r := e.do("GET", "/daily?days="+q, "")
		if r.status != 400 {
			t.Errorf("days=%s: %d %s", q, r.status, r.body)
			continue
		}
		if k, eo := r.errKind(t); k != "invalid" || !strings.Contains(eo["message"].(string), "366") {
			t.Errorf("days=%s: %s", q, r.body)
		}
	}
	if r := e.do("GET", "/profit", "", "Authorization", ""); r.status != 401 {
		t.Fatalf("no token: %d", r.status)
	}
	// Unrealised is null when the broker cannot be asked; the realised
	// part still answers.
	e.fb.Fail("balance", &broker.Error{Kind: broker.Transient, Msg: "down"})
	if r := e.do("GET", "/profit?days=3", ""); r.status != 200 || !strings.Contains(string(r.body), `"unrealised":null,"positions":null`) {
		t.Fatalf("profit with the broker down: %d %s", r.status, r.body)
	}
}

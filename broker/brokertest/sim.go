package brokertest

import (
	"sort"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
)

// Both fakes trade on the one simulated market (broker/internal/market),
// the paper exchange's too: limits, matching, fills, holdings and
// reservations are the market's; a fake keeps its wire format, tokens,
// rate limits and faults.

// SimOptions are the simulation settings both fakes share.
type SimOptions struct {
	// Calendar supplies sessions and holidays with MarketHours; nil is
	// broker.NewCalendar(nil).
	Calendar *broker.Calendar
	// Walk makes prices follow the seeded random walk (one step per
	// second of the fake's clock) instead of holding still until SetPrice.
	Walk bool
	// Seed seeds the walk; 0 is 1, so a walking fake is repeatable.
	Seed int64
	// Tick, when positive, starts a goroutine that brings the market up
	// to the fake's clock on each tick of it, so that fills (and their
	// WebSocket notices) and day-order expiry happen while no request
	// comes in. Without it the market moves on each request, on Advance
	// and on the controls.
	Tick time.Duration
}

// newSim makes a fake's market: KRX sessions (day orders lapse at the
// close, 수능 and holidays included) with market hours, else one endless
// day as the fakes always had.
func newSim(name, idFormat string, marketHours bool, opts SimOptions, now time.Time, cash int64, onEvent func(market.Event)) (*market.Market, *broker.Calendar, error) {
	cal := opts.Calendar
	if cal == nil {
		var err error
		if cal, err = broker.NewCalendar(nil); err != nil {
			return nil, nil, err
		}
	}
	var sessions market.Sessions = market.Endless{}
	if marketHours {
		sessions = market.NewKRX(cal)
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 1
	}
	m := market.New(market.Config{
		Name:             name,
		Sessions:         sessions,
		Frozen:           !opts.Walk,
		MarketBuyAtUpper: true, // KIS and Kiwoom hold a market buy's cash at the upper limit
		IDFormat:         idFormat,
		OnEvent:          onEvent,
	}, now, seed, cash)
	return m, cal, nil
}

// simCodes lists the market's codes, sorted.
func simCodes(m *market.Market) []string {
	out := make([]string, 0, len(m.Instruments))
	for _, in := range m.Instruments {
		out = append(out, string(in.Code))
	}
	sort.Strings(out)
	return out
}

// simTicker advances the market on each tick of clk until stop closes;
// lock guards the market.
func simTicker(t interface {
	C() <-chan time.Time
	Stop()
}, stop <-chan struct{}, advance func()) {
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C():
			advance()
		}
	}
}

package paper

import (
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
)

// listings are the simulated market's one stock table (market.Listings),
// in the order the walk draws for them.
var listings = market.Listings()

// Stocks returns the codes the paper exchange lists and their Korean names,
// for help text ("try /price 005930"). Any other code is NotFound.
func Stocks() map[broker.Code]string {
	m := make(map[broker.Code]string, len(listings))
	for _, l := range listings {
		m[l.Code] = l.Name
	}
	return m
}

// instruments are the listings as the market lists them.
func instruments() []market.Instrument {
	return append([]market.Instrument(nil), listings...)
}

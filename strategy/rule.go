// Package strategy runs threshold rules in the background: buy below one
// price, sell above another, once per crossing, within position caps and
// the global risk limits, through the same guarded order path as manual
// orders. It never imports bot: it publishes events, and cmd/hoga connects
// them to the alert feed.
package strategy

import (
	"fmt"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// DefaultRearmBP is the default re-arm band: 1 % (100 basis points). A leg
// that fired re-arms only after the price moves back past its threshold
// by this much, so a price hovering at the threshold fires once.
const DefaultRearmBP = 100

// Rule is one stock's threshold rule. Either leg may be absent (0).
type Rule struct {
	Code      broker.Code
	BuyBelow  int64 // buy when price < BuyBelow; 0 = no buy leg
	SellAbove int64 // sell when price > SellAbove; 0 = no sell leg
	Qty       int64 // shares per fire
	// Type is Limit (at the trigger price snapped to the tick grid) or Market.
	Type broker.OrderType
	// MaxPosition caps the shares held by buying; 0 = no cap beyond Qty.
	MaxPosition int64
	// Cooldown is the minimum time between two fires of this rule.
	Cooldown time.Duration
	Enabled  bool
	// Confirm asks the owner with buttons instead of ordering.
	Confirm bool
	// RearmBP is the re-arm band in basis points; 0 means DefaultRearmBP.
	RearmBP int64
	// Venue is where the rule's orders go (KRX, NXT, SOR); empty is the
	// configured default (HOGA_VENUE).
	Venue broker.Venue
	// Extended lets the rule act in its venue's extended sessions too
	// (NXT's pre-market 08:00–08:50 and after-market 15:30–20:00:
	// `sessions: extended`); false keeps it to the regular day's
	// continuous trading (broker.Calendar.InVenueContinuous).
	Extended bool
}

// Validate checks a rule's shape; the message says what to fix, in
// English for the log and as a catalog sentence (Error.Say, "strategy.*")
// for the owner (issue 12, item 12).
func (r Rule) Validate() error {
	if _, err := broker.ParseCode(string(r.Code)); err != nil {
		return err
	}
	if r.BuyBelow <= 0 && r.SellAbove <= 0 {
		return broker.Errorf(broker.Invalid, "rule %s needs buy<PRICE or sell>PRICE", r.Code).Saying("strategy.need_leg", string(r.Code))
	}
	if r.BuyBelow < 0 || r.SellAbove < 0 {
		return broker.Errorf(broker.Invalid, "rule %s: prices must be positive", r.Code).Saying("strategy.prices", string(r.Code))
	}
	if r.BuyBelow > 0 && r.SellAbove > 0 && r.BuyBelow >= r.SellAbove {
		return broker.Errorf(broker.Invalid, "rule %s: buy price %d must be below sell price %d", r.Code, r.BuyBelow, r.SellAbove).
			Saying("strategy.order", string(r.Code), broker.Thousands(r.BuyBelow), broker.Thousands(r.SellAbove))
	}
	if r.Qty <= 0 {
		return broker.Errorf(broker.Invalid, "rule %s: qty must be positive", r.Code).Saying("strategy.qty", string(r.Code))
	}
	if r.Type != broker.Limit && r.Type != broker.Market {
		return broker.Errorf(broker.Invalid, "rule %s: type must be limit or market", r.Code).Saying("strategy.type", string(r.Code), r.Type.String())
	}
	if r.MaxPosition < 0 || r.Cooldown < 0 || r.RearmBP < 0 {
		return broker.Errorf(broker.Invalid, "rule %s: max, cooldown and rearm must not be negative", r.Code).Saying("strategy.negative", string(r.Code))
	}
	if r.MaxPosition > 0 && r.MaxPosition < r.Qty {
		return broker.Errorf(broker.Invalid, "rule %s: max position %d is below qty %d", r.Code, r.MaxPosition, r.Qty).
			Saying("strategy.max", string(r.Code), broker.Thousands(r.MaxPosition), broker.Thousands(r.Qty))
	}
	if r.Venue != "" && !r.Venue.Valid() {
		return broker.Errorf(broker.Invalid, "rule %s: venue %q must be krx, nxt or sor", r.Code, r.Venue).Saying("strategy.venue", string(r.Code), string(r.Venue))
	}
	if r.Extended && r.Venue == broker.VenueKRX {
		return broker.Errorf(broker.Invalid, "rule %s: sessions: extended needs venue nxt or sor (KRX's off-hours sessions take only their own order types)", r.Code).
			Saying("strategy.extended_krx", string(r.Code))
	}
	return nil
}

// Sessions is the rule's sessions setting as written: regular or extended.
func (r Rule) Sessions() string {
	if r.Extended {
		return "extended"
	}
	return "regular"
}

// Band returns the re-arm band in basis points.
func (r Rule) Band() int64 {
	if r.RearmBP == 0 {
		return DefaultRearmBP
	}
	return r.RearmBP
}

func (r Rule) String() string {
	return fmt.Sprintf("%s buy<%d sell>%d qty=%d %s max=%d cooldown=%s enabled=%t confirm=%t venue=%s sessions=%s",
		r.Code, r.BuyBelow, r.SellAbove, r.Qty, r.Type, r.MaxPosition, r.Cooldown, r.Enabled, r.Confirm, r.Venue.Lower(), r.Sessions())
}

// RuleStatus is a rule with its live state, for /rules and /status.
type RuleStatus struct {
	Rule
	BuyArmed   bool
	SellArmed  bool
	LastFire   time.Time
	FiresToday int
	LastPrice  int64
	// Failures counts broker failures in a row; three disarm the rule.
	Failures int
	// Disabled says why the engine turned the rule off, if it did.
	Disabled string
	// Held is the shares of the code the broker's balance shows (filled
	// buys only), and Buying and Selling the unfilled rest of hoga's open
	// buys and sells in it (the tracker's count, which a fill lowers at
	// once): the position the rule decides on, as /rules shows it.
	// PositionKnown is false when the balance could not be read.
	Held, Buying, Selling int64
	PositionKnown         bool
}

// Package market is the one simulated KRX market behind hoga's paper
// exchange and behind the KIS and Kiwoom fakes in broker/brokertest:
// instruments and their day limits, the tick grid, a seeded price walk,
// order matching, the account ledger (cash, holdings at average cost,
// reservations, fees and tax), day-order expiry at the session's close and
// an event feed of fills, cancels, expiries and price changes.
//
// It lives in broker/internal so that broker/paper and broker/brokertest
// (both under broker/) share it while no other package can depend on it:
// the simulation is an implementation detail of the two, and its shape can
// change with them. Its only dependencies are broker (tick grid, calendar,
// domain types) and the standard library.
//
// A Market is not safe for concurrent use: its owner (the paper exchange,
// a fake server) already holds a lock around every request and calls the
// Market under it. Events are delivered synchronously to Config.OnEvent,
// under that same lock, in the order they happen; an owner that fans them
// out to other goroutines copies them first.
//
// # The rules, once
//
//   - Day limits: ±30% of the base price (the previous close), the width cut
//     to the base price's tick, each limit then put on its own bracket's
//     grid toward the base (Limits).
//   - A marketable order (a market order, or a limit at or through the
//     current price) fills at once at the current price. A resting limit
//     order fills at its own limit price when the price reaches or crosses
//     it: it was on the book, so the trade that reached it traded with it.
//   - A buy reserves its remaining quantity × limit price plus commission;
//     a sell commits its remaining shares. Fees round down to the won.
//   - Day orders lapse at the session's close (Sessions decides when).
package market

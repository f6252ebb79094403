// Package broker is hoga's domain: stock codes, quotes, orders, positions,
// the Broker interface every implementation satisfies, one error type with
// kinds callers act on, and the KRX rules (tick sizes, sessions, holidays)
// that hold whichever broker is behind the interface.
//
// Money and quantities are int64 won and shares; brokers' strings are
// parsed at the edge, in the implementation packages.
package broker

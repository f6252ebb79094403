// Package broker is hoga's domain: stock codes, quotes, orders, positions,
// the Broker interface every implementation satisfies, one error type with
// kinds callers act on, and the KRX rules (tick sizes, sessions, holidays)
// that hold whichever broker is behind the interface. The order journal's
// vocabulary (JournalEntry, JournalCancel, Day) is domain too: broker/guard
// writes it through its small Journal interface and the store implements
// it, returning this package's error kinds (NotFound, Duplicate), so only
// cmd/hoga needs to know that the journal is SQLite.
//
// Money and quantities are int64 won and shares; brokers' strings are
// parsed at the edge, in the implementation packages.
package broker

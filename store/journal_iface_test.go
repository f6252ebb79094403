package store

import "github.com/hoga-trade/hoga/broker/guard"

// The store is the guard's journal; cmd/hoga wires one into the other.
var _ guard.Journal = (*DB)(nil)

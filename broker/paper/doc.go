// Package paper is a simulated KRX exchange behind broker.Broker: hoga's
// default broker, so that a new user can try every command — quotes,
// orders, cancels, the balance, the strategy — without an account, an API
// key or the network, and so that tests can trade without a fake server.
//
// About twenty well-known KOSPI and KOSDAQ stocks are listed (Stocks). Each
// price follows a seeded random walk on the KRX tick grid, mildly
// mean-reverting around a reference price and clamped to the ±30% daily
// limits. Market orders fill at once at the current price; limit orders
// fill when the walk reaches them, at their limit. Cash for open buys and shares for open
// sells are reserved, commission is charged on both sides and the
// securities transaction tax on sells, and the account survives a restart
// in a JSON file. The market itself — books, walk, matching, ledger,
// expiry — is broker/internal/market, the same simulation the KIS and
// Kiwoom fakes in broker/brokertest trade on; this package adds the
// broker.Broker API, the goroutine, the state file and the event feeds.
//
// # Events
//
// Subscribe pushes every fill, cancel and expiry to a callback as it
// happens (an order tracker's push source for the paper broker), and
// StreamTicks feeds the walk's price changes into a broker.TickBook as a
// broker's realtime trade feed would, and NewStream wraps that in the
// shape of the KIS and Kiwoom streams (subscribe, status), which is how
// hoga runs the paper broker: realtime, like the real ones.
//
// # Why the walk is lazy
//
// Prices advance in fixed steps of Options.Tick measured on the injected
// clock: whenever anything looks at the exchange (a quote, an order, the
// balance, or the exchange's own ticker goroutine), the walk is first
// brought up to the clock's present by running every step that has come
// due, in time order, re-checking open orders after each one. The price
// path is therefore a function of the seed and the clock alone, not of
// which goroutine happened to look first: with the same seed, the same
// calls and the same clock readings, two runs see the same prices and the
// same fills (HOGA_PAPER_SEED makes a run repeatable). The goroutine only
// makes fills and day-order expiry happen, and be saved, while nobody is
// asking.
//
// # Market hours
//
// With Options.MarketHours the exchange keeps the KRX calendar like a real
// broker: orders and cancels outside broker.Calendar.AcceptsOrders are
// refused with a MarketClosed error, prices move only in continuous trading
// (09:00–15:20 on a normal day), a new trading day (new base price, limits,
// zero volume) starts at the opening auction, and unfilled orders expire at
// the close. Without it, orders are taken at any hour, prices always move,
// and the day turns over at midnight KST.
package paper

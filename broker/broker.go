package broker

import "context"

// Broker is a securities account at one broker: prices, orders, holdings.
// Implementations: broker/paper (simulated), broker/kis, broker/kiwoom;
// broker/guard wraps any of them with the checks and the journal every
// order must pass. Every method honours ctx and returns *Error (via
// errors.As) for anything a caller can act on.
type Broker interface {
	// Name is a short identifier for logs and /status: "paper", "kis", "kiwoom".
	Name() string

	// Quote returns the current price of code.
	// Errors: NotFound (no such code), Auth, RateLimited, Transient.
	Quote(ctx context.Context, code Code) (Quote, error)

	// PlaceOrder sends a new order. A returned Order has at least ID and
	// Status set. It is never retried after the request may have reached
	// the broker: such a failure is UnknownOutcome.
	// Errors: Invalid, Rejected, InsufficientFunds, MarketClosed, NotFound,
	// Auth, RateLimited (not sent), Transient (not sent), UnknownOutcome.
	PlaceOrder(ctx context.Context, req OrderRequest) (Order, error)

	// CancelOrder cancels the whole remaining quantity of an order.
	// Errors: NotFound (no open order by that number), Rejected,
	// MarketClosed, Auth, RateLimited, Transient, UnknownOutcome.
	CancelOrder(ctx context.Context, req CancelRequest) (Order, error)

	// OrdersToday lists today's orders (KST trading day), open and done.
	// Errors: Auth, RateLimited, Transient.
	OrdersToday(ctx context.Context) ([]Order, error)

	// Balance returns cash and holdings.
	// Errors: Auth, RateLimited, Transient.
	Balance(ctx context.Context) (Balance, error)
}

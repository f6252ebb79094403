package brokertest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// Broker is an in-process broker.Broker for unit tests of what sits above
// a broker (the router, the HTTP API, the Telegram adapter, metrics): it
// answers from tables the test fills, counts every call, and fails the calls
// it is told to. It has no market: an order is accepted as sent and stays
// as the test leaves it (SetStatus). The wire fakes (KIS, Kiwoom) and paper
// are for tests of the brokers themselves. It is safe for concurrent use.
//
// Call names, for Calls, Fail and FailAfter: "quote", "place", "cancel",
// "orders", "balance", "candles", "token".
type Broker struct {
	name string
	clk  clock.Clock // nil: orders and quotes carry no time

	mu        sync.Mutex
	quotes    map[broker.Code]broker.Quote
	balance   broker.Balance
	orders    []broker.Order
	placed    []broker.OrderRequest
	cancels   []broker.CancelRequest
	calls     map[string]int
	log       []string            // CallLog
	quoted    map[broker.Code]int // Quote calls by code
	errs      map[string]error
	after     map[string]error      // FailAfter
	codeErrs  map[broker.Code]error // FailQuote
	placeErrs []error
	onPlace   func(context.Context, broker.OrderRequest) error
	onQuote   func(context.Context, broker.Code) error
	fill      bool
	move      bool // MoveHoldings
	next      int
	candles   map[broker.Code][]broker.Candle
	expiry    time.Time // SetToken
	tokenErr  error
}

var _ broker.Broker = (*Broker)(nil)

// NewBroker returns a fake named name ("fake" when empty) that stamps its
// orders and quotes with clk's time; nil leaves them without one.
func NewBroker(name string, clk clock.Clock) *Broker {
	if name == "" {
		name = "fake"
	}
	return &Broker{name: name, clk: clk, quotes: map[broker.Code]broker.Quote{}, calls: map[string]int{}, quoted: map[broker.Code]int{},
		errs: map[string]error{}, after: map[string]error{}, codeErrs: map[broker.Code]error{}}
}

// SetQuote makes q the answer for q.Code; any other code is NotFound.
func (b *Broker) SetQuote(q broker.Quote) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.quotes[q.Code] = q
}

// SetCandles makes cs the answer to MinuteCandles for code; a listed code
// without candles answers none.
func (b *Broker) SetCandles(code broker.Code, cs []broker.Candle) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.candles == nil {
		b.candles = map[broker.Code][]broker.Candle{}
	}
	b.candles[code] = append([]broker.Candle(nil), cs...)
}

var _ broker.Charter = (*Broker)(nil)

// MinuteCandles answers what SetCandles set (call name "candles" for Fail
// and Calls); an unquoted code is NotFound.
func (b *Broker) MinuteCandles(_ context.Context, code broker.Code) ([]broker.Candle, error) {
	if err := b.begin("candles"); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.quotes[code]; !ok {
		return nil, &broker.Error{Kind: broker.NotFound, Msg: "no such stock " + string(code)}
	}
	return append([]broker.Candle(nil), b.candles[code]...), b.failingAfter("candles")
}

// SetBalance makes bal the answer to Balance.
func (b *Broker) SetBalance(bal broker.Balance) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.balance = bal
}

// Fail makes every later call named call fail with err; nil ends it. An
// empty call names every call (a decorator's test fails them all at once);
// a named one comes first.
func (b *Broker) Fail(call string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errs[call] = err
}

// FailAfter makes every later call named call ("" every call) carry out
// its work and then answer its result together with err; nil ends it. A
// place is recorded and listed: an answer lost after the broker acted. A
// decorator's test sees that a value and an error returned together both
// pass through.
func (b *Broker) FailAfter(call string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.after[call] = err
}

// FailQuote makes quotes of code fail with err (counted, as any failed
// call); nil ends it. Other codes answer as before.
func (b *Broker) FailQuote(code broker.Code, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.codeErrs[code] = err
}

// SetPosition puts p in the balance, replacing the holding of p.Code.
func (b *Broker) SetPosition(p broker.Position) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.balance.Positions {
		if b.balance.Positions[i].Code == p.Code {
			b.balance.Positions[i] = p
			return
		}
	}
	b.balance.Positions = append(b.balance.Positions, p)
}

// MoveHoldings makes every accepted order move the balance's holding at
// once by its quantity, as if it filled in full when placed: a buy adds to
// the holding and what is sellable, a sell takes from both. The cash is
// left alone.
func (b *Broker) MoveHoldings(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.move = on
}

// QuoteCalls counts the Quote calls for code, failed ones included.
func (b *Broker) QuoteCalls(code broker.Code) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.quoted[code]
}

// SetToken gives the fake an access token, as both real clients have one:
// EnsureToken answers err (a refused key, a throttled issuance) and
// TokenExpiry says expiry (zero: no token yet).
func (b *Broker) SetToken(expiry time.Time, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expiry, b.tokenErr = expiry, err
}

// EnsureToken is the token's check (call name "token"): it answers what
// SetToken set, nil by default.
func (b *Broker) EnsureToken(context.Context) error {
	if err := b.begin("token"); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokenErr
}

// TokenExpiry is the expiry SetToken set.
func (b *Broker) TokenExpiry() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.expiry
}

// CallLog lists every call so far in the order they came, by call name
// and for a quote its code ("token", "quote 005930", "balance"): a test
// of what asks a broker in a set order.
func (b *Broker) CallLog() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.log...)
}

// FailPlace makes the next len(errs) PlaceOrder calls fail with errs in
// turn, before any error set with Fail.
func (b *Broker) FailPlace(errs ...error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.placeErrs = append(b.placeErrs, errs...)
}

// OnPlace runs fn inside every PlaceOrder, after it is counted and before
// it answers: a test holds an order in flight by blocking in fn, or
// refuses it by returning an error, which is then the answer.
func (b *Broker) OnPlace(fn func(context.Context, broker.OrderRequest) error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.onPlace = fn
}

// OnQuote runs fn inside every Quote, before it is counted, as OnPlace.
func (b *Broker) OnQuote(fn func(context.Context, broker.Code) error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.onQuote = fn
}

// FillMarketOrders makes a market order fill at once, in full, at its
// stock's quoted price, as the paper broker's do; otherwise every order is
// only accepted.
func (b *Broker) FillMarketOrders(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fill = on
}

// Calls counts the calls named so far, failed ones included; with no name,
// every call.
func (b *Broker) Calls(names ...string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(names) == 0 {
		n := 0
		for _, c := range b.calls {
			n += c
		}
		return n
	}
	n := 0
	for _, name := range names {
		n += b.calls[name]
	}
	return n
}

// Placed returns the orders accepted so far, as sent.
func (b *Broker) Placed() []broker.OrderRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]broker.OrderRequest(nil), b.placed...)
}

// Cancels returns the cancel requests received so far.
func (b *Broker) Cancels() []broker.CancelRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]broker.CancelRequest(nil), b.cancels...)
}

// AddOrder puts o in today's list, as an order placed outside hoga (the
// broker's app, HTS) would be.
func (b *Broker) AddOrder(o broker.Order) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.orders = append(b.orders, o)
}

// SetStatus changes order id in today's list (a fill: filled shares at the
// order's price).
func (b *Broker) SetStatus(id string, st broker.OrderStatus, filled int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.orders {
		if o := &b.orders[i]; o.ID == id {
			o.Status, o.FilledQty, o.AvgFillPrice = st, filled, o.Price
		}
	}
}

func (b *Broker) begin(call string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls[call]++
	b.log = append(b.log, call)
	return b.failing(call)
}

// failing is the error Fail set for call, or for every call; b.mu is held.
func (b *Broker) failing(call string) error {
	if err := b.errs[call]; err != nil {
		return err
	}
	return b.errs[""]
}

// failingAfter is the error FailAfter set for call, or for every call;
// b.mu is held.
func (b *Broker) failingAfter(call string) error {
	if err := b.after[call]; err != nil {
		return err
	}
	return b.after[""]
}

// Name is the name given to NewBroker.
func (b *Broker) Name() string { return b.name }

// Quote answers from the quote table, stamped with the clock's time when
// the table's quote has none.
func (b *Broker) Quote(ctx context.Context, code broker.Code) (broker.Quote, error) {
	b.mu.Lock()
	hook := b.onQuote
	b.mu.Unlock()
	if hook != nil {
		if err := hook(ctx, code); err != nil {
			return broker.Quote{}, err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls["quote"]++
	b.log = append(b.log, "quote "+string(code))
	b.quoted[code]++
	if err := b.failing("quote"); err != nil {
		return broker.Quote{}, err
	}
	if err := b.codeErrs[code]; err != nil {
		return broker.Quote{}, err
	}
	q, ok := b.quotes[code]
	if !ok {
		return broker.Quote{}, &broker.Error{Kind: broker.NotFound, Msg: "no such stock " + string(code)}
	}
	if q.Time.IsZero() && b.clk != nil {
		q.Time = b.clk.Now()
	}
	return q, b.failingAfter("quote")
}

// PlaceOrder accepts req under the next ten-digit order number (as KIS
// writes them), named from the quote table, unless told to fail.
func (b *Broker) PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error) {
	b.mu.Lock()
	b.calls["place"]++
	b.log = append(b.log, "place")
	var err error
	if len(b.placeErrs) > 0 {
		err, b.placeErrs = b.placeErrs[0], b.placeErrs[1:]
	} else {
		err = b.failing("place")
	}
	hook := b.onPlace
	b.mu.Unlock()
	if hook != nil {
		if herr := hook(ctx, req); herr != nil {
			err = herr
		}
	}
	if err != nil {
		return broker.Order{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.next++
	b.placed = append(b.placed, req)
	o := broker.Order{ID: fmt.Sprintf("%010d", b.next), Code: req.Code, Name: b.quotes[req.Code].Name, Side: req.Side, Type: req.Type,
		Qty: req.Qty, Price: req.Price, Venue: req.Venue, Status: broker.StatusAccepted}
	if b.clk != nil {
		o.Time = b.clk.Now()
	}
	if q, ok := b.quotes[req.Code]; ok && b.fill && req.Type == broker.Market {
		o.Status, o.FilledQty, o.AvgFillPrice = broker.StatusFilled, req.Qty, q.Price
	}
	b.orders = append(b.orders, o)
	if b.move {
		b.moveLocked(req)
	}
	return o, b.failingAfter("place")
}

// moveLocked moves req's holding by its quantity (MoveHoldings); b.mu is
// held.
func (b *Broker) moveLocked(req broker.OrderRequest) {
	d := req.Qty
	if req.Side == broker.Sell {
		d = -d
	}
	for i := range b.balance.Positions {
		if p := &b.balance.Positions[i]; p.Code == req.Code {
			p.Qty, p.Sellable = p.Qty+d, p.Sellable+d
			return
		}
	}
	b.balance.Positions = append(b.balance.Positions, broker.Position{Code: req.Code, Qty: d, Sellable: d})
}

// NormalizeOrderID writes an order number as the fake (and KIS) does: ten
// digits.
func (b *Broker) NormalizeOrderID(id string) string { return broker.PadOrderID(id, 10) }

// CancelOrder records req and answers that the order is cancelled.
func (b *Broker) CancelOrder(_ context.Context, req broker.CancelRequest) (broker.Order, error) {
	if err := b.begin("cancel"); err != nil {
		return broker.Order{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cancels = append(b.cancels, req)
	return broker.Order{ID: req.OrderID, Status: broker.StatusCancelled}, b.failingAfter("cancel")
}

// OrdersToday returns the orders placed and added so far.
func (b *Broker) OrdersToday(context.Context) ([]broker.Order, error) {
	if err := b.begin("orders"); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]broker.Order(nil), b.orders...), b.failingAfter("orders")
}

// Balance answers with the balance set.
func (b *Broker) Balance(context.Context) (broker.Balance, error) {
	if err := b.begin("balance"); err != nil {
		return broker.Balance{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bal := b.balance
	bal.Positions = append([]broker.Position(nil), bal.Positions...)
	return bal, b.failingAfter("balance")
}

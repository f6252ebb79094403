package guard

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// behaviour is what the fake broker does with one PlaceOrder.
type behaviour int

const (
	accept     behaviour = iota // record and answer
	reject                      // refuse (step.err, default Rejected); nothing recorded
	lostAnswer                  // record, then fail as a timeout would: UnknownOutcome
	hang                        // record, close step.recorded, wait for ctx, then UnknownOutcome
	notSent                     // fail with UnknownOutcome without recording (reset before delivery)
	transient                   // fail with Transient (provably not sent)
	internal                    // record, then fail with an unclassified error
	acceptNoID                  // record, answer success without an order number
)

func (b behaviour) String() string {
	return [...]string{"accept", "reject", "lostAnswer", "hang", "notSent", "transient", "internal", "acceptNoID"}[b]
}

type step struct {
	do  behaviour
	err error
	// recorded, for hang (and a gated accept), is closed once the order
	// is recorded. Each step has its own, so a caller never sees another
	// call's signal.
	recorded chan struct{}
	// timeout, for hang, stands for the broker client's own request timer:
	// closing it ends the hang with UnknownOutcome, as the timer would.
	timeout chan struct{}
	// gate, for accept, holds the answer until closed; the call's context
	// ending first gives UnknownOutcome, as a real client would.
	gate chan struct{}
}

// fakeBroker is a scriptable broker.Broker. Orders it records are the
// exchange's truth; the client id it was sent with is kept aside (real
// brokers do not echo it) unless echoClientID is set.
type fakeBroker struct {
	clk clock.Clock
	// listGate, when set, holds every OrdersToday until it is closed
	// (a broker paging a long list); listAsked hears each such wait.
	listGate  chan struct{}
	listAsked chan struct{}

	mu           sync.Mutex
	orders       []broker.Order
	positions    []broker.Position // held shares, for Balance
	balanceErr   error
	clientOf     map[string]string // broker order id → client id sent
	calls        map[string]int    // client id → PlaceOrder calls
	lastVenue    broker.Venue
	lastSession  broker.SessionKind // the last request's Session
	placeCalls   int
	script       []step
	listErrs     []error // OrdersToday failures, consumed first
	quotes       map[broker.Code]broker.Quote
	quoteErr     error
	cancels      []broker.CancelRequest
	echoClientID bool
	nextID       int
	// skew is how far the broker's clock is ahead of the host's: the
	// times it stamps on orders are its own.
	skew time.Duration

	inflight, maxInflight int
	// entered, when set, receives the client id of each PlaceOrder as it
	// starts; release, when set, must then deliver a token before it goes on.
	entered chan string
	release chan struct{}
}

func newFakeBroker(clk clock.Clock) *fakeBroker {
	return &fakeBroker{
		clk:      clk,
		clientOf: map[string]string{},
		calls:    map[string]int{},
		quotes: map[broker.Code]broker.Quote{
			"005930": {Code: "005930", Name: "삼성전자", Price: 70_000, UpperLimit: 91_000, LowerLimit: 49_000, Tick: 100},
			"069500": {Code: "069500", Name: "KODEX 200", Price: 35_005, UpperLimit: 45_505, Tick: 5},
		},
	}
}

func (f *fakeBroker) Name() string { return "fake" }

func (f *fakeBroker) then(steps ...step) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, steps...)
}

func (f *fakeBroker) Quote(ctx context.Context, code broker.Code) (broker.Quote, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.quoteErr != nil {
		return broker.Quote{}, f.quoteErr
	}
	q, ok := f.quotes[code]
	if !ok {
		return broker.Quote{}, &broker.Error{Kind: broker.NotFound, Msg: "no such code " + string(code)}
	}
	return q, nil
}

func (f *fakeBroker) record(req broker.OrderRequest) broker.Order {
	f.nextID++
	o := broker.Order{
		ID: fmt.Sprintf("%010d", f.nextID), Branch: "06590",
		Code: req.Code, Side: req.Side, Type: req.Type, Qty: req.Qty, Price: req.Price,
		Status: broker.StatusAccepted, Time: f.clk.Now().Add(f.skew),
	}
	if f.echoClientID {
		o.ClientID = req.ClientID
	}
	f.orders = append(f.orders, o)
	f.clientOf[o.ID] = req.ClientID
	return o
}

func (f *fakeBroker) PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error) {
	f.mu.Lock()
	f.placeCalls++
	f.lastVenue, f.lastSession = req.Venue, req.Session
	f.calls[req.ClientID]++
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	entered, release := f.entered, f.release
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()
	if entered != nil {
		entered <- req.ClientID
		<-release
	}

	f.mu.Lock()
	s := step{do: accept}
	if len(f.script) > 0 {
		s, f.script = f.script[0], f.script[1:]
	}
	switch s.do {
	case accept:
		o := f.record(req)
		f.mu.Unlock()
		if s.gate != nil {
			if s.recorded != nil {
				close(s.recorded)
			}
			select {
			case <-s.gate:
			case <-ctx.Done():
				return broker.Order{}, &broker.Error{Kind: broker.UnknownOutcome, Msg: "request cancelled", Err: ctx.Err()}
			}
		}
		// Like the real order endpoints: number, branch, time, status.
		return broker.Order{ID: o.ID, Branch: o.Branch, Time: o.Time, Status: broker.StatusAccepted}, nil
	case reject:
		f.mu.Unlock()
		if s.err == nil {
			s.err = &broker.Error{Kind: broker.Rejected, Code: "APBK0017", Msg: "주문이 거부되었습니다"}
		}
		return broker.Order{}, s.err
	case lostAnswer:
		f.record(req)
		f.mu.Unlock()
		return broker.Order{}, &broker.Error{Kind: broker.UnknownOutcome, Msg: "no answer", Err: context.DeadlineExceeded}
	case hang:
		f.record(req)
		f.mu.Unlock()
		if s.recorded != nil {
			close(s.recorded)
		}
		select {
		case <-ctx.Done():
		case <-s.timeout:
		}
		return broker.Order{}, &broker.Error{Kind: broker.UnknownOutcome, Msg: "order request timed out", Err: context.DeadlineExceeded}
	case notSent:
		f.mu.Unlock()
		return broker.Order{}, &broker.Error{Kind: broker.UnknownOutcome, Msg: "connection reset", Err: errors.New("read: connection reset by peer")}
	case transient:
		f.mu.Unlock()
		return broker.Order{}, &broker.Error{Kind: broker.Transient, Msg: "connection refused"}
	case internal:
		f.record(req)
		f.mu.Unlock()
		return broker.Order{}, errors.New("decode response: unexpected EOF")
	case acceptNoID:
		f.record(req)
		f.mu.Unlock()
		return broker.Order{Status: broker.StatusAccepted}, nil
	}
	f.mu.Unlock()
	panic("unknown behaviour")
}

func (f *fakeBroker) CancelOrder(ctx context.Context, req broker.CancelRequest) (broker.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancels = append(f.cancels, req)
	for i := range f.orders {
		o := &f.orders[i]
		if o.ID != req.OrderID {
			continue
		}
		// KIS refuses without the branch, Kiwoom without the code.
		if req.Branch != o.Branch {
			return broker.Order{}, &broker.Error{Kind: broker.NotFound, Code: "40270000", Msg: "branch mismatch"}
		}
		if req.Code != o.Code {
			return broker.Order{}, &broker.Error{Kind: broker.Rejected, Code: "1700", Msg: "code mismatch"}
		}
		if !o.Status.Open() {
			return broker.Order{}, &broker.Error{Kind: broker.Rejected, Code: "40330000", Msg: "nothing left to cancel"}
		}
		o.Status = broker.StatusCancelled
		f.nextID++
		return broker.Order{ID: fmt.Sprintf("%010d", f.nextID), Branch: o.Branch, Status: broker.StatusCancelled, Time: f.clk.Now()}, nil
	}
	return broker.Order{}, &broker.Error{Kind: broker.NotFound, Msg: "no such order"}
}

func (f *fakeBroker) OrdersToday(ctx context.Context) ([]broker.Order, error) {
	if f.listGate != nil {
		select {
		case f.listAsked <- struct{}{}:
		default:
		}
		select {
		case <-f.listGate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.listErrs) > 0 {
		err := f.listErrs[0]
		f.listErrs = f.listErrs[1:]
		return nil, err
	}
	today := f.clk.Now().In(broker.KST()).Format("20060102")
	var out []broker.Order
	for _, o := range f.orders {
		if o.Time.In(broker.KST()).Format("20060102") == today {
			out = append(out, o)
		}
	}
	return out, nil
}

func (f *fakeBroker) Balance(ctx context.Context) (broker.Balance, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.balanceErr != nil {
		return broker.Balance{}, f.balanceErr
	}
	return broker.Balance{Cash: 10_000_000, Orderable: 10_000_000, Total: 10_000_000,
		Positions: append([]broker.Position(nil), f.positions...)}, nil
}

// snapshot returns copies of the recorded orders and the hidden client ids.
func (f *fakeBroker) snapshot() ([]broker.Order, map[string]string, map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	orders := append([]broker.Order(nil), f.orders...)
	clientOf := make(map[string]string, len(f.clientOf))
	for k, v := range f.clientOf {
		clientOf[k] = v
	}
	calls := make(map[string]int, len(f.calls))
	for k, v := range f.calls {
		calls[k] = v
	}
	return orders, clientOf, calls
}

// add puts an order at the broker that hoga did not place (the app, HTS).
func (f *fakeBroker) add(o broker.Order) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orders = append(f.orders, o)
}

var _ broker.Broker = (*fakeBroker)(nil)

package kis

import (
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// routes remembers, for today's orders, the exchange KIS's realtime notices
// say each is on (ORD_EXG_GB, stream_frame.go). KIS's order list names only
// the venue an order was sent to (excg_id_dvsn_Cd: KRX, NXT, SOR;
// chk_inquire_daily_ccld.py), and its other exchange column, excg_dvsn_cd
// (거래소구분코드), comes with no values in the samples, so it is not read
// as one; the notice is the only place KIS says where a SOR order went.
// The memory is this process's; the journal keeps what the notices said
// across restarts (the tracker writes JournalEntry.Exchange from the same
// notice, and broker/guard fills an order listed here without one from its
// row). Order numbers restart daily, so a new KST day forgets the last.
type routes struct {
	mu  sync.Mutex
	day time.Time
	on  map[string]broker.Venue // padded ODNO → KRX or NXT; "" when notices disagreed
}

// note records what notice n says of its order's exchange on day.
func (r *routes) note(day time.Time, n Notice) {
	if n.Exchange == "" || n.OrderNo == "" {
		return
	}
	id := padODNO(n.OrderNo)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.roll(day)
	if was, ok := r.on[id]; ok && was != n.Exchange {
		// A SOR order whose fills came from both exchanges: neither alone
		// is where it traded, so /orders says only "SOR".
		r.on[id] = ""
		return
	}
	r.on[id] = n.Exchange
}

// exchange is the exchange today's order id is on, if a notice said.
func (r *routes) exchange(day time.Time, id string) broker.Venue {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.roll(day)
	return r.on[padODNO(id)]
}

// roll forgets an earlier day's orders (lock held).
func (r *routes) roll(day time.Time) {
	if r.on == nil || !r.day.Equal(day) {
		r.day, r.on = day, map[string]broker.Venue{}
	}
}

package brokertest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// Journal is an in-memory order journal with the SQLite store's semantics:
// a duplicate client id is broker.Duplicate, a missing row broker.NotFound,
// UpdateOrder is atomic and stamps Updated from the clock unless fn does,
// ClientID and Created cannot be changed, rows come back in the order they
// were written and times come back as the store reads them (Unix
// nanoseconds, no monotonic reading). It implements broker/guard's Journal,
// so the guard's tests run without a database; a Journal outlives a
// guard, as the file does a process. It is safe for concurrent use.
type Journal struct {
	clk clock.Clock

	mu       sync.Mutex
	orders   []broker.JournalEntry // in insertion order
	byClient map[string]int
	cancels  []broker.JournalCancel
	fills    []broker.Fill
	settings map[string]string
	writes   int
}

// NewJournal returns an empty journal stamping updates with clk (nil is the
// wall clock).
func NewJournal(clk clock.Clock) *Journal {
	return &Journal{clk: clock.Or(clk), byClient: map[string]int{}, settings: map[string]string{}}
}

// stored is t as the store gives it back.
func stored(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(0, t.UnixNano())
}

func storedEntry(e broker.JournalEntry) broker.JournalEntry {
	e.Created, e.Updated = stored(e.Created), stored(e.Updated)
	return e
}

func journalNotFound(format string, args ...any) error {
	return broker.Errorf(broker.NotFound, format, args...)
}

// InsertOrder journals a new order; broker.Duplicate when the client id is
// already there.
func (j *Journal) InsertOrder(_ context.Context, e broker.JournalEntry) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if e.Updated.IsZero() {
		e.Updated = e.Created
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, ok := j.byClient[e.ClientID]; ok {
		return &broker.Error{Kind: broker.Duplicate, Msg: fmt.Sprintf("client order id %s is already journaled", e.ClientID)}
	}
	j.byClient[e.ClientID] = len(j.orders)
	j.orders = append(j.orders, storedEntry(e))
	j.writes++
	return nil
}

// UpdateOrder lets fn change the row with clientID atomically; nothing is
// written when fn fails.
func (j *Journal) UpdateOrder(_ context.Context, clientID string, fn func(*broker.JournalEntry) error) (broker.JournalEntry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	i, ok := j.byClient[clientID]
	if !ok {
		return broker.JournalEntry{}, journalNotFound("order %s is not in the journal", clientID)
	}
	before := j.orders[i]
	e := before
	if err := fn(&e); err != nil {
		return broker.JournalEntry{}, err
	}
	e.ClientID, e.Created = before.ClientID, before.Created
	if e.Updated.Equal(before.Updated) {
		e.Updated = j.clk.Now()
	}
	if err := e.Validate(); err != nil {
		return broker.JournalEntry{}, fmt.Errorf("journal: %w", err)
	}
	e = storedEntry(e)
	j.orders[i] = e
	j.writes++
	return e, nil
}

// OrderByClientID returns the row with clientID, or broker.NotFound.
func (j *Journal) OrderByClientID(_ context.Context, clientID string) (broker.JournalEntry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	i, ok := j.byClient[clientID]
	if !ok {
		return broker.JournalEntry{}, journalNotFound("order %s is not in the journal", clientID)
	}
	return j.orders[i], nil
}

// OrderByBrokerID returns the latest row the broker numbered brokerID on
// day's KST date, or broker.NotFound.
func (j *Journal) OrderByBrokerID(_ context.Context, day time.Time, brokerID string) (broker.JournalEntry, error) {
	if brokerID == "" {
		return broker.JournalEntry{}, journalNotFound("empty broker order number")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	d := broker.Day(day)
	for i := len(j.orders) - 1; i >= 0; i-- {
		if e := j.orders[i]; e.BrokerID == brokerID && broker.Day(e.Created) == d {
			return e, nil
		}
	}
	return broker.JournalEntry{}, journalNotFound("broker order %s is not in the journal", brokerID)
}

func (j *Journal) rows(keep func(broker.JournalEntry) bool) []broker.JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []broker.JournalEntry
	for _, e := range j.orders {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// OrdersOn returns day's rows in the order they were written.
func (j *Journal) OrdersOn(_ context.Context, day time.Time) ([]broker.JournalEntry, error) {
	d := broker.Day(day)
	return j.rows(func(e broker.JournalEntry) bool { return broker.Day(e.Created) == d }), nil
}

// CountOrdersOn counts day's rows.
func (j *Journal) CountOrdersOn(ctx context.Context, day time.Time) (int, error) {
	rows, _ := j.OrdersOn(ctx, day)
	return len(rows), nil
}

// Unresolved returns the pending and unknown rows not expired, oldest
// first.
func (j *Journal) Unresolved(context.Context) ([]broker.JournalEntry, error) {
	return j.rows(func(e broker.JournalEntry) bool {
		return (e.State == broker.StatusPending || e.State == broker.StatusUnknown) && !e.Expired
	}), nil
}

// InsertCancel journals a cancel and returns its id (from 1).
func (j *Journal) InsertCancel(_ context.Context, c broker.JournalCancel) (int64, error) {
	if c.OrderID == "" || c.Created.IsZero() || c.State == "" {
		return 0, fmt.Errorf("journal: cancel needs an order id, a creation time and a state")
	}
	if c.Updated.IsZero() {
		c.Updated = c.Created
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	c.ID = int64(len(j.cancels) + 1)
	c.Created, c.Updated = stored(c.Created), stored(c.Updated)
	j.cancels = append(j.cancels, c)
	j.writes++
	return c.ID, nil
}

// FinishCancel records the outcome of cancel c.ID.
func (j *Journal) FinishCancel(_ context.Context, c broker.JournalCancel) error {
	if c.Updated.IsZero() {
		c.Updated = j.clk.Now()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if c.ID < 1 || int(c.ID) > len(j.cancels) {
		return journalNotFound("cancel %d is not in the journal", c.ID)
	}
	x := &j.cancels[c.ID-1]
	x.State, x.CancelID, x.ErrKind, x.ErrCode, x.ErrMsg, x.Updated = c.State, c.CancelID, c.ErrKind, c.ErrCode, c.ErrMsg, stored(c.Updated)
	j.writes++
	return nil
}

// Cancels returns the cancels journaled on day's KST date, oldest first.
func (j *Journal) Cancels(day time.Time) []broker.JournalCancel {
	j.mu.Lock()
	defer j.mu.Unlock()
	d := broker.Day(day)
	var out []broker.JournalCancel
	for _, c := range j.cancels {
		if broker.Day(c.Created) == d {
			out = append(out, c)
		}
	}
	return out
}

// Writes counts the order and cancel writes so far (a replay must write
// nothing).
func (j *Journal) Writes() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.writes
}

// GetSetting returns the value stored under key, and whether there is one.
func (j *Journal) GetSetting(_ context.Context, key string) (string, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	v, ok := j.settings[key]
	return v, ok, nil
}

// PutSetting stores value under key.
func (j *Journal) PutSetting(_ context.Context, key, value string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.settings[key] = value
	return nil
}

// DeleteSetting removes key.
func (j *Journal) DeleteSetting(_ context.Context, key string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.settings, key)
	return nil
}

// SettingsWithPrefix returns every setting whose key starts with prefix.
func (j *Journal) SettingsWithPrefix(_ context.Context, prefix string) (map[string]string, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := map[string]string{}
	for k, v := range j.settings {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out, nil
}

// Close does nothing: the journal lives as long as the test holds it.
func (j *Journal) Close() error { return nil }

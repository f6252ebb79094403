package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hoga-trade/hoga/broker"
)

// Entry is one journaled order: what was asked, by whom, and where it
// stands as far as hoga knows. Fills are not journaled; the broker's
// OrdersToday is the authority on them.
type Entry struct {
	// ClientID is hoga's id for the order; unique across the journal.
	ClientID string
	Source   string // console, telegram, http, strategy
	User     string // who asked

	Code  broker.Code
	Side  broker.Side
	Type  broker.OrderType
	Qty   int64
	Price int64 // 0 for market

	// State is pending (journaled, broker not answered yet), accepted,
	// rejected, unknown (sent, no answer) or cancelled.
	State    broker.OrderStatus
	BrokerID string // broker order number once known
	Branch   string // KIS order branch, needed to cancel

	// ErrKind, ErrCode and ErrMsg record why an order was rejected or
	// why its outcome is unknown.
	ErrKind broker.Kind
	ErrCode string
	ErrMsg  string
	// Note is a short remark for the owner (how it was reconciled, why it
	// is unresolved).
	Note string
	// Expired marks a pending/unknown row whose trading day ended before
	// it could be reconciled: today's order list can no longer show it, so
	// reconciliation stops and the owner is told to check the broker's
	// history.
	Expired bool

	Created time.Time // when the row was written, just before the broker call
	Updated time.Time
}

// Request rebuilds the order request the entry journals.
func (e Entry) Request() broker.OrderRequest {
	return broker.OrderRequest{
		Code: e.Code, Side: e.Side, Type: e.Type, Qty: e.Qty, Price: e.Price,
		ClientID: e.ClientID, Source: e.Source, User: e.User,
	}
}

// Err rebuilds the error recorded with the entry, nil if none.
func (e Entry) Err() error {
	if e.ErrKind == broker.Internal && e.ErrCode == "" && e.ErrMsg == "" {
		return nil
	}
	return &broker.Error{Kind: e.ErrKind, Code: e.ErrCode, Msg: e.ErrMsg}
}

// SetErr records err's kind, code and message (the whole chain's text when
// err is not a *broker.Error).
func (e *Entry) SetErr(err error) {
	e.ErrKind, e.ErrCode, e.ErrMsg = errFields(err)
}

// Unresolved reports whether reconciliation still has to settle the entry.
func (e Entry) Unresolved() bool {
	return (e.State == broker.StatusPending || e.State == broker.StatusUnknown) && !e.Expired
}

func errFields(err error) (broker.Kind, string, string) {
	if err == nil {
		return broker.Internal, "", ""
	}
	if be, ok := broker.AsError(err); ok {
		msg := be.Msg
		if msg == "" {
			msg = err.Error()
		}
		return be.Kind, be.Code, msg
	}
	return broker.Internal, "", err.Error()
}

// Day is the KST trading date of t, as the journal indexes it.
func Day(t time.Time) string { return t.In(broker.KST()).Format(time.DateOnly) }

const entryColumns = `client_id, day, source, user_id, code, side, type, qty, price, state, broker_id, branch,
	err_kind, err_code, err_msg, note, expired, created_ns, updated_ns`

func entryArgs(e *Entry) []any {
	return []any{e.ClientID, Day(e.Created), e.Source, e.User, string(e.Code), e.Side.String(), e.Type.String(),
		e.Qty, e.Price, string(e.State), e.BrokerID, e.Branch, kindName(e.ErrKind), e.ErrCode, e.ErrMsg, e.Note,
		boolInt(e.Expired), nanos(e.Created), nanos(e.Updated)}
}

type scanner interface{ Scan(dest ...any) error }

func scanEntry(s scanner) (Entry, error) {
	var (
		e                       Entry
		day, code, side, typ    string
		state, kind             string
		expired                 int64
		createdNanos, updatedNs int64
	)
	if err := s.Scan(&e.ClientID, &day, &e.Source, &e.User, &code, &side, &typ, &e.Qty, &e.Price, &state,
		&e.BrokerID, &e.Branch, &kind, &e.ErrCode, &e.ErrMsg, &e.Note, &expired, &createdNanos, &updatedNs); err != nil {
		return Entry{}, err
	}
	e.Code = broker.Code(code)
	var err error
	if e.Side, err = broker.ParseSide(side); err != nil {
		return Entry{}, fmt.Errorf("row %s: %w", e.ClientID, err)
	}
	if e.Type, err = broker.ParseOrderType(typ); err != nil {
		return Entry{}, fmt.Errorf("row %s: %w", e.ClientID, err)
	}
	e.State = broker.OrderStatus(state)
	e.ErrKind = parseKind(kind)
	e.Expired = expired != 0
	e.Created, e.Updated = fromNanos(createdNanos), fromNanos(updatedNs)
	return e, nil
}

func (e *Entry) check() error {
	switch {
	case e.ClientID == "":
		return errors.New("store: entry has no client id")
	case e.Created.IsZero():
		return errors.New("store: entry has no creation time")
	case e.State == "":
		return errors.New("store: entry has no state")
	}
	return nil
}

// InsertOrder journals a new order. It fails with ErrDuplicate (wrapped)
// when the client id is already there; the caller must then not send the
// order again.
func (db *DB) InsertOrder(ctx context.Context, e Entry) error {
	if err := e.check(); err != nil {
		return err
	}
	if e.Updated.IsZero() {
		e.Updated = e.Created
	}
	_, err := db.w.ExecContext(ctx, "INSERT INTO orders ("+entryColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entryArgs(&e)...)
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: %s", ErrDuplicate, e.ClientID)
		}
		return fmt.Errorf("store: insert order %s: %w", e.ClientID, err)
	}
	return nil
}

// UpdateOrder reads the entry with clientID, lets fn change it and writes it
// back in one transaction, so a transition such as unknown → accepted is
// decided on the row as it is now. If fn returns an error nothing is
// written and that error is returned. ClientID, Created and the KST day
// cannot be changed; Updated is set to the current time unless fn sets it.
func (db *DB) UpdateOrder(ctx context.Context, clientID string, fn func(*Entry) error) (Entry, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return Entry{}, fmt.Errorf("store: update order %s: %w", clientID, err)
	}
	defer tx.Rollback()
	e, err := scanEntry(tx.QueryRowContext(ctx, "SELECT "+entryColumns+" FROM orders WHERE client_id = ?", clientID))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fmt.Errorf("%w: order %s", ErrNotFound, clientID)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("store: update order %s: %w", clientID, err)
	}
	before := e
	if err := fn(&e); err != nil {
		return Entry{}, err
	}
	e.ClientID, e.Created = before.ClientID, before.Created
	if e.Updated.Equal(before.Updated) {
		e.Updated = db.clock.Now()
	}
	if err := e.check(); err != nil {
		return Entry{}, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE orders SET source = ?, user_id = ?, code = ?, side = ?, type = ?, qty = ?, price = ?,
		state = ?, broker_id = ?, branch = ?, err_kind = ?, err_code = ?, err_msg = ?, note = ?, expired = ?, updated_ns = ?
		WHERE client_id = ?`,
		e.Source, e.User, string(e.Code), e.Side.String(), e.Type.String(), e.Qty, e.Price,
		string(e.State), e.BrokerID, e.Branch, kindName(e.ErrKind), e.ErrCode, e.ErrMsg, e.Note, boolInt(e.Expired),
		nanos(e.Updated), clientID)
	if err != nil {
		return Entry{}, fmt.Errorf("store: update order %s: %w", clientID, err)
	}
	if err := tx.Commit(); err != nil {
		return Entry{}, fmt.Errorf("store: update order %s: %w", clientID, err)
	}
	return e, nil
}

// OrderByClientID returns the entry with clientID, or ErrNotFound.
func (db *DB) OrderByClientID(ctx context.Context, clientID string) (Entry, error) {
	e, err := scanEntry(db.r.QueryRowContext(ctx, "SELECT "+entryColumns+" FROM orders WHERE client_id = ?", clientID))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fmt.Errorf("%w: order %s", ErrNotFound, clientID)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("store: order %s: %w", clientID, err)
	}
	return e, nil
}

// OrderByBrokerID returns the entry the broker numbered brokerID on day's
// KST date (brokers restart their numbering daily), or ErrNotFound.
func (db *DB) OrderByBrokerID(ctx context.Context, day time.Time, brokerID string) (Entry, error) {
	if brokerID == "" {
		return Entry{}, fmt.Errorf("%w: empty broker order number", ErrNotFound)
	}
	e, err := scanEntry(db.r.QueryRowContext(ctx, "SELECT "+entryColumns+" FROM orders WHERE broker_id = ? AND day = ? ORDER BY id DESC LIMIT 1",
		brokerID, Day(day)))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fmt.Errorf("%w: broker order %s", ErrNotFound, brokerID)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("store: broker order %s: %w", brokerID, err)
	}
	return e, nil
}

// OrdersOn returns the entries of day's KST date in the order they were
// written.
func (db *DB) OrdersOn(ctx context.Context, day time.Time) ([]Entry, error) {
	return db.queryEntries(ctx, "SELECT "+entryColumns+" FROM orders WHERE day = ? ORDER BY id", Day(day))
}

// CountOrdersOn counts the entries of day's KST date: every order hoga
// sent or tried to send, from every source. Orders hoga's own checks
// refused are never journaled, so they do not count.
func (db *DB) CountOrdersOn(ctx context.Context, day time.Time) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM orders WHERE day = ?", Day(day)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count orders: %w", err)
	}
	return n, nil
}

// Unresolved returns the entries still pending or unknown and not expired,
// oldest first: the ones reconciliation has to settle.
func (db *DB) Unresolved(ctx context.Context) ([]Entry, error) {
	return db.queryEntries(ctx, "SELECT "+entryColumns+" FROM orders WHERE state IN ('pending', 'unknown') AND expired = 0 ORDER BY id")
}

func (db *DB) queryEntries(ctx context.Context, query string, args ...any) ([]Entry, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: orders: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("store: orders: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: orders: %w", err)
	}
	return out, nil
}

// Cancel is one journaled cancel request.
type Cancel struct {
	ID       int64  // assigned by InsertCancel
	OrderID  string // broker order number being cancelled
	ClientID string // journal entry of that order, when hoga placed it
	Source   string
	User     string
	// State is pending, accepted (the broker took the cancel), rejected or
	// unknown.
	State    broker.OrderStatus
	CancelID string // the broker's number for the cancel itself
	ErrKind  broker.Kind
	ErrCode  string
	ErrMsg   string
	Created  time.Time
	Updated  time.Time
}

// SetErr records err's kind, code and message.
func (c *Cancel) SetErr(err error) {
	c.ErrKind, c.ErrCode, c.ErrMsg = errFields(err)
}

const cancelColumns = `id, order_id, client_id, source, user_id, state, cancel_id, err_kind, err_code, err_msg, created_ns, updated_ns`

// InsertCancel journals a cancel before it is sent and returns its id.
func (db *DB) InsertCancel(ctx context.Context, c Cancel) (int64, error) {
	if c.OrderID == "" || c.Created.IsZero() || c.State == "" {
		return 0, errors.New("store: cancel needs an order id, a creation time and a state")
	}
	if c.Updated.IsZero() {
		c.Updated = c.Created
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO cancels (day, order_id, client_id, source, user_id, state, cancel_id,
		err_kind, err_code, err_msg, created_ns, updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		Day(c.Created), c.OrderID, c.ClientID, c.Source, c.User, string(c.State), c.CancelID,
		kindName(c.ErrKind), c.ErrCode, c.ErrMsg, nanos(c.Created), nanos(c.Updated))
	if err != nil {
		return 0, fmt.Errorf("store: insert cancel of %s: %w", c.OrderID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: insert cancel of %s: %w", c.OrderID, err)
	}
	return id, nil
}

// FinishCancel records the outcome of cancel id: its state, the broker's
// number for it and any error.
func (db *DB) FinishCancel(ctx context.Context, c Cancel) error {
	if c.Updated.IsZero() {
		c.Updated = db.clock.Now()
	}
	res, err := db.w.ExecContext(ctx, `UPDATE cancels SET state = ?, cancel_id = ?, err_kind = ?, err_code = ?, err_msg = ?,
		updated_ns = ? WHERE id = ?`,
		string(c.State), c.CancelID, kindName(c.ErrKind), c.ErrCode, c.ErrMsg, nanos(c.Updated), c.ID)
	if err != nil {
		return fmt.Errorf("store: finish cancel %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: cancel %d", ErrNotFound, c.ID)
	}
	return nil
}

// CancelsOn returns the cancels journaled on day's KST date, oldest first.
func (db *DB) CancelsOn(ctx context.Context, day time.Time) ([]Cancel, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+cancelColumns+" FROM cancels WHERE day = ? ORDER BY id", Day(day))
	if err != nil {
		return nil, fmt.Errorf("store: cancels: %w", err)
	}
	defer rows.Close()
	var out []Cancel
	for rows.Next() {
		var (
			c                Cancel
			state, kind      string
			created, updated int64
		)
		if err := rows.Scan(&c.ID, &c.OrderID, &c.ClientID, &c.Source, &c.User, &state, &c.CancelID, &kind,
			&c.ErrCode, &c.ErrMsg, &created, &updated); err != nil {
			return nil, fmt.Errorf("store: cancels: %w", err)
		}
		c.State, c.ErrKind = broker.OrderStatus(state), parseKind(kind)
		c.Created, c.Updated = fromNanos(created), fromNanos(updated)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: cancels: %w", err)
	}
	return out, nil
}

// GetSetting returns the value stored under key, and whether there is one.
func (db *DB) GetSetting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: setting %s: %w", key, err)
	}
	return v, true, nil
}

// PutSetting stores value under key, replacing any previous value.
func (db *DB) PutSetting(ctx context.Context, key, value string) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO settings (key, value, updated_ns) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ns = excluded.updated_ns`,
		key, value, db.clock.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("store: put setting %s: %w", key, err)
	}
	return nil
}

// DeleteSetting removes key; no error when it is absent.
func (db *DB) DeleteSetting(ctx context.Context, key string) error {
	if _, err := db.w.ExecContext(ctx, "DELETE FROM settings WHERE key = ?", key); err != nil {
		return fmt.Errorf("store: delete setting %s: %w", key, err)
	}
	return nil
}

// SettingsWithPrefix returns every setting whose key starts with prefix,
// keyed by the full key (a part such as the strategy keeps one row per
// stock under its own prefix).
func (db *DB) SettingsWithPrefix(ctx context.Context, prefix string) (map[string]string, error) {
	// GLOB rather than LIKE: LIKE treats _ and % in the prefix as patterns
	// and ignores case; the prefix is escaped for GLOB's own specials.
	pattern := strings.NewReplacer("[", "[[]", "*", "[*]", "?", "[?]").Replace(prefix) + "*"
	rows, err := db.r.QueryContext(ctx, "SELECT key, value FROM settings WHERE key GLOB ?", pattern)
	if err != nil {
		return nil, fmt.Errorf("store: settings %s*: %w", prefix, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("store: settings %s*: %w", prefix, err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: settings %s*: %w", prefix, err)
	}
	return out, nil
}

// kindName stores a broker.Kind by name, readable in the sqlite3 shell;
// Internal (no error) is stored as "".
func kindName(k broker.Kind) string {
	if k == broker.Internal {
		return ""
	}
	return k.String()
}

// parseKind inverts kindName. An unknown name (written by a newer hoga)
// reads as Internal.
func parseKind(s string) broker.Kind {
	if s == "" {
		return broker.Internal
	}
	for k := broker.Internal; ; k++ {
		name := k.String()
		if strings.HasPrefix(name, "Kind(") {
			return broker.Internal
		}
		if name == s {
			return k
		}
	}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

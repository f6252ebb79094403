package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hoga-trade/hoga/broker"
)

const entryColumns = `client_id, day, source, user_id, code, side, type, qty, price, state, broker_id, branch,
	err_kind, err_code, err_msg, note, expired, filled_qty, fill_amount, venue, created_ns, updated_ns, err_say, err_args, session, exchange`

func entryArgs(e *broker.JournalEntry) []any {
	return []any{e.ClientID, broker.Day(e.Created), e.Source, e.User, string(e.Code), e.Side.String(), e.Type.String(),
		e.Qty, e.Price, string(e.State), e.BrokerID, e.Branch, kindName(e.ErrKind), e.ErrCode, e.ErrMsg, e.Note,
		boolInt(e.Expired), e.FilledQty, e.FillAmount, string(e.Venue.Or(broker.VenueKRX)), nanos(e.Created), nanos(e.Updated),
		e.ErrSay, encodeArgs(e.ErrArgs), string(e.Session), string(e.Exchange)}
}

// encodeArgs is a catalog sentence's arguments as a JSON array ("" for
// none). Arguments are numbers and short texts (codes, prices, order
// numbers); anything JSON cannot hold is kept as its text.
func encodeArgs(args []any) string {
	if len(args) == 0 {
		return ""
	}
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case int, int64, int32, string, bool:
			out[i] = v
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return ""
	}
	return string(b)
}

// decodeArgs reads encodeArgs' array back: whole numbers as int64 (the
// catalog groups them: 138,600), the rest as text. A damaged value reads
// as no arguments; the row's err_msg still says what happened.
func decodeArgs(s string) []any {
	if s == "" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		return nil
	}
	for i, v := range raw {
		if n, ok := v.(json.Number); ok {
			if x, err := n.Int64(); err == nil {
				raw[i] = x
			} else {
				raw[i] = n.String()
			}
		}
	}
	return raw
}

type scanner interface{ Scan(dest ...any) error }

func scanEntry(s scanner) (broker.JournalEntry, error) {
	var (
		e                       broker.JournalEntry
		day, code, side, typ    string
		state, kind, venue      string
		expired                 int64
		createdNanos, updatedNs int64
		args, session, exchange string
	)
	if err := s.Scan(&e.ClientID, &day, &e.Source, &e.User, &code, &side, &typ, &e.Qty, &e.Price, &state,
		&e.BrokerID, &e.Branch, &kind, &e.ErrCode, &e.ErrMsg, &e.Note, &expired, &e.FilledQty, &e.FillAmount,
		&venue, &createdNanos, &updatedNs, &e.ErrSay, &args, &session, &exchange); err != nil {
		return broker.JournalEntry{}, err
	}
	e.Code = broker.Code(code)
	var err error
	if e.Side, err = broker.ParseSide(side); err != nil {
		return broker.JournalEntry{}, fmt.Errorf("row %s: %w", e.ClientID, err)
	}
	if e.Type, err = broker.ParseOrderType(typ); err != nil {
		return broker.JournalEntry{}, fmt.Errorf("row %s: %w", e.ClientID, err)
	}
	e.State = broker.OrderStatus(state)
	e.ErrKind = parseKind(kind)
	if e.Venue, err = broker.ParseVenue(venue); err != nil {
		return broker.JournalEntry{}, fmt.Errorf("row %s: %w", e.ClientID, err)
	}
	e.Session = broker.SessionKind(session)
	if exchange != "" {
		if e.Exchange, err = broker.ParseVenue(exchange); err != nil {
			return broker.JournalEntry{}, fmt.Errorf("row %s: %w", e.ClientID, err)
		}
	}
	e.Expired = expired != 0
	e.ErrArgs = decodeArgs(args)
	e.Created, e.Updated = fromNanos(createdNanos), fromNanos(updatedNs)
	return e, nil
}

// check refuses what the journal must not hold.
func check(e *broker.JournalEntry) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// InsertOrder journals a new order. It fails with a broker.Duplicate error
// when the client id is already there; the caller must then not send the
// order again.
func (db *DB) InsertOrder(ctx context.Context, e broker.JournalEntry) error {
	if err := check(&e); err != nil {
		return err
	}
	if e.Updated.IsZero() {
		e.Updated = e.Created
	}
	_, err := db.w.ExecContext(ctx, "INSERT INTO orders ("+entryColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entryArgs(&e)...)
	if err != nil {
		if isUniqueViolation(err) {
			return &broker.Error{Kind: broker.Duplicate, Msg: fmt.Sprintf("client order id %s is already journaled", e.ClientID), Err: err}
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
func (db *DB) UpdateOrder(ctx context.Context, clientID string, fn func(*broker.JournalEntry) error) (broker.JournalEntry, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return broker.JournalEntry{}, fmt.Errorf("store: update order %s: %w", clientID, err)
	}
	defer tx.Rollback()
	e, err := scanEntry(tx.QueryRowContext(ctx, "SELECT "+entryColumns+" FROM orders WHERE client_id = ?", clientID))
	if errors.Is(err, sql.ErrNoRows) {
		return broker.JournalEntry{}, notFound("order %s is not in the journal", clientID)
	}
	if err != nil {
		return broker.JournalEntry{}, fmt.Errorf("store: update order %s: %w", clientID, err)
	}
	before := e
	if err := fn(&e); err != nil {
		return broker.JournalEntry{}, err
	}
	e.ClientID, e.Created = before.ClientID, before.Created
	if e.Updated.Equal(before.Updated) {
		e.Updated = db.clock.Now()
	}
	if err := check(&e); err != nil {
		return broker.JournalEntry{}, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE orders SET source = ?, user_id = ?, code = ?, side = ?, type = ?, qty = ?, price = ?,
		state = ?, broker_id = ?, branch = ?, err_kind = ?, err_code = ?, err_msg = ?, note = ?, expired = ?,
		filled_qty = ?, fill_amount = ?, venue = ?, updated_ns = ?, err_say = ?, err_args = ?, session = ?, exchange = ?
		WHERE client_id = ?`,
		e.Source, e.User, string(e.Code), e.Side.String(), e.Type.String(), e.Qty, e.Price,
		string(e.State), e.BrokerID, e.Branch, kindName(e.ErrKind), e.ErrCode, e.ErrMsg, e.Note, boolInt(e.Expired),
		e.FilledQty, e.FillAmount, string(e.Venue.Or(broker.VenueKRX)), nanos(e.Updated), e.ErrSay, encodeArgs(e.ErrArgs), string(e.Session), string(e.Exchange), clientID)
	if err != nil {
		return broker.JournalEntry{}, fmt.Errorf("store: update order %s: %w", clientID, err)
	}
	if err := tx.Commit(); err != nil {
		return broker.JournalEntry{}, fmt.Errorf("store: update order %s: %w", clientID, err)
	}
	return e, nil
}

// OrderByClientID returns the entry with clientID, or a broker.NotFound error.
func (db *DB) OrderByClientID(ctx context.Context, clientID string) (broker.JournalEntry, error) {
	e, err := scanEntry(db.r.QueryRowContext(ctx, "SELECT "+entryColumns+" FROM orders WHERE client_id = ?", clientID))
	if errors.Is(err, sql.ErrNoRows) {
		return broker.JournalEntry{}, notFound("order %s is not in the journal", clientID)
	}
	if err != nil {
		return broker.JournalEntry{}, fmt.Errorf("store: order %s: %w", clientID, err)
	}
	return e, nil
}

// OrderByBrokerID returns the entry the broker numbered brokerID on day's
// KST date (brokers restart their numbering daily), or a broker.NotFound error.
func (db *DB) OrderByBrokerID(ctx context.Context, day time.Time, brokerID string) (broker.JournalEntry, error) {
	if brokerID == "" {
		return broker.JournalEntry{}, notFound("empty broker order number")
	}
	e, err := scanEntry(db.r.QueryRowContext(ctx, "SELECT "+entryColumns+" FROM orders WHERE broker_id = ? AND day = ? ORDER BY id DESC LIMIT 1",
		brokerID, broker.Day(day)))
	if errors.Is(err, sql.ErrNoRows) {
		return broker.JournalEntry{}, notFound("broker order %s is not in the journal", brokerID)
	}
	if err != nil {
		return broker.JournalEntry{}, fmt.Errorf("store: broker order %s: %w", brokerID, err)
	}
	return e, nil
}

// OrdersOn returns the entries of day's KST date in the order they were
// written.
func (db *DB) OrdersOn(ctx context.Context, day time.Time) ([]broker.JournalEntry, error) {
	return db.queryEntries(ctx, "SELECT "+entryColumns+" FROM orders WHERE day = ? ORDER BY id", broker.Day(day))
}

// CountOrdersOn counts the entries of day's KST date: every order hoga
// sent or tried to send, from every source. Orders hoga's own checks
// refused are never journaled, so they do not count.
func (db *DB) CountOrdersOn(ctx context.Context, day time.Time) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM orders WHERE day = ?", broker.Day(day)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count orders: %w", err)
	}
	return n, nil
}

// Unresolved returns the entries still pending or unknown and not expired,
// oldest first: the ones reconciliation has to settle.
func (db *DB) Unresolved(ctx context.Context) ([]broker.JournalEntry, error) {
	return db.queryEntries(ctx, "SELECT "+entryColumns+" FROM orders WHERE state IN ('pending', 'unknown') AND expired = 0 ORDER BY id")
}

func (db *DB) queryEntries(ctx context.Context, query string, args ...any) ([]broker.JournalEntry, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: orders: %w", err)
	}
	defer rows.Close()
	var out []broker.JournalEntry
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

// InsertCancel journals a cancel before it is sent and returns its id.
func (db *DB) InsertCancel(ctx context.Context, c broker.JournalCancel) (int64, error) {
	if c.OrderID == "" || c.Created.IsZero() || c.State == "" {
		return 0, errors.New("store: cancel needs an order id, a creation time and a state")
	}
	if c.Updated.IsZero() {
		c.Updated = c.Created
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO cancels (day, order_id, client_id, source, user_id, state, cancel_id,
		err_kind, err_code, err_msg, created_ns, updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		broker.Day(c.Created), c.OrderID, c.ClientID, c.Source, c.User, string(c.State), c.CancelID,
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
func (db *DB) FinishCancel(ctx context.Context, c broker.JournalCancel) error {
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
		return notFound("cancel %d is not in the journal", c.ID)
	}
	return nil
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

// notFound is the journal's NotFound: a looked-up row that does not exist.
func notFound(format string, args ...any) error {
	return broker.Errorf(broker.NotFound, format, args...)
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

// CountAllOrders counts every order row, of any day.
func (db *DB) CountAllOrders(ctx context.Context) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM orders").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count orders: %w", err)
	}
	return n, nil
}

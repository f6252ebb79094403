package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// The store keeps fills for the order tracker and the reports.
var _ broker.FillJournal = (*DB)(nil)

const fillColumns = `day, order_id, client_id, code, side, qty, price, cum_qty, exec_id, commission, tax, cost_price,
	source, late, filled_ns, seen_ns`

// InsertFill stores f once: a fill with the same (day, order, cumulative
// quantity), or the same execution number on that day, is already there
// when inserted is false. A new fill also brings the order's journal row
// up to date in the same transaction: its filled quantity and amount are
// the sums of its fills, and an accepted order becomes partial, or filled
// once every share is. A pending or unknown row is left to
// reconciliation, which owns that transition.
func (db *DB) InsertFill(ctx context.Context, f broker.Fill) (bool, error) {
	if f.Day == "" || f.OrderID == "" || f.Qty <= 0 || f.Price <= 0 || f.CumQty < f.Qty || f.Time.IsZero() {
		return false, fmt.Errorf("store: fill %+v lacks a day, order, quantity, price, cumulative quantity or time", f)
	}
	if f.Seen.IsZero() {
		f.Seen = db.clock.Now()
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: insert fill of %s: %w", f.OrderID, err)
	}
	defer tx.Rollback()
	if f.ClientID == "" {
		// Hoga's id for a fill whose source knew only the broker's number.
		_ = tx.QueryRowContext(ctx, "SELECT client_id FROM orders WHERE broker_id = ? AND day = ? ORDER BY id DESC LIMIT 1",
			f.OrderID, f.Day).Scan(&f.ClientID)
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO fills ("+fillColumns+`, alerted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
		ON CONFLICT DO NOTHING`,
		f.Day, f.OrderID, f.ClientID, string(f.Code), f.Side.String(), f.Qty, f.Price, f.CumQty, f.ExecID,
		f.Commission, f.Tax, f.CostPrice, string(f.Source), lateCode(f), nanos(f.Time), nanos(f.Seen))
	if err != nil {
		return false, fmt.Errorf("store: insert fill of %s: %w", f.OrderID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if f.ClientID != "" {
		_, err = tx.ExecContext(ctx, `UPDATE orders SET
			filled_qty = (SELECT COALESCE(MAX(cum_qty), 0) FROM fills WHERE day = ?1 AND order_id = ?2),
			fill_amount = (SELECT COALESCE(SUM(qty * price), 0) FROM fills WHERE day = ?1 AND order_id = ?2),
			updated_ns = ?4
			WHERE client_id = ?3`, f.Day, f.OrderID, f.ClientID, nanos(f.Seen))
		if err == nil {
			_, err = tx.ExecContext(ctx, `UPDATE orders SET state = CASE
				WHEN filled_qty >= qty AND state IN ('accepted', 'partial', 'cancelled') THEN 'filled'
				WHEN state = 'accepted' THEN 'partial'
				ELSE state END
				WHERE client_id = ?`, f.ClientID)
		}
		if err != nil {
			return false, fmt.Errorf("store: fill of %s: order row: %w", f.OrderID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: insert fill of %s: %w", f.OrderID, err)
	}
	return true, nil
}

// lateCode is what the fills table's late column holds: 0 for a fill seen
// while running, 1 for one found at start-up that came while hoga was
// down, else LateSince in Unix nanoseconds (a fill found at start-up that
// may have come before the stop). One column keeps both, so a fill alert
// re-sent after a restart says the same as the first, with no schema step.
func lateCode(f broker.Fill) int64 {
	switch {
	case !f.Late:
		return 0
	case f.LateSince.IsZero():
		return 1
	}
	return max(f.LateSince.UnixNano(), 2)
}

// FillsOn lists the fills of day's KST date in the order they were stored.
func (db *DB) FillsOn(ctx context.Context, day time.Time) ([]broker.Fill, error) {
	return db.queryFills(ctx, "SELECT "+fillColumns+" FROM fills WHERE day = ? ORDER BY id", broker.Day(day))
}

// FillsForOrder lists the fills of the order the broker numbered orderID
// on day's KST date, by cumulative quantity.
func (db *DB) FillsForOrder(ctx context.Context, day time.Time, orderID string) ([]broker.Fill, error) {
	return db.queryFills(ctx, "SELECT "+fillColumns+" FROM fills WHERE day = ? AND order_id = ? ORDER BY cum_qty",
		broker.Day(day), orderID)
}

// MarkFillAlerted records that the owner has been told of the fill
// (day, orderID, cumQty): a transport delivered its alert.
func (db *DB) MarkFillAlerted(ctx context.Context, day, orderID string, cumQty int64) error {
	if _, err := db.w.ExecContext(ctx, "UPDATE fills SET alerted = 1 WHERE day = ? AND order_id = ? AND cum_qty = ?",
		day, orderID, cumQty); err != nil {
		return fmt.Errorf("store: mark fill of %s alerted: %w", orderID, err)
	}
	return nil
}

// UnalertedFills lists the fills from sinceDay (a KST date, YYYY-MM-DD)
// on whose alert no transport has reported delivery, oldest first: at
// start-up these are the alerts a restart lost.
func (db *DB) UnalertedFills(ctx context.Context, sinceDay string) ([]broker.Fill, error) {
	return db.queryFills(ctx, "SELECT "+fillColumns+" FROM fills WHERE alerted = 0 AND day >= ? ORDER BY id", sinceDay)
}

func (db *DB) queryFills(ctx context.Context, query string, args ...any) ([]broker.Fill, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: fills: %w", err)
	}
	defer rows.Close()
	var out []broker.Fill
	for rows.Next() {
		var (
			f                  broker.Fill
			code, side, source string
			late, filled, seen int64
		)
		if err := rows.Scan(&f.Day, &f.OrderID, &f.ClientID, &code, &side, &f.Qty, &f.Price, &f.CumQty, &f.ExecID,
			&f.Commission, &f.Tax, &f.CostPrice, &source, &late, &filled, &seen); err != nil {
			return nil, fmt.Errorf("store: fills: %w", err)
		}
		f.Code, f.Source, f.Late = broker.Code(code), broker.FillSource(source), late != 0
		if late > 1 {
			f.LateSince = fromNanos(late)
		}
		if f.Side, err = broker.ParseSide(side); err != nil {
			return nil, fmt.Errorf("store: fills: %w", err)
		}
		f.Time, f.Seen = fromNanos(filled), fromNanos(seen)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: fills: %w", err)
	}
	return out, nil
}

package paper

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// CandlesFile is the name of the day's minute-candle record in
// Options.DataDir, beside StateFile. It is kept apart from the account:
// the record is a chart's (/chart, the close report), it grows through
// the day, and it is written once a minute rather than on every step; a
// crash loses at most the last minute of a chart, never money.
const CandlesFile = "paper-candles.json"

// candlesFile is the record as stored: the KST day and, per stock, its
// candles of that day as [unix seconds, open, high, low, close, volume].
type candlesFile struct {
	Day    string                     `json:"day"`
	Stocks map[broker.Code][][6]int64 `json:"stocks"`
}

// candlesLocked encodes today's record, or nil when there is nothing to
// keep (no DataDir, no candles).
func (e *Exchange) candlesLocked(now time.Time) []byte {
	if e.path == "" {
		return nil
	}
	cf := candlesFile{Day: now.In(broker.KST()).Format(time.DateOnly), Stocks: map[broker.Code][][6]int64{}}
	for _, l := range listings {
		cs := e.m.Candles(now, l.Code)
		if len(cs) == 0 {
			continue
		}
		rows := make([][6]int64, len(cs))
		for i, c := range cs {
			rows[i] = [6]int64{c.Time.Unix(), c.Open, c.High, c.Low, c.Close, c.Volume}
		}
		cf.Stocks[l.Code] = rows
	}
	if len(cf.Stocks) == 0 {
		return nil
	}
	data, err := json.Marshal(cf)
	if err != nil { // only plain fields: cannot happen
		e.log.Error("paper: encoding the candle record", "err", err)
		return nil
	}
	return append(data, '\n')
}

// saveCandles writes the record (atomicfile: the old one or the new one).
// A failure is logged: a chart loses its morning, nothing else.
func (e *Exchange) saveCandles(data []byte) {
	if data == nil {
		return
	}
	e.saveMu.Lock()
	defer e.saveMu.Unlock()
	if err := writeAtomic(filepath.Join(filepath.Dir(e.path), CandlesFile), data); err != nil {
		e.log.Warn("paper: saving the candle record", "err", err)
	}
}

// restoreCandles puts today's stored record back into the books, so a
// restart keeps the day's chart. A record of another day is not today's
// chart; a damaged one is logged and skipped (the chart starts again from
// now, as before): it never stops the exchange from opening.
func (e *Exchange) restoreCandlesLocked(now time.Time) {
	if e.path == "" {
		return
	}
	path := filepath.Join(filepath.Dir(e.path), CandlesFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	var cf candlesFile
	if err == nil {
		err = json.Unmarshal(data, &cf)
	}
	if err != nil {
		e.log.Warn("paper: the candle record cannot be read; today's chart starts now", "file", path, "err", err)
		return
	}
	day := now.In(broker.KST()).Format(time.DateOnly)
	if cf.Day != day {
		return
	}
	for code, rows := range cf.Stocks {
		b := e.m.Book(code)
		if b == nil {
			continue // no longer listed
		}
		cs, err := candlesOf(rows, day, now)
		if err != nil {
			e.log.Warn("paper: a stock's candle record is damaged; its chart starts now", "code", code, "err", err)
			continue
		}
		b.RestoreMinutes(cs)
	}
}

// candlesOf checks and decodes one stock's stored rows: minutes of day,
// increasing, not after now, with sane prices and volumes.
func candlesOf(rows [][6]int64, day string, now time.Time) ([]broker.Candle, error) {
	cs := make([]broker.Candle, 0, len(rows))
	for i, r := range rows {
		c := broker.Candle{Time: time.Unix(r[0], 0).In(broker.KST()), Open: r[1], High: r[2], Low: r[3], Close: r[4], Volume: r[5]}
		switch {
		case c.Time.Format(time.DateOnly) != day || c.Time.After(now) || c.Time.Second() != 0:
			return nil, fmt.Errorf("candle %d at %v is not a minute of %s", i, c.Time, day)
		case i > 0 && !c.Time.After(cs[i-1].Time):
			return nil, fmt.Errorf("candle %d at %v is not after the one before", i, c.Time)
		case c.Low <= 0 || c.High > maxPrice || c.Low > min(c.Open, c.Close) || c.High < max(c.Open, c.Close):
			return nil, fmt.Errorf("candle %d: prices %d/%d/%d/%d", i, c.Open, c.High, c.Low, c.Close)
		case c.Volume < 0 || c.Volume > maxTotal:
			return nil, fmt.Errorf("candle %d: volume %d", i, c.Volume)
		}
		cs = append(cs, c)
	}
	return cs, nil
}

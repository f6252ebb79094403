package paper

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
	"github.com/hoga-trade/hoga/internal/atomicfile"
)

// stateVersion is the state file's format; a file of another version is
// refused rather than guessed at.
const stateVersion = 1

// Bounds a loaded state must keep (see maxMoney): cash may have grown past
// the starting bound by trading, but not so far that a sum overflows.
const (
	maxCash  = 1 << 60
	maxTotal = 1 << 62
)

// stateFile is paper.json. Reservations are not stored: they follow from
// the open orders and are recomputed, so they cannot disagree.
type stateFile struct {
	Version     int                           `json:"version"`
	Saved       time.Time                     `json:"saved"`
	Seed        int64                         `json:"seed"`
	RNG         []byte                        `json:"rng"` // the walk generator's position
	InitialCash int64                         `json:"initial_cash"`
	Cash        int64                         `json:"cash"`
	Realized    int64                         `json:"realized"`
	Commission  int64                         `json:"commission"`
	Tax         int64                         `json:"tax"`
	NextOrder   int64                         `json:"next_order"`
	Day         string                        `json:"day"`
	Stocks      map[broker.Code]stockState    `json:"stocks"`
	Positions   map[broker.Code]positionState `json:"positions"`
	Orders      []orderState                  `json:"orders"`
}

type stockState struct {
	Price     int64 `json:"price"`
	PrevClose int64 `json:"prev_close"`
	Open      int64 `json:"open"`
	High      int64 `json:"high"`
	Low       int64 `json:"low"`
	Volume    int64 `json:"volume"`
	Ref       int64 `json:"ref"`
}

type positionState struct {
	Qty  int64 `json:"qty"`
	Cost int64 `json:"cost"`
}

type orderState struct {
	ID           string      `json:"id"`
	Code         broker.Code `json:"code"`
	Name         string      `json:"name"`
	Side         string      `json:"side"`
	Type         string      `json:"type"`
	Qty          int64       `json:"qty"`
	Price        int64       `json:"price"`
	FilledQty    int64       `json:"filled_qty"`
	AvgFillPrice int64       `json:"avg_fill_price"`
	Status       string      `json:"status"`
	Time         time.Time   `json:"time"`
	ExpireAt     time.Time   `json:"expire_at"`
	FillTime     time.Time   `json:"fill_time,omitzero"`
	Commission   int64       `json:"commission"`
	Tax          int64       `json:"tax"`
	ClientID     string      `json:"client_id,omitempty"`
	Source       string      `json:"source,omitempty"`
	User         string      `json:"user,omitempty"`
	Note         string      `json:"note,omitempty"`
}

// snapshot is an encoded state with the version it was taken at, so a
// slow writer never replaces a newer file with an older one.
type snapshot struct {
	ver  uint64
	data []byte
}

// snapshotLocked encodes the state, or returns nil without a DataDir.
func (e *Exchange) snapshotLocked() *snapshot {
	if e.path == "" {
		return nil
	}
	st := e.stateLocked()
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil { // only plain fields: cannot happen
		e.log.Error("paper: encoding state", "err", err)
		return nil
	}
	e.version++
	return &snapshot{ver: e.version, data: append(data, '\n')}
}

func (e *Exchange) stateLocked() *stateFile {
	m := e.m
	st := &stateFile{
		Version:     stateVersion,
		Saved:       e.clk.Now().UTC(),
		Seed:        m.Seed,
		RNG:         m.RNG(),
		InitialCash: m.InitialCash,
		Cash:        m.Cash,
		Realized:    m.Realized,
		Commission:  m.PaidComm,
		Tax:         m.PaidTax,
		NextOrder:   m.NextID,
		Day:         m.Day,
		Stocks:      make(map[broker.Code]stockState, len(m.Books)),
		Positions:   make(map[broker.Code]positionState, len(m.Positions)),
		Orders:      make([]orderState, 0, len(m.Orders)),
	}
	for i, b := range m.Books {
		st.Stocks[m.Instruments[i].Code] = stockState{Price: b.Price, PrevClose: b.PrevClose, Open: b.Open,
			High: b.High, Low: b.Low, Volume: b.Volume, Ref: b.Ref}
	}
	for c, p := range m.Positions {
		if p.Qty > 0 { // a holding sold out today is not kept
			st.Positions[c] = positionState{Qty: p.Qty, Cost: p.Cost}
		}
	}
	for _, o := range m.Orders {
		st.Orders = append(st.Orders, orderState{
			ID: o.ID, Code: o.Code, Name: o.Name, Side: o.Side.String(), Type: o.Type.String(),
			Qty: o.Qty, Price: o.Price, FilledQty: o.FilledQty, AvgFillPrice: o.AvgFillPrice,
			// UTC: RFC 3339 offsets have no seconds, and Asia/Seoul before
			// 1908 is LMT +08:27:52, so a KST time drifted 52 s per
			// save/load (issue 21, item 8; found by FuzzStateFile).
			Status: string(o.Status), Time: o.Time.UTC(), ExpireAt: o.ExpireAt.UTC(), FillTime: o.FillTime.UTC(),
			Commission: o.Commission, Tax: o.Tax,
			ClientID: o.ClientID, Source: o.Source, User: o.User, Note: o.Note,
		})
	}
	return st
}

// save writes snap unless a newer one was written already. A failure is
// logged and returned; the account in memory stays as it is.
func (e *Exchange) save(snap *snapshot) error {
	if snap == nil {
		return nil
	}
	e.saveMu.Lock()
	defer e.saveMu.Unlock()
	if snap.ver <= e.savedVer {
		return nil
	}
	if err := writeAtomic(e.path, snap.data); err != nil {
		e.log.Error("paper: saving state", "file", e.path, "err", err)
		return err
	}
	e.savedVer = snap.ver
	return nil
}

// writeAtomic replaces path with data (atomicfile.WriteFile: a crash
// leaves the old file or the new one, never half of one). The directory is
// created 0700, the file is 0600.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("paper: state directory: %w", err)
	}
	if err := atomicfile.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("paper: state file: %w", err)
	}
	return nil
}

// readState reads the state file; a missing file is (nil, nil).
func readState(path string) (*stateFile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("paper: state file %s: %w", path, err)
	}
	st, err := decodeState(data)
	if err != nil {
		return nil, fmt.Errorf("paper: state file %s: %w", path, err)
	}
	return st, nil
}

// decodeState parses the file; restore checks what it says.
func decodeState(data []byte) (*stateFile, error) {
	var st stateFile
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("not a paper state file: %w", err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("state version %d, want %d", st.Version, stateVersion)
	}
	return &st, nil
}

// restore loads st into a new Exchange, checking every invariant the
// exchange relies on; any violation is an error rather than a repair, so
// a damaged file never quietly changes the money. A non-zero seed other
// than the saved one restarts the walk's generator from that seed.
func (e *Exchange) restore(st *stateFile, seed int64) error {
	bad := func(format string, args ...any) error { return fmt.Errorf(format, args...) }
	if st.Seed == 0 {
		return bad("no seed")
	}
	m := e.m
	m.Seed = st.Seed
	if seed != 0 && seed != st.Seed {
		e.log.Info("paper: reseeding the walk", "saved_seed", st.Seed, "seed", seed)
		m.Seed = seed
		m.Reseed()
	} else if err := m.SetRNG(st.RNG); err != nil {
		return bad("walk generator: %w", err)
	}

	switch {
	case st.InitialCash < 0 || st.InitialCash > maxMoney:
		return bad("initial cash %d out of range", st.InitialCash)
	case st.Cash < 0 || st.Cash > maxCash:
		return bad("cash %d out of range", st.Cash)
	case st.Realized < -maxTotal || st.Realized > maxTotal:
		return bad("realised result %d out of range", st.Realized)
	case st.Commission < 0 || st.Commission > maxTotal || st.Tax < 0 || st.Tax > maxTotal:
		return bad("fees %d/%d out of range", st.Commission, st.Tax)
	case st.NextOrder < 1 || st.NextOrder > 9_999_999:
		return bad("next order number %d out of range", st.NextOrder)
	}
	if _, err := time.Parse(time.DateOnly, st.Day); err != nil {
		return bad("day %q is not a date", st.Day)
	}
	m.InitialCash, m.Cash = st.InitialCash, st.Cash
	m.Realized, m.PaidComm, m.PaidTax = st.Realized, st.Commission, st.Tax
	m.NextID = st.NextOrder
	m.SetDay(st.Day)

	for i, l := range listings {
		b := &m.Books[i]
		s, ok := st.Stocks[l.Code]
		if !ok { // listed since the file was written
			b.Price, b.Ref = l.Ref, l.Ref
			b.NewDay()
			continue
		}
		for _, p := range []int64{s.Price, s.PrevClose, s.Open, s.High, s.Low, s.Ref} {
			if p <= 0 || p > maxPrice {
				return bad("%s: price %d out of range", l.Code, p)
			}
		}
		if !broker.OnTick(s.Price) || !broker.OnTick(s.Ref) {
			return bad("%s: price %d or reference %d off the tick grid", l.Code, s.Price, s.Ref)
		}
		if s.Low > s.Price || s.Price > s.High || s.Volume < 0 || s.Volume > maxTotal {
			return bad("%s: price %d outside low %d–high %d, or volume %d", l.Code, s.Price, s.Low, s.High, s.Volume)
		}
		*b = market.Book{Price: s.Price, PrevClose: s.PrevClose, Open: s.Open, High: s.High, Low: s.Low, Volume: s.Volume, Ref: s.Ref}
		b.Derive()
		if s.Price > b.Upper() || s.Price < b.Lower() {
			return bad("%s: price %d outside the day's limits %d–%d", l.Code, s.Price, b.Lower(), b.Upper())
		}
	}

	var cost int64
	for c, p := range st.Positions {
		if _, ok := m.Lookup(c); !ok {
			return bad("holding of unlisted stock %q", c)
		}
		if p.Qty <= 0 || p.Qty > maxQty || p.Cost < 0 || p.Cost > p.Qty*maxPrice {
			return bad("%s: holding %d shares costing %d out of range", c, p.Qty, p.Cost)
		}
		cost += p.Cost
		m.Positions[c] = &position{Qty: p.Qty, Cost: p.Cost}
	}
	if cost > maxTotal-st.Cash {
		return bad("cash and holdings out of range")
	}

	for _, s := range st.Orders {
		o, err := e.restoreOrder(s)
		if err != nil {
			return bad("order %q: %w", s.ID, err)
		}
		if _, dup := m.ByID[o.ID]; dup {
			return bad("order %s twice", o.ID)
		}
		if n, _ := strconv.ParseInt(o.ID[1:], 10, 64); n >= m.NextID {
			return bad("order %s not below the next number %d", o.ID, m.NextID)
		}
		m.Restore(o)
	}
	slices.SortFunc(m.Orders, func(a, b *order) int { return strings.Compare(a.ID, b.ID) })
	m.Reopen()

	// What the open orders hold must be there.
	resCash, _, _ := e.reservedLocked("")
	if resCash > m.Cash {
		return bad("open buys reserve %d won, more than the cash %d", resCash, m.Cash)
	}
	for _, l := range listings {
		_, selling, buying := e.reservedLocked(l.Code)
		var held int64
		if p := m.Positions[l.Code]; p != nil {
			held = p.Qty
		}
		if selling > held {
			return bad("%s: open sells of %d shares, %d held", l.Code, selling, held)
		}
		if held+buying > maxQty {
			return bad("%s: %d shares held and %d being bought", l.Code, held, buying)
		}
	}
	return nil
}

func (e *Exchange) restoreOrder(s orderState) (*order, error) {
	if len(s.ID) != 8 || s.ID[0] != 'P' {
		return nil, errors.New("malformed order number")
	}
	if n, err := strconv.ParseInt(s.ID[1:], 10, 64); err != nil || n < 1 {
		return nil, errors.New("malformed order number")
	}
	side, err := broker.ParseSide(s.Side)
	if err != nil {
		return nil, err
	}
	typ, err := broker.ParseOrderType(s.Type)
	if err != nil {
		return nil, err
	}
	o := &order{Order: broker.Order{
		ID: s.ID, Code: s.Code, Name: s.Name, Side: side, Type: typ, Qty: s.Qty, Price: s.Price,
		FilledQty: s.FilledQty, AvgFillPrice: s.AvgFillPrice, Status: broker.OrderStatus(s.Status),
		Time: s.Time.In(broker.KST()), ClientID: s.ClientID, Source: s.Source, User: s.User, Note: s.Note,
	}, ExpireAt: s.ExpireAt.In(broker.KST()), FillTime: s.FillTime, Commission: s.Commission, Tax: s.Tax}
	switch {
	case s.Qty <= 0 || s.Qty > maxQty:
		return nil, fmt.Errorf("quantity %d out of range", s.Qty)
	case typ == broker.Market && s.Price != 0:
		return nil, errors.New("market order with a price")
	case typ == broker.Limit && (!broker.OnTick(s.Price) || s.Price > maxPrice):
		return nil, fmt.Errorf("limit price %d invalid", s.Price)
	case s.Time.IsZero():
		return nil, errors.New("no time")
	case s.Commission < 0 || s.Tax < 0 || s.Commission > maxMoney || s.Tax > maxMoney:
		return nil, errors.New("fees out of range")
	}
	switch o.Status {
	case broker.StatusFilled:
		if s.FilledQty != s.Qty || s.AvgFillPrice <= 0 || s.AvgFillPrice > maxPrice {
			return nil, errors.New("filled order without its fill")
		}
	case broker.StatusAccepted:
		if typ != broker.Limit {
			return nil, errors.New("open market order")
		}
		if _, ok := e.m.Lookup(s.Code); !ok {
			return nil, fmt.Errorf("open order for unlisted stock %q", s.Code)
		}
		if _, ok := amountOf(s.Qty, s.Price); !ok {
			return nil, errors.New("amount out of range")
		}
		if s.FilledQty != 0 || s.ExpireAt.IsZero() {
			return nil, errors.New("open order with a fill or no expiry")
		}
	case broker.StatusCancelled, broker.StatusRejected:
		if s.FilledQty != 0 {
			return nil, errors.New("cancelled order with a fill")
		}
	default:
		return nil, fmt.Errorf("status %q", s.Status)
	}
	return o, nil
}

// Package exits keeps protective exits on held positions: stop-loss,
// take-profit and trailing stops. Neither KIS nor Kiwoom gives a retail
// account server-side stop orders, so hoga watches the price itself and,
// when an exit triggers, sells the held quantity not already committed —
// once, through the guarded order path, with the reason on the alert feed.
//
// Safety comes before the order: the exit is disarmed durably (the store
// commits before PlaceOrder is called), so a crash between the two loses
// at most an order, never sends one twice; a restart that finds the price
// already past an armed exit acts once and says it was found on restart.
package exits

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/hoga-trade/hoga/broker"
)

// Kind names an exit.
type Kind string

// Exit kinds.
const (
	// Stop sells when the price falls to or below the level.
	Stop Kind = "stop"
	// Take sells when the price rises to or above the level.
	Take Kind = "take"
	// Trail sells when the price falls by Pct from the highest price seen
	// since the exit was armed.
	Trail Kind = "trail"
)

// ParseKind reads stop, take or trail.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case Stop, Take, Trail:
		return k, nil
	}
	return "", broker.Errorf(broker.Invalid, "exit kind %q must be stop, take or trail", s)
}

// Exit is one protective exit on a held position. A stop or take has
// either Price (an absolute level in won) or BP (basis points from the
// position's average price: -500 is -5 %); a trail has BP only (the
// pullback from the high, positive: 300 is 3 %).
type Exit struct {
	Code  broker.Code `json:"code"`
	Kind  Kind        `json:"kind"`
	Price int64       `json:"price,omitempty"`
	BP    int64       `json:"bp,omitempty"`
}

// Validate checks an exit's shape; the message says what to fix.
func (x Exit) Validate() error {
	if _, err := broker.ParseCode(string(x.Code)); err != nil {
		return err
	}
	switch x.Kind {
	case Stop:
		if x.Price < 0 || x.BP > 0 || (x.Price == 0) == (x.BP == 0) {
			return broker.Errorf(broker.Invalid, "stop %s needs a price or a negative percent, e.g. -5%%", x.Code)
		}
		if x.BP <= -10000 {
			return broker.Errorf(broker.Invalid, "stop %s: %s is -100%% or lower", x.Code, FormatBP(x.BP))
		}
	case Take:
		if x.Price < 0 || x.BP < 0 || (x.Price == 0) == (x.BP == 0) {
			return broker.Errorf(broker.Invalid, "take %s needs a price or a positive percent, e.g. +10%%", x.Code)
		}
	case Trail:
		if x.Price != 0 || x.BP <= 0 || x.BP >= 10000 {
			return broker.Errorf(broker.Invalid, "trail %s needs a percent between 0 and 100, e.g. 3%%", x.Code)
		}
	default:
		return broker.Errorf(broker.Invalid, "exit kind %q must be stop, take or trail", x.Kind)
	}
	return nil
}

// key is the exit's identity: one exit of each kind per stock.
func (x Exit) key() string { return string(x.Code) + "." + string(x.Kind) }

// Level is the trigger price for a position bought at avg with the high
// seen so far, as a price the market can trade (the KRX tick table,
// broker.TickSize): a stop or trail's is the highest legal price at or
// below its percent level, a take's the lowest at or above. That is the
// direction of the owner's percent, as an HTS stop-loss reads "-5 %
// reached": a price between two ticks never trades, so the first traded
// price past the percent is exactly this level — what /exits, the alert
// and the chart show is where the exit sells, and a stop never fires
// before the move it was set for (rounding a stop up would sell a 3 %
// trail on a 2.9 % pullback), so "-5 %" never triggers at -4.99 %. 0 means
// the level cannot be known yet (no average price, no high).
func (x Exit) Level(avg, high int64) int64 {
	l := x.trigger(avg, high)
	if l <= 0 {
		return 0
	}
	if x.Kind == Take {
		return broker.SnapUp(l)
	}
	return broker.SnapDown(l)
}

// trigger is the level before rounding to the tick, which Check compares
// prices with: on the stock grid it decides as Level does, and an ETF or
// ETN, on a finer grid than stocks (broker/tick.go), still fires at its
// own first price past the percent.
func (x Exit) trigger(avg, high int64) int64 {
	switch x.Kind {
	case Stop:
		if x.Price > 0 {
			return x.Price
		}
		return floorDiv(avg*(10000+x.BP), 10000)
	case Take:
		if x.Price > 0 {
			return x.Price
		}
		return ceilDiv(avg*(10000+x.BP), 10000)
	case Trail:
		return floorDiv(high*(10000-x.BP), 10000)
	}
	return 0
}

// Crossed reports whether price is at or past level in the exit's
// direction.
func (x Exit) Crossed(price, level int64) bool {
	if level <= 0 || price <= 0 {
		return false
	}
	if x.Kind == Take {
		return price >= level
	}
	return price <= level
}

func floorDiv(a, b int64) int64 {
	if a <= 0 {
		return 0
	}
	return a / b
}

func ceilDiv(a, b int64) int64 {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

// String is the exit as the chat writes it: "005930 stop -5%".
func (x Exit) String() string {
	return string(x.Code) + " " + string(x.Kind) + " " + x.Spec()
}

// Spec is the level as written: "-5%", "+10%", "3%" or "65000".
func (x Exit) Spec() string {
	if x.Price > 0 {
		return strconv.FormatInt(x.Price, 10)
	}
	if x.Kind == Trail {
		return strings.TrimPrefix(FormatBP(x.BP), "+")
	}
	return FormatBP(x.BP)
}

// FormatBP writes basis points as a signed percent: -500 → "-5%", 250 →
// "+2.5%".
func FormatBP(bp int64) string {
	sign := "+"
	if bp < 0 {
		sign, bp = "-", -bp
	}
	s := strconv.FormatInt(bp/100, 10)
	if frac := bp % 100; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", frac), "0")
	}
	return sign + s + "%"
}

// ParseLevel reads an exit's level as the chat and YAML write it: a
// percent ("-5%", "+10%", "3%", "2.5%", at most two decimals) or a price
// in won ("65000", "65,000").
func ParseLevel(kind Kind, s string) (Exit, error) {
	s = strings.TrimSpace(s)
	x := Exit{Kind: kind}
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		bp, err := parseBP(pct)
		if err != nil {
			return Exit{}, broker.Errorf(broker.Invalid, "percent %q: write it like -5%% or 2.5%%", s)
		}
		if kind == Trail && bp < 0 {
			bp = -bp // "trail -3%" means the same pullback
		}
		x.BP = bp
		return x, nil
	}
	p, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil || p <= 0 {
		return Exit{}, broker.Errorf(broker.Invalid, "level %q must be a price in won or a percent like -5%%", s)
	}
	x.Price = p
	return x, nil
}

func parseBP(s string) (int64, error) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 2 || len(whole) > 5 {
		return 0, errors.New("bad percent")
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseUint(whole, 10, 32)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseUint(frac, 10, 8)
	if err != nil {
		return 0, err
	}
	bp := int64(w)*100 + int64(f)
	if bp == 0 {
		return 0, errors.New("zero percent")
	}
	if neg {
		bp = -bp
	}
	return bp, nil
}

// State is what an exit must remember across rounds and restarts.
type State struct {
	// Armed: the exit may trigger. It disarms durably before its order is
	// sent, and stays disarmed: a protective exit acts once.
	Armed bool `json:"armed"`
	// High is the highest price seen since a trail was armed (its
	// high-water mark); 0 until the first price.
	High int64 `json:"high,omitempty"`
	// Fired is when the exit triggered; FiredAt the price that did it.
	Fired   string `json:"fired,omitempty"` // RFC 3339, UTC
	FiredAt int64  `json:"fired_at,omitempty"`
	// OrderID is the sell order the trigger placed, when the broker took it.
	OrderID string `json:"order_id,omitempty"`
	// Failures counts orders refused in a row; MaxFailures turn it off.
	Failures int `json:"failures,omitempty"`
	// Off says why the exit no longer watches (fired, position gone,
	// another exit of the stock fired, refused too often); "" while armed.
	Off string `json:"off,omitempty"`
	// LastPrice is the last price seen, for /exits.
	LastPrice int64 `json:"last_price,omitempty"`
}

// Reasons an exit turned itself off, as State.Off and Event.Reason carry
// them; the bot's catalog words them for the owner.
const (
	OffFired    = "fired"
	OffGone     = "position_gone"
	OffSibling  = "sibling_fired"
	OffFailures = "failures"
	OffUnknown  = "unknown_outcome"
	// OffNotHeld: an exit from the rules file whose stock is not held; it
	// arms by itself once the stock is held.
	OffNotHeld = "not_held"
)

// Source says who set an exit's current level: the rules file, a chat
// command (/stop, /take, /trail from Telegram or the console), or the
// HTTP API (POST /exits). /exits and GET /exits show it, and it is stored
// with the exit, so a restart still knows.
type Source string

// Sources.
const (
	SourceFile Source = "file"
	SourceChat Source = "chat"
	SourceHTTP Source = "http"
)

// ParseSource reads a stored or given source; "" is not one.
func ParseSource(s string) (Source, error) {
	switch src := Source(s); src {
	case SourceFile, SourceChat, SourceHTTP:
		return src, nil
	}
	return "", broker.Errorf(broker.Invalid, "exit source %q must be file, chat or http", s)
}

// record is one exit as stored.
type record struct {
	Exit  Exit  `json:"exit"`
	State State `json:"state"`
	// Source is who set Exit (empty in a record stored before sources
	// were kept: see source).
	Source Source `json:"source,omitempty"`
	// File is the rules file's exit this record stands for (nil: set from
	// the chat or HTTP only). A record whose Exit differs from File was
	// edited after the file declared it; the edit stands until the file's
	// exit changes.
	File *Exit `json:"file,omitempty"`
	// Deleted marks the file's exit deleted from the chat (a tombstone):
	// it stays deleted across restarts until the file's exit changes.
	Deleted bool `json:"deleted,omitempty"`
	// Key is the hash of the Idempotency-Key that set it over HTTP
	// (PutOnce), never the key itself: a retried request, after a restart
	// too, finds the exit it set instead of re-arming it.
	Key string `json:"key,omitempty"`
}

// Settings is the key/value part of hoga's SQLite store (*store.DB), as
// the strategy's DBStore uses it. Writes must be durable when they return.
type Settings interface {
	PutSetting(ctx context.Context, key, value string) error
	DeleteSetting(ctx context.Context, key string) error
	SettingsWithPrefix(ctx context.Context, prefix string) (map[string]string, error)
}

// keyPrefix is the prefix of the exits' rows: one per exit, JSON.
const keyPrefix = "exits."

// source is who set r's exit. A record stored before sources were kept
// (or by a later hoga with a source this one does not know) tells by
// what it holds: an Idempotency-Key hash only POST /exits stores; the
// file's own exit unedited is the file's; anything else was set from the
// chat.
func (r record) source() Source {
	_, err := ParseSource(string(r.Source))
	switch {
	case err == nil:
		return r.Source
	case r.Key != "":
		return SourceHTTP
	case r.File != nil && *r.File == r.Exit:
		return SourceFile
	}
	return SourceChat
}

func loadRecords(ctx context.Context, s Settings) ([]record, error) {
	rows, err := s.SettingsWithPrefix(ctx, keyPrefix)
	if err != nil {
		return nil, fmt.Errorf("exits: load: %w", err)
	}
	out := make([]record, 0, len(rows))
	for k, v := range rows {
		var r record
		if err := json.Unmarshal([]byte(v), &r); err != nil {
			return nil, fmt.Errorf("exits: stored exit %s is damaged: %w", strings.TrimPrefix(k, keyPrefix), err)
		}
		if err := r.Exit.Validate(); err != nil || keyPrefix+r.Exit.key() != k {
			return nil, fmt.Errorf("exits: stored exit %s is not valid: %v", strings.TrimPrefix(k, keyPrefix), err)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Exit.key() < out[j].Exit.key() })
	return out, nil
}

func saveRecord(ctx context.Context, s Settings, r record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("exits: encode %s: %w", r.Exit, err)
	}
	return s.PutSetting(ctx, keyPrefix+r.Exit.key(), string(b))
}

// MemSettings is Settings in memory, for tests and an engine without a
// database; hoga runs with the SQLite store.
type MemSettings struct {
	mu sync.Mutex
	m  map[string]string
	// Fail, when set, is returned by PutSetting (a broken disk).
	Fail error
}

// NewMemSettings returns empty MemSettings.
func NewMemSettings() *MemSettings { return &MemSettings{m: map[string]string{}} }

// PutSetting stores value under key.
func (m *MemSettings) PutSetting(_ context.Context, key, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	m.m[key] = value
	return nil
}

// DeleteSetting forgets key.
func (m *MemSettings) DeleteSetting(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
	return nil
}

// SettingsWithPrefix returns the rows whose key starts with prefix.
func (m *MemSettings) SettingsWithPrefix(_ context.Context, prefix string) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	for k, v := range m.m {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out, nil
}

package strategy

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// StateStore keeps what the strategy must not forget across a restart:
// the rules edited from chat and every rule's state. The engine calls it
// from one goroutine at a time per rule; implementations must still be
// safe for concurrent use.
//
// SaveState must not return until the state would survive a crash or a
// power cut: the engine places the order right after it (disarm first,
// then order), and a state that is lost would let the same crossing fire
// twice after a restart.
type StateStore interface {
	// LoadRules returns every chat edit: rules put or toggled from chat,
	// and tombstones for file rules deleted from chat.
	LoadRules(ctx context.Context) ([]StoredRule, error)
	// SaveRule inserts or replaces the chat edit for r.Code.
	SaveRule(ctx context.Context, r StoredRule) error
	// DeleteRule forgets the chat edit for code; no error if there is none.
	DeleteRule(ctx context.Context, code broker.Code) error
	// LoadState returns every rule's saved state.
	LoadState(ctx context.Context) (map[broker.Code]State, error)
	// SaveState durably inserts or replaces the state for code.
	SaveState(ctx context.Context, code broker.Code, s State) error
	// DeleteState forgets the state for code; no error if there is none.
	DeleteState(ctx context.Context, code broker.Code) error
}

// StoredRule is one chat edit of the rule for Code.
//
// Precedence: the rules file is the base; a chat edit (/rule add, /rule
// on|off) of a code replaces the file's rule for that code, and /rule del
// of a code the file has leaves a tombstone (Deleted) so the rule stays
// deleted after a restart. Base remembers the file's rule as it was when
// the edit was made: if the file's rule for the code is different at the
// next start-up, the file was edited after the chat, and the newer intent
// — the file — wins; the stale edit is dropped.
type StoredRule struct {
	Code broker.Code
	// Rule is the rule as edited; zero when Deleted.
	Rule Rule
	// Deleted marks a tombstone: the file's rule was deleted from chat.
	Deleted bool
	// Base is the file's rule for Code when the edit was made; nil when
	// the file had none.
	Base *Rule
	// Updated is when the edit was made.
	Updated time.Time
}

// ruleJSON is the stored form of a Rule: named fields and a duration
// string, so the file stays readable and stable if Rule grows.
type ruleJSON struct {
	Code        broker.Code `json:"code"`
	BuyBelow    int64       `json:"buy_below,omitempty"`
	SellAbove   int64       `json:"sell_above,omitempty"`
	Qty         int64       `json:"qty"`
	Type        string      `json:"type"`
	MaxPosition int64       `json:"max_position,omitempty"`
	Cooldown    string      `json:"cooldown,omitempty"`
	Enabled     bool        `json:"enabled"`
	Confirm     bool        `json:"confirm,omitempty"`
	RearmBP     int64       `json:"rearm_bp,omitempty"`
	Venue       string      `json:"venue,omitempty"`
	Extended    bool        `json:"extended,omitempty"`
}

func toJSON(r Rule) ruleJSON {
	j := ruleJSON{Code: r.Code, BuyBelow: r.BuyBelow, SellAbove: r.SellAbove, Qty: r.Qty, Type: r.Type.String(),
		MaxPosition: r.MaxPosition, Enabled: r.Enabled, Confirm: r.Confirm, RearmBP: r.RearmBP,
		Venue: string(r.Venue), Extended: r.Extended}
	if r.Cooldown > 0 {
		j.Cooldown = r.Cooldown.String()
	}
	return j
}

func (j ruleJSON) rule() (Rule, error) {
	t, err := broker.ParseOrderType(j.Type)
	if err != nil {
		return Rule{}, err
	}
	r := Rule{Code: j.Code, BuyBelow: j.BuyBelow, SellAbove: j.SellAbove, Qty: j.Qty, Type: t,
		MaxPosition: j.MaxPosition, Enabled: j.Enabled, Confirm: j.Confirm, RearmBP: j.RearmBP,
		Venue: broker.Venue(j.Venue), Extended: j.Extended}
	if j.Cooldown != "" {
		if r.Cooldown, err = time.ParseDuration(j.Cooldown); err != nil {
			return Rule{}, err
		}
	}
	return r, nil
}

type storedJSON struct {
	Code    broker.Code `json:"code"`
	Rule    *ruleJSON   `json:"rule,omitempty"`
	Deleted bool        `json:"deleted,omitempty"`
	Base    *ruleJSON   `json:"base,omitempty"`
	Updated time.Time   `json:"updated,omitzero"`
}

// MarshalJSON gives StoredRule a stable, readable form (any store may keep
// it as a JSON column).
func (s StoredRule) MarshalJSON() ([]byte, error) {
	j := storedJSON{Code: s.Code, Deleted: s.Deleted, Updated: s.Updated}
	if !s.Deleted {
		r := toJSON(s.Rule)
		j.Rule = &r
	}
	if s.Base != nil {
		b := toJSON(*s.Base)
		j.Base = &b
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads MarshalJSON's form.
func (s *StoredRule) UnmarshalJSON(data []byte) error {
	var j storedJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	out := StoredRule{Code: j.Code, Deleted: j.Deleted, Updated: j.Updated}
	if j.Rule != nil {
		r, err := j.Rule.rule()
		if err != nil {
			return fmt.Errorf("stored rule %s: %w", j.Code, err)
		}
		out.Rule = r
	}
	if j.Base != nil {
		b, err := j.Base.rule()
		if err != nil {
			return fmt.Errorf("stored base rule %s: %w", j.Code, err)
		}
		out.Base = &b
	}
	*s = out
	return nil
}

// MemStore is a StateStore in memory: state is lost when the process
// ends. hoga runs with DBStore (the SQLite file); MemStore serves tests,
// `hoga check` and an engine started without a store.
type MemStore struct {
	mu     sync.Mutex
	rules  map[broker.Code]StoredRule
	states map[broker.Code]State
}

var _ StateStore = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{rules: map[broker.Code]StoredRule{}, states: map[broker.Code]State{}}
}

// LoadRules returns the chat edits, sorted by code.
func (s *MemStore) LoadRules(ctx context.Context) ([]StoredRule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]StoredRule, 0, len(s.rules))
	for _, r := range s.rules {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// SaveRule stores the chat edit for r.Code.
func (s *MemStore) SaveRule(ctx context.Context, r StoredRule) error {
	return s.update(ctx, func(rules map[broker.Code]StoredRule, _ map[broker.Code]State) { rules[r.Code] = r })
}

// DeleteRule forgets the chat edit for code.
func (s *MemStore) DeleteRule(ctx context.Context, code broker.Code) error {
	return s.update(ctx, func(rules map[broker.Code]StoredRule, _ map[broker.Code]State) { delete(rules, code) })
}

// LoadState returns a copy of every saved state.
func (s *MemStore) LoadState(ctx context.Context) (map[broker.Code]State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.states), nil
}

// SaveState stores the state for code.
func (s *MemStore) SaveState(ctx context.Context, code broker.Code, st State) error {
	return s.update(ctx, func(_ map[broker.Code]StoredRule, states map[broker.Code]State) { states[code] = st })
}

// DeleteState forgets the state for code.
func (s *MemStore) DeleteState(ctx context.Context, code broker.Code) error {
	return s.update(ctx, func(_ map[broker.Code]StoredRule, states map[broker.Code]State) { delete(states, code) })
}

// update applies change unless ctx is done, as a durable store would
// refuse a write after its caller gave up.
func (s *MemStore) update(ctx context.Context, change func(map[broker.Code]StoredRule, map[broker.Code]State)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	change(s.rules, s.states)
	return nil
}

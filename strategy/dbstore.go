package strategy

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hoga-trade/hoga/broker"
)

// Settings is the key/value part of hoga's SQLite store (*store.DB) that
// the strategy keeps its memory in. Writes must be durable when they
// return: the store commits with synchronous=FULL.
type Settings interface {
	PutSetting(ctx context.Context, key, value string) error
	DeleteSetting(ctx context.Context, key string) error
	SettingsWithPrefix(ctx context.Context, prefix string) (map[string]string, error)
}

// Key prefixes of the strategy's rows: one row per stock for its chat
// edit and one for its state, JSON-encoded.
const (
	rulePrefix  = "strategy.rule."
	statePrefix = "strategy.state."
)

// DBStore is the StateStore hoga runs with: the strategy's chat edits and
// rule states live in the same SQLite file as the order journal, so one
// backup holds everything and a restart sees both consistently.
type DBStore struct{ s Settings }

var _ StateStore = (*DBStore)(nil)

// NewDBStore keeps the strategy's state in s.
func NewDBStore(s Settings) *DBStore { return &DBStore{s: s} }

// LoadRules returns every chat edit.
func (d *DBStore) LoadRules(ctx context.Context) ([]StoredRule, error) {
	rows, err := d.s.SettingsWithPrefix(ctx, rulePrefix)
	if err != nil {
		return nil, err
	}
	out := make([]StoredRule, 0, len(rows))
	for k, v := range rows {
		var r StoredRule
		if err := json.Unmarshal([]byte(v), &r); err != nil {
			return nil, fmt.Errorf("strategy: stored rule %s is damaged: %w", strings.TrimPrefix(k, rulePrefix), err)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// SaveRule stores the chat edit for r.Code.
func (d *DBStore) SaveRule(ctx context.Context, r StoredRule) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("strategy: encoding rule %s: %w", r.Code, err)
	}
	return d.s.PutSetting(ctx, rulePrefix+string(r.Code), string(b))
}

// DeleteRule forgets the chat edit for code.
func (d *DBStore) DeleteRule(ctx context.Context, code broker.Code) error {
	return d.s.DeleteSetting(ctx, rulePrefix+string(code))
}

// LoadState returns every rule's saved state.
func (d *DBStore) LoadState(ctx context.Context) (map[broker.Code]State, error) {
	rows, err := d.s.SettingsWithPrefix(ctx, statePrefix)
	if err != nil {
		return nil, err
	}
	out := make(map[broker.Code]State, len(rows))
	for k, v := range rows {
		var st State
		if err := json.Unmarshal([]byte(v), &st); err != nil {
			return nil, fmt.Errorf("strategy: stored state of %s is damaged: %w", strings.TrimPrefix(k, statePrefix), err)
		}
		out[broker.Code(strings.TrimPrefix(k, statePrefix))] = st
	}
	return out, nil
}

// SaveState durably stores the state for code.
func (d *DBStore) SaveState(ctx context.Context, code broker.Code, s State) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("strategy: encoding state of %s: %w", code, err)
	}
	return d.s.PutSetting(ctx, statePrefix+string(code), string(b))
}

// DeleteState forgets the state for code.
func (d *DBStore) DeleteState(ctx context.Context, code broker.Code) error {
	return d.s.DeleteSetting(ctx, statePrefix+string(code))
}

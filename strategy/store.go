package strategy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
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
}

func toJSON(r Rule) ruleJSON {
	j := ruleJSON{Code: r.Code, BuyBelow: r.BuyBelow, SellAbove: r.SellAbove, Qty: r.Qty, Type: r.Type.String(),
		MaxPosition: r.MaxPosition, Enabled: r.Enabled, Confirm: r.Confirm, RearmBP: r.RearmBP}
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
		MaxPosition: j.MaxPosition, Enabled: j.Enabled, Confirm: j.Confirm, RearmBP: j.RearmBP}
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

// StateFile is the FileStore's file name in the data directory.
const StateFile = "strategy.json"

// stateVersion is the file format's version; a newer file is refused
// rather than half-read.
const stateVersion = 1

type fileJSON struct {
	Version int                   `json:"version"`
	Rules   []StoredRule          `json:"rules"`
	States  map[broker.Code]State `json:"states"`
}

// FileStore is a StateStore in one JSON file (StateFile), rewritten
// atomically — temporary file, fsync, rename, fsync of the directory — on
// every change. The strategy's state is small (a few hundred bytes per
// rule) and changes only when a leg fires or re-arms, so a whole-file
// rewrite is cheap. NewMemStore gives the same store without a file.
type FileStore struct {
	path string // "" keeps everything in memory

	mu     sync.Mutex
	rules  map[broker.Code]StoredRule
	states map[broker.Code]State
}

var _ StateStore = (*FileStore)(nil)

// OpenFileStore opens (or starts) dir/StateFile. The directory is created
// 0700 if missing and the file is written 0600: it says what the owner
// trades. A file that cannot be read or parsed is an error naming it —
// the state is never silently reset, since that would re-arm every rule.
func OpenFileStore(dir string) (*FileStore, error) {
	if dir == "" {
		return nil, errors.New("strategy: state directory is empty")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("strategy: create state directory: %w", err)
	}
	s := &FileStore{path: filepath.Join(dir, StateFile), rules: map[broker.Code]StoredRule{}, states: map[broker.Code]State{}}
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("strategy: read %s: %w", s.path, err)
	}
	var f fileJSON
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("strategy: %s is damaged (%v); move it aside to start with every rule armed", s.path, err)
	}
	if f.Version > stateVersion {
		return nil, fmt.Errorf("strategy: %s is version %d, newer than this hoga understands (%d)", s.path, f.Version, stateVersion)
	}
	for _, r := range f.Rules {
		s.rules[r.Code] = r
	}
	maps.Copy(s.states, f.States)
	return s, nil
}

// NewMemStore returns a FileStore that keeps everything in memory: state
// is lost when the process ends. For tests and `hoga check`.
func NewMemStore() *FileStore {
	return &FileStore{rules: map[broker.Code]StoredRule{}, states: map[broker.Code]State{}}
}

// Path is the file the store writes, "" for a memory store.
func (s *FileStore) Path() string { return s.path }

// LoadRules returns the chat edits, sorted by code.
func (s *FileStore) LoadRules(ctx context.Context) ([]StoredRule, error) {
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
func (s *FileStore) SaveRule(ctx context.Context, r StoredRule) error {
	return s.update(ctx, func(rules map[broker.Code]StoredRule, _ map[broker.Code]State) { rules[r.Code] = r })
}

// DeleteRule forgets the chat edit for code.
func (s *FileStore) DeleteRule(ctx context.Context, code broker.Code) error {
	return s.update(ctx, func(rules map[broker.Code]StoredRule, _ map[broker.Code]State) { delete(rules, code) })
}

// LoadState returns a copy of every saved state.
func (s *FileStore) LoadState(ctx context.Context) (map[broker.Code]State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.states), nil
}

// SaveState durably stores the state for code.
func (s *FileStore) SaveState(ctx context.Context, code broker.Code, st State) error {
	return s.update(ctx, func(_ map[broker.Code]StoredRule, states map[broker.Code]State) { states[code] = st })
}

// DeleteState forgets the state for code.
func (s *FileStore) DeleteState(ctx context.Context, code broker.Code) error {
	return s.update(ctx, func(_ map[broker.Code]StoredRule, states map[broker.Code]State) { delete(states, code) })
}

// update applies change to copies, writes them, and only then keeps them:
// a failed write leaves the store as it was, matching the file.
func (s *FileStore) update(ctx context.Context, change func(map[broker.Code]StoredRule, map[broker.Code]State)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rules, states := maps.Clone(s.rules), maps.Clone(s.states)
	change(rules, states)
	if s.path != "" {
		if err := s.write(rules, states); err != nil {
			return err
		}
	}
	s.rules, s.states = rules, states
	return nil
}

func (s *FileStore) write(rules map[broker.Code]StoredRule, states map[broker.Code]State) error {
	f := fileJSON{Version: stateVersion, Rules: make([]StoredRule, 0, len(rules)), States: states}
	for _, r := range rules {
		f.Rules = append(f.Rules, r)
	}
	sort.Slice(f.Rules, func(i, j int) bool { return f.Rules[i].Code < f.Rules[j].Code })
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("strategy: encode state: %w", err)
	}
	return writeAtomic(s.path, append(data, '\n'))
}

// writeAtomic replaces path with data so that a crash leaves either the
// old file or the new one, never a mix, and the new one is on disk when it
// returns.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp") // created 0600
	if err != nil {
		return fmt.Errorf("strategy: write state: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("strategy: write state: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("strategy: sync state: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("strategy: write state: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("strategy: replace state: %w", err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable on Unix. Windows cannot open a directory
// for sync and does not need it (the rename is journaled by NTFS), so the
// error is ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

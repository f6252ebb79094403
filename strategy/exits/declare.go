package exits

import (
	"context"
	"fmt"
	"sort"

	"github.com/hoga-trade/hoga/broker"
)

func (b *Book) isDeclared() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.declared || !b.opts.FromFile
}

// declareFirst declares the file's exits, if Check has not yet, before a
// chat command reads or edits them; the caller holds checkMu. hoga takes
// commands before the first round: "/exits" typed (or piped) at once said
// "no exits" while the file declared three (trial run of issue 12), and a
// "/stop … del" then found nothing to delete. Without a balance it leaves
// them to the next round, as Check does.
func (b *Book) declareFirst(ctx context.Context) {
	if b.isDeclared() {
		return
	}
	if err := b.declare(ctx); err != nil && ctx.Err() == nil {
		b.log.Warn("exits: the rules file's exits wait for a balance; trying next round", "err", err)
	}
}

// declare applies the rules file's exits to the stored ones (see
// Options.FileExits); Check calls it once, under checkMu. It needs a
// balance to know which stocks are held, and fails without one.
func (b *Book) declare(ctx context.Context) error {
	bal, err := b.balance(ctx, true)
	if err != nil {
		return err
	}
	held := func(x Exit) bool { p, ok := bal.Position(x.Code); return ok && p.Qty > 0 }
	inFile := map[string]bool{}
	for _, f := range b.opts.FileExits {
		f := f
		k := f.key()
		inFile[k] = true
		b.mu.Lock()
		rec, haveRec := b.recs[k]
		var cur record
		if haveRec {
			cur = *rec
		}
		tomb, haveTomb := b.tombs[k]
		b.mu.Unlock()
		fresh := func(why string) error {
			r := record{Exit: f, File: &f, State: State{Armed: true}, Source: SourceFile}
			if !held(f) {
				r.State = State{Off: OffNotHeld}
			}
			if err := b.put(ctx, r); err != nil {
				return err
			}
			b.log.Info("exit from the rules file", "exit", f.String(), "armed", r.State.Armed, "why", why)
			return nil
		}
		switch {
		case haveTomb && *tomb.File == f:
			continue // deleted from the chat; stays deleted
		case haveTomb:
			if err := fresh("the file's exit changed since it was deleted from the chat"); err != nil {
				return err
			}
		case !haveRec:
			if err := fresh("new"); err != nil {
				return err
			}
		case cur.File != nil && *cur.File == f && cur.Exit != f:
			continue // edited from the chat after the file declared it: the edit stands
		case cur.Exit == f && (cur.File == nil || *cur.File == f):
			// The same exit as stored: its state carries on. One that
			// fired or turned off is armed again while the stock is held
			// (a new position to protect); an unknown outcome stays off
			// until the owner has looked (never sold twice).
			if cur.File == nil {
				// Adopted by the file, but still the level the chat or
				// HTTP set, and shown as theirs.
				cur.Source = cur.source()
				cur.File = &f
				if err := b.put(ctx, cur); err != nil {
					return err
				}
			}
			if cur.State.Armed || cur.State.Off == OffUnknown {
				continue
			}
			if err := fresh("armed again at start: " + cur.State.Off); err != nil {
				return err
			}
		default:
			// The file's exit changed since the stored one was set (from
			// the file or the chat): the newer intent wins.
			if err := fresh(fmt.Sprintf("replaces %s", cur.Exit.Spec())); err != nil {
				return err
			}
		}
	}
	// Exits the file no longer has: ones it alone set go; a chat edit
	// stays, as the chat's own.
	b.mu.Lock()
	var gone []record
	for k, r := range b.recs {
		if r.File != nil && !inFile[k] {
			gone = append(gone, *r)
		}
	}
	var stale []string
	for k := range b.tombs {
		if !inFile[k] {
			stale = append(stale, k)
		}
	}
	b.mu.Unlock()
	sort.Slice(gone, func(i, j int) bool { return gone[i].Exit.key() < gone[j].Exit.key() })
	for _, r := range gone {
		k := r.Exit.key()
		if r.Exit == *r.File {
			if err := b.store.DeleteSetting(ctx, keyPrefix+k); err != nil {
				return fmt.Errorf("exits: delete %s: %w", k, err)
			}
			b.mu.Lock()
			delete(b.recs, k)
			delete(b.restored, k)
			b.mu.Unlock()
			b.log.Info("exit removed: no longer in the rules file", "exit", r.Exit.String())
			continue
		}
		r.File = nil
		if err := b.put(ctx, r); err != nil {
			return err
		}
	}
	for _, k := range stale {
		if err := b.store.DeleteSetting(ctx, keyPrefix+k); err != nil {
			return fmt.Errorf("exits: delete %s: %w", k, err)
		}
		b.mu.Lock()
		delete(b.tombs, k)
		b.mu.Unlock()
	}
	b.mu.Lock()
	b.declared = true
	b.mu.Unlock()
	return nil
}

// put stores r durably and keeps it; a restored flag is dropped unless r
// keeps the stored state (an armed exit carrying on).
func (b *Book) put(ctx context.Context, r record) error {
	if err := saveRecord(ctx, b.store, r); err != nil {
		return err
	}
	k := r.Exit.key()
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, ok := b.recs[k]; !ok || old.State != r.State {
		delete(b.restored, k)
		delete(b.committed, k)
	}
	b.recs[k] = &r
	delete(b.tombs, k)
	return nil
}

// waiting lists the rules file's exits waiting for their stock.
func (b *Book) waiting() []record {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []record
	for _, r := range b.recs {
		if !r.State.Armed && r.State.Off == OffNotHeld {
			out = append(out, *r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Exit.key() < out[j].Exit.key() })
	return out
}

// wake arms the waiting exits whose stock is held now; it reports whether
// it armed any.
func (b *Book) wake(ctx context.Context, bal broker.Balance, waiting []record) bool {
	armed := false
	for _, r := range waiting {
		if p, ok := bal.Position(r.Exit.Code); !ok || p.Qty <= 0 {
			continue
		}
		r.State = State{Armed: true}
		if err := b.put(ctx, r); err != nil {
			b.log.Error("exit not armed: its state could not be saved", "exit", r.Exit.String(), "err", err)
			continue
		}
		armed = true
		b.log.Info("exit from the rules file armed: the stock is held", "exit", r.Exit.String())
		b.emit(Event{Kind: EventArmed, Exit: r.Exit, Name: b.nameOf(r.Exit.Code), Avg: avgOf(bal, r.Exit.Code)})
	}
	return armed
}

func avgOf(bal broker.Balance, code broker.Code) int64 {
	pos, _ := bal.Position(code)
	return pos.AvgPrice
}

package guard

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// haltKey is the journal setting holding the kill switch.
const haltKey = "guard.halt"

// haltState is the kill switch as persisted.
type haltState struct {
	Halted bool      `json:"halted"`
	Since  time.Time `json:"since"`
	By     string    `json:"by"`
}

func (g *Guard) loadHalt(ctx context.Context) error {
	v, ok, err := g.j.GetSetting(ctx, haltKey)
	if err != nil {
		// Not knowing whether trading was halted is a reason not to start.
		return fmt.Errorf("guard: read kill switch: %w", err)
	}
	if !ok {
		return nil
	}
	var st haltState
	if err := json.Unmarshal([]byte(v), &st); err != nil {
		return fmt.Errorf("guard: kill switch setting %q is corrupt: %w", v, err)
	}
	g.halt = st
	if st.Halted {
		g.log.Warn("trading is halted (kill switch persisted)", "since", st.Since, "by", st.By)
	}
	return nil
}

// Halt turns the kill switch on: every new order is refused with kind
// Halted until Resume. Cancels and reconciliation carry on, since they only
// reduce risk. The switch is persisted in the journal so it survives a
// restart. It takes effect in memory even if persisting fails; the error
// then says it will not survive a restart. Halting twice keeps the first
// time and author.
func (g *Guard) Halt(ctx context.Context, by string) error {
	return g.setHalt(ctx, true, by)
}

// Resume turns the kill switch off (persisted like Halt).
func (g *Guard) Resume(ctx context.Context, by string) error {
	return g.setHalt(ctx, false, by)
}

// Halted reports whether the kill switch is on, since when and who turned
// it on.
func (g *Guard) Halted() (halted bool, since time.Time, by string) {
	g.haltMu.Lock()
	defer g.haltMu.Unlock()
	if !g.halt.Halted {
		return false, time.Time{}, ""
	}
	return true, g.halt.Since, g.halt.By
}

func (g *Guard) setHalt(ctx context.Context, on bool, by string) error {
	g.haltMu.Lock()
	if g.halt.Halted == on {
		g.haltMu.Unlock()
		return nil
	}
	st := haltState{Halted: on, Since: g.clk.Now(), By: by}
	g.halt = st
	// Persist under the lock so two quick toggles reach the journal in
	// the order they took effect.
	b, _ := json.Marshal(st)
	err := g.j.PutSetting(ctx, haltKey, string(b))
	g.haltMu.Unlock()

	kind := broker.EventResumed
	if on {
		kind = broker.EventHalted
	}
	g.log.Warn("kill switch "+string(kind), "by", by)
	g.emit(broker.OrderEvent{Kind: kind, By: by})
	if err != nil {
		return &broker.Error{Kind: broker.Internal, Msg: fmt.Sprintf("trading is %s now, but the setting could not be saved and will not survive a restart", kind), Err: err}
	}
	return nil
}

// haltError is the refusal while halted.
func (g *Guard) haltError() error {
	on, since, by := g.Halted()
	if !on {
		return nil
	}
	who := ""
	if by != "" {
		who = " by " + by
	}
	return &broker.Error{Kind: broker.Halted, Msg: fmt.Sprintf("trading is halted (since %s%s); /resume to allow orders again",
		since.In(broker.KST()).Format("2006-01-02 15:04 KST"), who)}
}

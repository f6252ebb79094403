package bot

import (
	"context"
	"errors"

	"github.com/hoga-trade/hoga/broker"
)

// Confirmer asks the owners to confirm an order that did not start in a
// chat — a POST /orders in live mode, a strategy rule with confirm: true —
// with the same prompt a live /buy shows ([확인] [취소], single use,
// expiring), delivered through the alert feed so any allowed user may
// press it. Pressing [확인] places the order through the router, so it
// reaches the guard with the ClientID the request carries.
//
// It is the one place that asks: the guard's dry run runs once (the
// router's Checker), the prompt's name and estimate come from one quote,
// and a refusal comes back as the error the guard or the broker gave, so
// each caller answers it in its own way (an HTTP status, a rule's
// pause) instead of parsing a chat sentence.
type Confirmer struct {
	Router *Router
	Feed   *Feed
	// OnDecline, when set, hears of an owner's [주문 안 함] at once, with
	// the request (its ClientID), so the HTTP API can answer "declined"
	// instead of "awaiting confirmation" until it expires (issue 12.10).
	OnDecline func(broker.OrderRequest)
}

// Prompt checks req and holds it for any allowed user's press, returning
// the prompt to send. The error is the refusal (Halted, MarketClosed,
// LimitExceeded, Invalid from the guard; the quote's errors); nothing is
// held then.
func (c Confirmer) Prompt(ctx context.Context, req broker.OrderRequest) (Reply, error) {
	if c.Router == nil {
		return Reply{}, errors.New("bot: Confirmer needs a Router")
	}
	return c.Router.promptWith(ctx, req, "", c.OnDecline)
}

// AskConfirm is Prompt, then the prompt published on the feed as an
// AlertConfirm that closes when it expires, as a chat /buy's does. An
// error means nobody was asked.
func (c Confirmer) AskConfirm(ctx context.Context, req broker.OrderRequest) error {
	if c.Feed == nil {
		return errors.New("bot: Confirmer needs a Feed")
	}
	rep, err := c.Prompt(ctx, req)
	if err != nil {
		return err
	}
	c.Feed.Publish(ctx, Alert{Type: AlertConfirm, Text: rep.Text, Buttons: rep.Buttons, Expires: rep.Expires})
	return nil
}

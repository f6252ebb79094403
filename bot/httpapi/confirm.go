package httpapi

import (
	"context"
	"errors"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
)

// ChatConfirmer is the Confirmer cmd/hoga wires in live mode: the chat
// router builds the confirmation ([확인] [취소], single use, expiring) and
// the alert feed delivers it to the owner (the Telegram alert chat, or the
// console). Pressing [확인] places the order through the router, so it
// reaches the guard with the ClientID the HTTP client was given.
type ChatConfirmer struct {
	Router *bot.Router
	Feed   *bot.Feed
}

var _ Confirmer = ChatConfirmer{}

// AskConfirm sends the prompt. Any authorized chat user may press it: the
// HTTP client has no chat identity to restrict it to. When the router
// refuses to ask (its own dry run or the quote for the estimate failed),
// the error carries the router's sentence.
func (c ChatConfirmer) AskConfirm(ctx context.Context, req broker.OrderRequest) error {
	if c.Router == nil || c.Feed == nil {
		return errors.New("httpapi: ChatConfirmer needs a Router and a Feed")
	}
	reply := c.Router.AskConfirm(ctx, req, "")
	if len(reply.Buttons) == 0 {
		return &messageError{kind: broker.Rejected, msg: plain(reply.Text)}
	}
	c.Feed.Publish(ctx, bot.Alert{Type: bot.AlertConfirm, Text: reply.Text, Buttons: reply.Buttons})
	return nil
}

package telegram

import (
	"context"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// ChatProbe is what getChat said about one chat alerts go to.
type ChatProbe struct {
	ID   int64
	Chat *models.ChatFullInfo // nil when Err is set
	Err  error                // the Bot API's error, unscrubbed
}

// Probe is the adapter's connection check, for `hoga check`: getMe (the token), then getChat on each of chats (where
// alerts go). getChat sends nothing, so a check never pings anyone's phone.
// err is getMe's failure, in which case no chat is asked; otherwise every
// chat is asked, in order, and each result says what came back. onCall,
// when set, is told of each request (as Config.OnAPICall). Errors are the
// library's: the caller scrubs and words them.
func Probe(ctx context.Context, api *tgbot.Bot, chats []int64, onCall func(method string, err error)) (me *models.User, results []ChatProbe, err error) {
	call := func(method string, err error) {
		if onCall != nil {
			onCall(method, err)
		}
	}
	me, err = api.GetMe(ctx)
	call("getMe", err)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range chats {
		chat, err := api.GetChat(ctx, &tgbot.GetChatParams{ChatID: id})
		call("getChat", err)
		results = append(results, ChatProbe{ID: id, Chat: chat, Err: err})
	}
	return me, results, nil
}

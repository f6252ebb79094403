package telegram

import (
	"context"

	"github.com/go-telegram/bot/models"

	"github.com/hoga-trade/hoga/bot"
)

// catalogText renders an entry of bot's catalog. bot exports no catalog
// accessor, but Feed.System renders any key in the feed's language, so a
// throwaway Feed with a capturing sink does it without a copy of the
// strings here.
func catalogText(lang bot.Lang, key string, args ...any) string {
	f := bot.NewFeed(bot.FeedConfig{Lang: lang})
	c := &capture{}
	f.AddSink(c)
	f.System(context.Background(), key, args...)
	if c.alert == nil {
		return key
	}
	return c.alert.Text
}

// texts are the router replies the adapter must recognise to decide what
// happens to a prompt after a press the router did not act on.
type texts struct {
	cancelled string // confirm.cancelled: edit the prompt, drop its buttons
	expired   string // confirm.expired: late, used or forged; drop dead buttons
}

func loadTexts(lang bot.Lang) texts {
	return texts{
		cancelled: catalogText(lang, "confirm.cancelled"),
		expired:   catalogText(lang, "confirm.expired"),
	}
}

// menuCommands are the commands shown in Telegram's menu, in order.
// /start is Telegram's own and stays out of the list.
var menuCommands = [...]string{"help", "price", "buy", "sell", "cancel", "orders", "balance", "rules", "rule", "halt", "resume", "status"}

// commandMenu is the setMyCommands list in lang.
func commandMenu(lang bot.Lang) []models.BotCommand {
	out := make([]models.BotCommand, 0, len(menuCommands))
	for _, c := range menuCommands {
		out = append(out, models.BotCommand{Command: c, Description: catalogText(lang, "cmd."+c)})
	}
	return out
}

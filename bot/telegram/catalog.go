package telegram

import (
	"github.com/go-telegram/bot/models"

	"github.com/hoga-trade/hoga/bot"
)

// menuCommands are the commands shown in Telegram's menu, in order.
// /start is Telegram's own and stays out of the list.
var menuCommands = [...]string{"help", "price", "buy", "sell", "cancel", "orders", "balance", "rules", "rule", "halt", "resume", "status"}

// commandMenu is the setMyCommands list in lang.
func commandMenu(lang bot.Lang) []models.BotCommand {
	out := make([]models.BotCommand, 0, len(menuCommands))
	for _, c := range menuCommands {
		out = append(out, models.BotCommand{Command: c, Description: bot.Text(lang, "cmd."+c)})
	}
	return out
}

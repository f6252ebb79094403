package telegram

import (
	"github.com/go-telegram/bot/models"

	"github.com/hoga-trade/hoga/bot"
)

// menuCommands are the commands shown in Telegram's menu, in order, from
// bot's command table. /start is Telegram's own and stays out of the list.
var menuCommands = bot.MenuCommands(bot.MenuOwner)

// readCommands are the menu of a shared chat (the alert group): what any
// member may see without acting.
var readCommands = bot.MenuCommands(bot.MenuShared)

// commandMenu is the setMyCommands list of cmds in lang.
func commandMenu(lang bot.Lang, cmds []string) []models.BotCommand {
	out := make([]models.BotCommand, 0, len(cmds))
	for _, c := range cmds {
		out = append(out, models.BotCommand{Command: c, Description: bot.Text(lang, "cmd."+c)})
	}
	return out
}

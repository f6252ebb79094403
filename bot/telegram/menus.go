package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/hoga-trade/hoga/bot"
)

// Menus says who sees which command menu (issue 19, item 3): the full menu
// only in the allowed users' private chats (and for them in the alert
// group), the read-only commands for everyone else in the alert group, and
// none anywhere else — a stranger or a group member is not shown /buy and
// /halt. Each menu is set for the default language (in Lang, hoga's reply
// language) and for the ko and en clients in their own language.
type Menus struct {
	Lang      bot.Lang
	Allowed   []int64
	AlertChat int64 // 0: none; a private chat id is ignored (it is an allowed user's)
}

// menuLangs are the language_code values a menu is set for: "" (every
// other client) in Menus.Lang, then each catalog language for its clients.
var menuLangs = []struct {
	code string
	lang bot.Lang
}{{"ko", bot.Korean}, {"en", bot.English}}

// RegisterCommands sets hoga's command menus on the bot behind api (see
// Menus). Run calls it at every start; `hoga setup` calls it once, so the
// menu is on the owner's phone before hoga first runs. onCall, when set, is
// told of each request (as Config.OnAPICall). It tries every list and
// returns the failures joined; a user's private chat that does not exist
// yet (they never sent /start) is reported with the user's id.
func RegisterCommands(ctx context.Context, api *tgbot.Bot, m Menus, onCall func(method string, err error)) error {
	if m.Lang == "" {
		m.Lang = bot.Korean
	}
	call := func(method string, err error) error {
		if onCall != nil {
			onCall(method, err)
		}
		return err
	}
	var errs []error
	set := func(what string, scope models.BotCommandScope, cmds []string) {
		for _, l := range append([]struct {
			code string
			lang bot.Lang
		}{{"", m.Lang}}, menuLangs...) {
			_, err := api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: commandMenu(l.lang, cmds), Scope: scope, LanguageCode: l.code})
			if call("setMyCommands", err) != nil {
				errs = append(errs, fmt.Errorf("%s menu (%s): %w", what, l.lang, err))
				return // the same scope fails the same way in every language
			}
		}
	}
	// Nobody else sees commands: clear the default lists (earlier versions
	// of hoga set the full menu there, for everyone).
	for _, code := range []string{"", "ko", "en"} {
		_, err := api.DeleteMyCommands(ctx, &tgbot.DeleteMyCommandsParams{Scope: &models.BotCommandScopeDefault{}, LanguageCode: code})
		if call("deleteMyCommands", err) != nil {
			errs = append(errs, fmt.Errorf("clearing the default menu: %w", err))
		}
	}
	for _, id := range m.Allowed {
		set("user "+strconv.FormatInt(id, 10), &models.BotCommandScopeChat{ChatID: id}, menuCommands)
	}
	if m.AlertChat < 0 {
		set("alert chat", &models.BotCommandScopeChat{ChatID: m.AlertChat}, readCommands)
		for _, id := range m.Allowed {
			set(fmt.Sprintf("user %d in the alert chat", id), &models.BotCommandScopeChatMember{ChatID: m.AlertChat, UserID: id}, menuCommands)
		}
	}
	return errors.Join(errs...)
}

// menuPending remembers allowed users whose menu could not be set at
// start (no private chat yet): their first message sets it.
func (b *Bot) registerMenus(ctx context.Context) {
	b.mu.Lock()
	chat := b.alertChat
	b.mu.Unlock()
	err := RegisterCommands(ctx, b.api, Menus{Lang: b.router.Lang(), Allowed: b.cfg.Allowed, AlertChat: chat}, b.apiCall)
	if err != nil {
		b.log.Warn("telegram: some command menus could not be set (a user who never sent /start has no chat yet; set again at their first message)", "err", b.scrub(err))
		b.mu.Lock()
		b.menuRetry = true
		b.mu.Unlock()
	}
}

// retryMenu sets the menus again after an allowed user's first message,
// when start-up could not set them all.
func (b *Bot) retryMenu(ctx context.Context, user int64) {
	b.mu.Lock()
	due := b.menuRetry && !b.menuTried[user]
	if due {
		if b.menuTried == nil {
			b.menuTried = map[int64]bool{}
		}
		b.menuTried[user] = true
	}
	b.mu.Unlock()
	if !due {
		return
	}
	b.toReader(ctx, func(ctx context.Context) {
		lang := b.router.Lang()
		for _, l := range append([]struct {
			code string
			lang bot.Lang
		}{{"", lang}}, menuLangs...) {
			_, err := b.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: commandMenu(l.lang, menuCommands),
				Scope: &models.BotCommandScopeChat{ChatID: user}, LanguageCode: l.code})
			b.apiCall("setMyCommands", err)
			if err != nil {
				b.log.Warn("telegram: could not set the user's command menu", "user", user, "err", b.scrub(err))
				return
			}
		}
	})
}

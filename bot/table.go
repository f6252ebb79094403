package bot

import (
	"context"
	"slices"
	"strings"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// Command is one chat command as every part of hoga sees it: the router
// dispatches on it, the Telegram adapter decides from it which commands go
// to the ordered lane, and the command menus (setMyCommands) list it. A
// new command is one row in the table below, so the three cannot drift.
type Command struct {
	// Name is the command word without the slash ("price"), as Telegram's
	// menu wants it; its menu text is the catalog's "cmd."+Name.
	Name string
	// Acts marks a command that changes orders, the kill switch or the
	// strategy. Transports run such commands one at a time, in arrival
	// order, and refuse them when old or implausibly dated; the others
	// only read and are answered with current data.
	Acts bool
	// Urgent runs at once, beside the ordered lane, and the lane waits
	// for it: the kill switch must not queue behind the orders it stops.
	Urgent bool
	// Menu is who sees the command in Telegram's menu.
	Menu Menu

	run func(r *Router, ctx context.Context, req Request, args []string) Reply
}

// Menu says in which command menus a command is listed.
type Menu int

// Menus, from least to most shown.
const (
	// MenuNone: typed, never listed (/start is Telegram's own).
	MenuNone Menu = iota
	// MenuOwner: the allowed users' menu.
	MenuOwner
	// MenuShared: also the read-only menu of a shared chat (the alert
	// group), what any member may see without acting.
	MenuShared
)

// commands is the table, in menu order.
var commands = []Command{
	{Name: "start", run: func(r *Router, _ context.Context, _ Request, _ []string) Reply { return r.help() }},
	{Name: "help", Menu: MenuShared, run: func(r *Router, _ context.Context, _ Request, _ []string) Reply { return r.help() }},
	{Name: "price", Menu: MenuShared, run: func(r *Router, ctx context.Context, req Request, args []string) Reply {
		rep := r.price(ctx, args)
		if req.Paged && rep.Buttons == nil && len(args) > 0 {
			// A name works as a code does (삼성전자), so the button carries
			// the code it resolved to: the trial found /price by name had none.
			if code, ok := r.lookupCode(strings.Join(args, " ")); ok {
				rep.Buttons = []Button{{Text: r.t("nav.refresh"), Data: "pg:price:" + string(code)}}
			}
		}
		return rep
	}},
	{Name: "chart", Menu: MenuShared, run: func(r *Router, ctx context.Context, _ Request, args []string) Reply {
		return r.chartCmd(ctx, args)
	}},
	{Name: "buy", Acts: true, Menu: MenuOwner, run: func(r *Router, ctx context.Context, req Request, args []string) Reply {
		return r.order(ctx, req, broker.Buy, args)
	}},
	{Name: "sell", Acts: true, Menu: MenuOwner, run: func(r *Router, ctx context.Context, req Request, args []string) Reply {
		return r.order(ctx, req, broker.Sell, args)
	}},
	{Name: "cancel", Acts: true, Menu: MenuOwner, run: func(r *Router, ctx context.Context, req Request, args []string) Reply {
		return r.cancel(ctx, req, args)
	}},
	{Name: "orders", Menu: MenuShared, run: func(r *Router, ctx context.Context, req Request, args []string) Reply {
		if len(args) > 1 || (len(args) == 1 && !strings.EqualFold(args[0], "open")) {
			return Reply{Text: r.t("usage.orders")}
		}
		return r.ordersPage(ctx, len(args) == 1, 1, req.Paged)
	}},
	{Name: "balance", Menu: MenuShared, run: func(r *Router, ctx context.Context, req Request, _ []string) Reply {
		rep := r.balance(ctx)
		if req.Paged {
			rep.Buttons = []Button{{Text: r.t("nav.refresh"), Data: "pg:balance"}}
		}
		return rep
	}},
	{Name: "rules", Menu: MenuShared, run: func(r *Router, ctx context.Context, _ Request, _ []string) Reply { return r.rules(ctx) }},
	{Name: "rule", Acts: true, Menu: MenuOwner, run: func(r *Router, ctx context.Context, req Request, args []string) Reply {
		return r.rule(ctx, req, args)
	}},
	{Name: "stop", Acts: true, Menu: MenuOwner, run: func(r *Router, ctx context.Context, _ Request, args []string) Reply {
		return r.exitCmd(ctx, exits.Stop, args)
	}},
	{Name: "take", Acts: true, Menu: MenuOwner, run: func(r *Router, ctx context.Context, _ Request, args []string) Reply {
		return r.exitCmd(ctx, exits.Take, args)
	}},
	{Name: "trail", Acts: true, Menu: MenuOwner, run: func(r *Router, ctx context.Context, _ Request, args []string) Reply {
		return r.exitCmd(ctx, exits.Trail, args)
	}},
	{Name: "exits", Menu: MenuShared, run: func(r *Router, ctx context.Context, _ Request, _ []string) Reply { return r.exitsList(ctx) }},
	{Name: "profit", Menu: MenuShared, run: func(r *Router, ctx context.Context, _ Request, args []string) Reply { return r.profit(ctx, args) }},
	{Name: "daily", Menu: MenuShared, run: func(r *Router, ctx context.Context, _ Request, args []string) Reply { return r.daily(ctx, args) }},
	{Name: "performance", Menu: MenuShared, run: func(r *Router, ctx context.Context, _ Request, args []string) Reply {
		return r.performance(ctx, args)
	}},
	{Name: "halt", Acts: true, Urgent: true, Menu: MenuOwner, run: func(r *Router, ctx context.Context, req Request, _ []string) Reply {
		return r.halt(ctx, req)
	}},
	{Name: "resume", Acts: true, Menu: MenuOwner, run: func(r *Router, ctx context.Context, req Request, _ []string) Reply {
		return r.resume(ctx, req)
	}},
	{Name: "status", Menu: MenuShared, run: func(r *Router, ctx context.Context, _ Request, _ []string) Reply { return r.status(ctx) }},
}

// Commands is the command table in menu order (a copy).
func Commands() []Command { return slices.Clone(commands) }

// MenuCommands lists the names of the commands shown in menu m or a wider
// one (MenuOwner: every listed command), in menu order.
func MenuCommands(m Menu) []string {
	var out []string
	for _, c := range commands {
		if c.Menu != MenuNone && c.Menu >= m {
			out = append(out, c.Name)
		}
	}
	return out
}

// LookupCommand finds the command a message's first word names: "/Price",
// "/price@hoga_bot" and "/price" are the same. ok is false for a word that
// is no command hoga knows (or no command at all).
func LookupCommand(word string) (Command, bool) {
	cmd := CommandWord(word)
	if !strings.HasPrefix(cmd, "/") {
		return Command{}, false
	}
	i := slices.IndexFunc(commands, func(c Command) bool { return c.Name == cmd[1:] })
	if i < 0 {
		return Command{}, false
	}
	return commands[i], true
}

// CommandWord is a message's first word as a command: lower case, without
// a group's "@botname".
func CommandWord(word string) string {
	cmd := strings.ToLower(word)
	if at := strings.IndexByte(cmd, '@'); at >= 0 { // /price@hoga_bot in groups
		cmd = cmd[:at]
	}
	return cmd
}

// Acts reports whether the command (as CommandWord gives it, "/buy")
// changes orders, the kill switch or the strategy; see Command.Acts.
func Acts(cmd string) bool {
	c, ok := LookupCommand(cmd)
	return ok && c.Acts
}

package bot

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy"
)

// parseAmount reads a positive whole number as people type it: "198000",
// "198,000", "198000원".
func parseAmount(s string) (int64, bool) {
	s = strings.TrimSuffix(strings.ReplaceAll(s, ",", ""), "원")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > 1_000_000_000_000 {
		return 0, false
	}
	return n, true
}

// ParseOrder turns "/buy CODE QTY [PRICE|market|close]" arguments into a
// request (close: a closing-price order, OrderRequest.AtClose).
// The returned string is the user-facing problem when it fails.
func (r *Router) ParseOrder(side broker.Side, args []string) (broker.OrderRequest, string) {
	name := side.String()
	usage := r.t("usage.order", name, name)
	var venue broker.Venue
	if n := len(args); n > 2 {
		// A trailing krx, nxt or sor names the venue: /buy 005930 10 198000 nxt.
		if v, err := broker.ParseVenue(args[n-1]); err == nil {
			venue, args = v, args[:n-1]
		}
	}
	if len(args) < 2 {
		return broker.OrderRequest{}, usage
	}
	if len(args) > 3 {
		return broker.OrderRequest{}, r.t("bad.extra", Esc(strings.Join(args[3:], " "))) + "\n" + usage
	}
	code, ok := r.lookupCode(args[0])
	if !ok {
		return broker.OrderRequest{}, r.t("bad.code", Esc(args[0])) + "\n" + usage
	}
	qty, ok := parseAmount(args[1])
	if !ok {
		return broker.OrderRequest{}, r.t("bad.qty", Esc(args[1])) + "\n" + usage
	}
	req := broker.OrderRequest{Code: code, Side: side, Qty: qty, Type: broker.Market, Venue: venue}
	if len(args) == 3 && (strings.EqualFold(args[2], "close") || args[2] == "종가") {
		// A closing-price order (시간외 종가): KRX's close, no price; the
		// guard checks the session and the account.
		req.AtClose = true
		return req, ""
	}
	if len(args) == 3 && !strings.EqualFold(args[2], "market") && args[2] != "시장가" {
		price, ok := parseAmount(args[2])
		if !ok {
			return broker.OrderRequest{}, r.t("bad.price", Esc(args[2])) + "\n" + usage
		}
		if err := broker.CheckTick(price); err != nil {
			return broker.OrderRequest{}, r.ErrorText(err)
		}
		req.Type, req.Price = broker.Limit, price
	}
	return req, ""
}

func (r *Router) needsConfirm() bool {
	return r.cfg.ConfirmAll || r.cfg.Mode == "live"
}

func (r *Router) order(ctx context.Context, in Request, side broker.Side, args []string) Reply {
	req, problem := r.ParseOrder(side, args)
	if problem != "" {
		return Reply{Text: problem}
	}
	req.Source, req.User = in.Source, in.UserID
	if !r.needsConfirm() {
		return r.place(ctx, req, "")
	}
	return r.AskConfirm(ctx, req, in.UserID)
}

// AskConfirm checks req and, when it would pass, holds it and returns the
// confirmation prompt with [확인]/[취소] buttons. Only requester may press
// them; an empty requester lets any authorized user (a strategy rule with
// confirm: true asks the owners). A refusal is the reply's sentence.
func (r *Router) AskConfirm(ctx context.Context, req broker.OrderRequest, requester string) Reply {
	rep, err := r.prompt(ctx, req, requester)
	if err != nil {
		return r.errorReply(err)
	}
	return rep
}

// prompt is AskConfirm with the refusal as the error it is: the guard's
// dry run (once) or the quote the prompt's name and estimate come from.
// Nothing is held when it fails.
func (r *Router) prompt(ctx context.Context, req broker.OrderRequest, requester string) (Reply, error) {
	return r.promptWith(ctx, req, requester, nil)
}

// promptWith is prompt with onDecline called (once, outside the router's
// lock) when an owner presses [주문 안 함], so whoever asked learns it at
// once instead of at expiry (issue 12.10).
func (r *Router) promptWith(ctx context.Context, req broker.OrderRequest, requester string, onDecline func(broker.OrderRequest)) (Reply, error) {
	if r.cfg.Checker != nil {
		if err := r.cfg.Checker.Check(ctx, req); err != nil {
			return Reply{}, err
		}
	}
	q, err := r.cfg.Broker.Quote(ctx, req.Code)
	if err != nil {
		return Reply{}, err
	}
	est := req.Price * req.Qty
	if req.Type == broker.Market {
		est = q.Price * req.Qty
	}
	nonce := newNonce()
	now := r.clock.Now()
	r.mu.Lock()
	for k, p := range r.pending { // sweep expired ones; no goroutine needed
		if now.After(p.expires) {
			delete(r.pending, k)
		}
	}
	r.pending[nonce] = &pendingOrder{req: req, requester: requester, name: q.Name, expires: now.Add(r.cfg.ConfirmTTL), onDecline: onDecline}
	r.mu.Unlock()
	price := r.priceText(req)
	if r.cfg.Calendar != nil && r.cfg.Mode == "live" && req.Venue.Or(r.cfg.DefaultVenue) == broker.VenueKRX &&
		r.cfg.Calendar.OffHoursSession(broker.VenueKRX, req.Type, now) == broker.KRXAfterSingle {
		// The guard sends it as 시간외 단일가: matched every 10 minutes,
		// within ±10 % of today's close. The owner confirms knowing it.
		price += r.t("confirm.after_single")
	}
	text := r.t("confirm.ask", r.modeName(), r.sideName(req.Side), Esc(nameOr(q.Name, req.Code)), req.Code, Group(req.Qty), price,
		Group(est), int(r.cfg.ConfirmTTL.Seconds()))
	// Where the order came from, under the heading: an order from the HTTP
	// API or a rule must not be confirmed by habit as if it were one's own
	// /buy (a leaked token; issue 12.10).
	if head, rest, ok := strings.Cut(text, "\n"); ok && req.Source != "" {
		text = head + "\n" + r.t("confirm.from", r.originName(req.Source)) + "\n" + rest
	}
	return Reply{
		Expires: now.Add(r.cfg.ConfirmTTL),
		Text:    text,
		Buttons: []Button{{Text: r.t("confirm.ok"), Data: "ok:" + nonce}, {Text: r.t("confirm.no"), Data: "no:" + nonce}},
	}, nil
}

type pendingOrder struct {
	req broker.OrderRequest
	// rule, when set, makes this a held /rule add whose leg the price
	// has already crossed (issue 12, item 7): [저장] saves it, nothing is
	// ordered by the press itself.
	rule      *strategy.Rule
	requester string
	name      string
	expires   time.Time
	onDecline func(broker.OrderRequest) // nil: nobody waits on a decline
}

// originName names where an order came from, for the confirmation prompt.
func (r *Router) originName(source string) string {
	switch source {
	case "http":
		return r.t("origin.http")
	case "strategy":
		return r.t("origin.strategy")
	case "telegram", "console":
		return r.t("origin.chat")
	default:
		return r.t("origin.other")
	}
}

func newNonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Press handles a confirmation button. A confirmation is single-use,
// expires, and only its requester may press it; anything else places no
// order and says why. progress is called (before the order is sent) with
// the text that replaces the prompt, so the transport can remove the
// buttons first.
func (r *Router) Press(ctx context.Context, p Press, progress func(Reply)) Reply {
	if !r.Authorized(p.UserID) {
		r.log.Warn("refused button press from unauthorized user", "user", p.UserID)
		rep := r.Unauthorized(p.UserID)
		rep.Outcome = PressRefused
		return rep
	}
	action, nonce, ok := strings.Cut(p.Data, ":")
	if ok && action == "pg" {
		return r.navigate(ctx, nonce)
	}
	if !ok || (action != "ok" && action != "no" && action != "rule") {
		return Reply{Text: r.t("confirm.expired"), Outcome: PressStale}
	}
	r.mu.Lock()
	po, found := r.pending[nonce]
	switch {
	case found && (action == "rule") != (po.rule != nil) && action != "no":
		// An order's nonce under a rule's button, or the other way round:
		// forged or stale data; nothing is done.
		r.mu.Unlock()
		return Reply{Text: r.t("confirm.expired"), Outcome: PressStale}
	case !found:
		r.mu.Unlock()
		r.log.Warn("button press for an unknown or used confirmation", "user", p.UserID)
		return Reply{Text: r.t("confirm.expired"), Outcome: PressStale}
	case po.requester != "" && po.requester != p.UserID:
		r.mu.Unlock()
		r.log.Warn("button press by someone other than the requester", "user", p.UserID, "requester", po.requester)
		return Reply{Text: r.t("confirm.not_yours"), Outcome: PressRefused}
	}
	delete(r.pending, nonce) // single use, whatever happens next
	expired := r.clock.Now().After(po.expires)
	r.mu.Unlock()
	if po.rule != nil {
		return r.pressRule(ctx, action, po, expired)
	}
	if expired {
		return Reply{Text: r.t("confirm.expired"), Outcome: PressStale}
	}
	if action == "no" {
		if po.onDecline != nil {
			po.onDecline(po.req)
		}
		return Reply{Text: r.t("confirm.cancelled"), Outcome: PressDeclined}
	}
	if progress != nil {
		progress(Reply{Text: r.t("confirm.sending", r.sideName(po.req.Side), Esc(nameOr(po.name, po.req.Code)), Group(po.req.Qty))})
	}
	if p.UserID != "" && po.requester == "" {
		po.req.User = p.UserID
	}
	rep := r.place(ctx, po.req, po.name)
	rep.Outcome = PressPlaced
	return rep
}

// label is "삼성전자(005930)", or the bare code when the name is unknown
// (brokers' order lists do not always carry names).
func label(name string, code broker.Code) string {
	if name == "" {
		return string(code)
	}
	return Esc(name) + "(" + string(code) + ")"
}

func nameOr(name string, code broker.Code) string {
	if name == "" {
		return string(code)
	}
	return name
}

func (r *Router) sideName(s broker.Side) string {
	if s == broker.Sell {
		return r.t("side.sell")
	}
	return r.t("side.buy")
}

func (r *Router) priceText(req broker.OrderRequest) string {
	if req.AtClose {
		return r.t("type.close")
	}
	if req.Type == broker.Market {
		return r.t("type.market")
	}
	return r.t("type.limit", Group(req.Price))
}

func (r *Router) place(ctx context.Context, req broker.OrderRequest, name string) Reply {
	o, err := r.cfg.Broker.PlaceOrder(ctx, req)
	if err != nil {
		return r.errorReply(err)
	}
	if name == "" {
		name = o.Name
	}
	if name == "" {
		if q, err := r.cfg.Broker.Quote(ctx, req.Code); err == nil {
			name = q.Name
		}
	}
	// The mode on the reply itself (issue 12, item 15): a mock order's
	// "accepted" must never be read as money.
	tag := r.t("alert.mode_tag", r.modeName())
	txt := r.t("order.placed", r.sideName(req.Side), Esc(nameOr(name, req.Code)), req.Code, Group(req.Qty), r.priceText(req), Esc(o.ID), tag)
	if o.FilledQty > 0 && !r.cfg.FillAlerts {
		// Nothing else will tell this fill (order alerts are off).
		txt += r.t("order.filled", Group(o.FilledQty), Group(o.AvgFillPrice))
	}
	return Reply{Text: txt}
}

func (r *Router) cancel(ctx context.Context, in Request, args []string) Reply {
	if len(args) != 1 {
		return Reply{Text: r.t("usage.cancel")}
	}
	if _, err := r.cfg.Broker.CancelOrder(ctx, broker.CancelRequest{OrderID: args[0], Source: in.Source, User: in.UserID}); err != nil {
		if broker.KindOf(err) == broker.NotFound {
			return Reply{Text: r.t("err.no_such_order", Esc(args[0]))}
		}
		var other *broker.OrderOfOtherScope
		if errors.As(err, &other) {
			return Reply{Text: r.t("err.other_scope", Esc(args[0]), Esc(other.Scope))}
		}
		return r.errorReply(err)
	}
	// The number as the broker writes it, as /orders and the alert show
	// it: "/cancel 2" replied "주문 2 취소 요청 완료" beside the alert's
	// 0000002 (issue 12, Kiwoom walk).
	id := broker.NormalizeOrderID(r.cfg.Broker, args[0])
	return Reply{Text: r.t("order.cancelled", Esc(id), r.t("alert.mode_tag", r.modeName()))}
}

// OrdersPerPage is how many orders one page of /orders shows on a phone.
const OrdersPerPage = 15

// ordersPage is /orders: today's orders, newest first, only the open ones
// (not yet final) with "/orders open". Paged, it shows one page with the
// header on every page and ◀ ▶ 🔄 buttons that edit the message in place
// (issue 19, item 14: 76 orders became two bubbles of 230 phone lines).
func (r *Router) ordersPage(ctx context.Context, open bool, page int, paged bool) Reply {
	list, err := r.cfg.Broker.OrdersToday(ctx)
	if err != nil {
		return r.errorReply(err)
	}
	if open {
		kept := list[:0:0]
		for _, o := range list {
			if !o.Status.Final() && !o.Expired {
				kept = append(kept, o)
			}
		}
		list = kept
	}
	filter := "all"
	head, none := "orders.head", "orders.none"
	if open {
		filter, head, none = "open", "orders.head_open", "orders.none_open"
	}
	refresh := Button{Text: r.t("nav.refresh"), Data: "pg:orders:" + filter + ":" + strconv.Itoa(page)}
	if len(list) == 0 {
		rep := Reply{Text: r.t(none)}
		if paged {
			rep.Buttons = []Button{refresh}
		}
		return rep
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Time.After(list[j].Time) })
	total, pages := len(list), 1
	if paged {
		pages = (total + OrdersPerPage - 1) / OrdersPerPage
		page = min(max(page, 1), pages)
		refresh.Data = "pg:orders:" + filter + ":" + strconv.Itoa(page)
		list = list[(page-1)*OrdersPerPage : min(page*OrdersPerPage, total)]
	}
	header := r.t(head, total)
	if pages > 1 {
		header += r.t("page", page, pages)
	}
	lines := []string{header}
	for _, o := range list {
		lines = append(lines, r.FormatOrder(o))
	}
	rep := Reply{Text: strings.Join(lines, "\n")}
	if paged {
		if page > 1 {
			rep.Buttons = append(rep.Buttons, Button{Text: r.t("nav.prev"), Data: "pg:orders:" + filter + ":" + strconv.Itoa(page-1)})
		}
		rep.Buttons = append(rep.Buttons, refresh)
		if page < pages {
			rep.Buttons = append(rep.Buttons, Button{Text: r.t("nav.next"), Data: "pg:orders:" + filter + ":" + strconv.Itoa(page+1)})
		}
	}
	return rep
}

// navigate runs a ◀ ▶ or refresh button ("pg:orders:open:2",
// "pg:price:005930", "pg:balance"): the read again, as it is now, to
// replace the message the button was under.
func (r *Router) navigate(ctx context.Context, what string) Reply {
	parts := strings.Split(what, ":")
	var rep Reply
	switch {
	case parts[0] == "orders" && len(parts) == 3:
		page, err := strconv.Atoi(parts[2])
		if err != nil || (parts[1] != "all" && parts[1] != "open") {
			return Reply{Text: r.t("confirm.expired"), Outcome: PressStale}
		}
		rep = r.ordersPage(ctx, parts[1] == "open", page, true)
	case parts[0] == "price" && len(parts) == 2:
		rep = r.price(ctx, parts[1:])
		rep.Buttons = []Button{{Text: r.t("nav.refresh"), Data: "pg:price:" + parts[1]}}
	case parts[0] == "balance" && len(parts) == 1:
		rep = r.balance(ctx)
		rep.Buttons = []Button{{Text: r.t("nav.refresh"), Data: "pg:balance"}}
	default:
		return Reply{Text: r.t("confirm.expired"), Outcome: PressStale}
	}
	rep.Outcome = PressNav
	return rep
}

// FormatOrder renders one order line of /orders.
func (r *Router) FormatOrder(o broker.Order) string {
	id := "<code>" + Esc(o.ID) + "</code>"
	if o.ID == "" {
		id = "<code>" + Esc(o.ClientID) + "</code>"
	}
	when := ""
	if !o.Time.IsZero() {
		when = kstClock(o.Time)
	}
	by := ""
	if who := o.Source; who != "" {
		if o.User != "" && o.User != o.Source {
			who += ":" + o.User
		}
		by = r.t("orders.by", Who(r.cfg.Lang, who))
	}
	st := statusText(r.cfg.Lang, o)
	price := r.priceText(broker.OrderRequest{Type: o.Type, Price: o.Price, AtClose: o.Session.Closing()})
	price += venueTag(o)
	return r.t("orders.line", strings.TrimSpace(when+" "+id), r.sideName(o.Side), label(o.Name, o.Code),
		Group(o.Qty), price, st, by)
}

// venueTag is " · " and where the order went, as /orders shows it: KRX,
// NXT or SOR, and for a routed order where it traded ("SOR→NXT"); "" when
// the venue is unknown.
func venueTag(o broker.Order) string {
	if o.Venue == "" {
		return ""
	}
	s := " · " + string(o.Venue)
	if o.Exchange != "" && o.Exchange != o.Venue { // SOR→NXT: where it was routed
		s += "→" + string(o.Exchange)
	}
	return s
}

// statusText says where an order stands, with the reason when the journal
// has one: a rejection's cause, or that an unresolved order has expired.
func statusText(lang Lang, o broker.Order) string {
	t := func(key string, args ...any) string { return text(lang, key, args...) }
	switch o.Status {
	case broker.StatusPartial:
		return t("status.partial", Group(o.FilledQty), Group(o.Qty), Group(o.AvgFillPrice))
	case broker.StatusFilled:
		return t("status.filled", Group(o.FilledQty), Group(o.AvgFillPrice))
	case broker.StatusUnknown:
		if o.Expired {
			return t("status.expired")
		}
		return t("status.unknown")
	case broker.StatusRejected:
		if e, ok := broker.AsError(o.Err); ok {
			return t("status.rejected") + " (" + reasonText(lang, e) + ")"
		}
		return t("status.rejected")
	case broker.StatusCancelled:
		if o.FilledQty > 0 { // cancelled or expired after part of it traded
			return t("status.cancelled_part", Group(o.FilledQty), Group(o.Qty), Group(o.AvgFillPrice))
		}
		return t("status.cancelled")
	case broker.StatusPending, broker.StatusAccepted:
		return t("status." + string(o.Status))
	}
	return Esc(string(o.Status))
}

// reasonText is a short cause for a status line or an alert: the guard's
// own verdicts in the reader's language, a broker's "[code] message" as
// the broker said it.
func reasonText(lang Lang, e *broker.Error) string {
	switch e.Code {
	case "not_at_broker":
		return text(lang, "err.not_at_broker")
	case "expired":
		return text(lang, "err.expired_unknown")
	case "stopped":
		return text(lang, "err.stopped_unknown")
	case "journal_lost":
		return text(lang, "err.journal_lost_short")
	}
	if _, said := sayText(lang, e); !said && lang == Korean && !hasHangul(e.Msg) {
		// A row journaled before hoga stored its catalog sentence
		// (migration 0005), or an English message from a broker: the
		// kind in Korean, with the broker's code when it gave one, rather
		// than English inside a Korean reply (issue 12, item 12).
		switch e.Code {
		case "paper":
			return text(lang, "reason.paper")
		case "", "krx", "tick":
			return text(lang, "reason."+e.Kind.String())
		}
		return text(lang, "reason."+e.Kind.String()) + " [" + Esc(e.Code) + "]"
	}
	return brokerDetail(lang, e)
}

// hasHangul reports whether s has a Korean letter: a broker's own message
// (KIS, Kiwoom) is Korean; hoga's log sentences are English.
func hasHangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

func (r *Router) balance(ctx context.Context) Reply {
	lines, fail := r.balanceLines(ctx)
	if fail != nil {
		return *fail
	}
	lines = append(lines, r.todayPnL(ctx)...)
	return Reply{Text: strings.Join(lines, "\n")}
}

// balanceLines is /balance without today's P&L: the account's totals and
// each holding with its unrealised P&L (the close report shows the day's
// P&L its own way).
func (r *Router) balanceLines(ctx context.Context) ([]string, *Reply) {
	b, err := r.cfg.Broker.Balance(ctx)
	if err != nil {
		e := r.errorReply(err)
		return nil, &e
	}
	lines := []string{r.t("balance.head", Group(b.Cash), Group(b.Orderable), Group(b.StockValue), Group(b.Total), signed(b.PnL))}
	if len(b.Positions) == 0 {
		lines = append(lines, r.t("balance.none"))
	}
	for _, p := range b.Positions {
		lines = append(lines, r.t("balance.line", Esc(nameOr(p.Name, p.Code)), p.Code, Group(p.Qty), Group(p.AvgPrice), Group(p.Price),
			change(broker.SignOf(p.PnL), p.PnL), pct(p.PnLPct)))
	}
	return lines, nil
}

// todayPnL is /balance's account of today's trading (issue 14): realised
// P&L, commission and tax, computed from the journal's fills by
// pnl.Compute. The cost of the shares a sell sold is their moving average
// purchase price (이동평균법), the Korean brokers' convention (KIS
// pchs_avg_pric, Kiwoom pur_pric), so the figure agrees with the owner's
// HTS; see package pnl. Nothing is shown when P&L is not wired, and a
// journal that cannot be read is a line saying so rather than a failed
// /balance: the broker's figures above are still right.
func (r *Router) todayPnL(ctx context.Context) []string {
	if r.cfg.PnL == nil {
		return nil
	}
	rep, err := r.cfg.PnL(ctx, 1)
	if err != nil {
		r.log.Warn("/balance: today's P&L could not be computed", "err", err)
		return []string{r.t("balance.today_err")}
	}
	tot := rep.Total()
	out := []string{r.t("balance.today", signed(tot.Realised), tot.Sells, Group(tot.Commission), Group(tot.Tax))}
	if tot.Unknown > 0 {
		out = append(out, r.t("pnl.unknown", tot.Unknown))
	}
	return out
}

func (r *Router) halt(ctx context.Context, in Request) Reply {
	if r.cfg.Kill == nil {
		return Reply{Text: r.t("unavailable")}
	}
	if on, since, by := r.cfg.Kill.Halted(); on {
		return Reply{Text: r.t("already_halted", Who(r.cfg.Lang, by), r.kstWhen(since))}
	}
	if err := r.cfg.Kill.Halt(ctx, in.Source+":"+in.UserID); err != nil {
		return r.errorReply(err)
	}
	return Reply{Text: r.t("halted")}
}

func (r *Router) resume(ctx context.Context, in Request) Reply {
	if r.cfg.Kill == nil {
		return Reply{Text: r.t("unavailable")}
	}
	if on, _, _ := r.cfg.Kill.Halted(); !on {
		return Reply{Text: r.t("not_halted")}
	}
	if err := r.cfg.Kill.Resume(ctx, in.Source+":"+in.UserID); err != nil {
		return r.errorReply(err)
	}
	return Reply{Text: r.t("resumed")}
}

func (r *Router) status(ctx context.Context) Reply {
	now := r.clock.Now()
	state := r.t("status.running")
	if r.cfg.Kill != nil {
		if on, since, by := r.cfg.Kill.Halted(); on {
			state = r.t("status.halted", Who(r.cfg.Lang, by)+", "+r.kstWhen(since))
		}
	}
	market := r.t("market.always")
	if r.cfg.MarketHours && r.cfg.Calendar != nil {
		if r.cfg.Calendar.AcceptsOrders(now) {
			market = r.t("market.open")
		} else {
			market = r.t("market.closed", r.kstWhen(r.cfg.Calendar.NextSession(now).Open))
		}
	}
	txt := r.t("status", r.modeName(), BrokerLabel(r.cfg.Lang, r.cfg.Broker.Name()), duration(r.cfg.Lang, now.Sub(r.started)), state, market)
	acct := r.cfg.Account
	if r.cfg.AccountOf != nil {
		acct = r.cfg.AccountOf()
	}
	if acct != "" {
		txt += r.t("status.account", Esc(acct))
	}
	if r.cfg.TokenExpiry != nil {
		if exp := r.cfg.TokenExpiry(); !exp.IsZero() {
			txt += r.t("status.token", r.kstWhen(exp))
		}
	}
	if r.cfg.Rules != nil {
		if list, err := r.cfg.Rules.Rules(ctx); err == nil {
			enabled := 0
			for _, rs := range list {
				if rs.Enabled && rs.Disabled == "" {
					enabled++
				}
			}
			txt += r.t("status.strategy", r.t("status.rules", len(list), enabled)+" · "+r.activityText(r.cfg.Rules.Activity()))
		}
	}
	if r.cfg.Stream != nil {
		if st, ok := r.cfg.Stream(); ok {
			if st.Connected {
				if st.LastMsg.IsZero() { // it read "마지막 수신 - 전"
					txt += r.t("status.stream_up_quiet", r.kstWhen(st.Since), len(st.Subscribed))
				} else {
					txt += r.t("status.stream_up", r.kstWhen(st.Since), len(st.Subscribed), duration(r.cfg.Lang, now.Sub(st.LastMsg)))
				}
			} else {
				txt += r.t("status.stream_down", r.kstWhen(st.Since))
			}
			if len(st.Polled) > 0 {
				codes := make([]string, len(st.Polled))
				for i, c := range st.Polled {
					codes[i] = string(c)
				}
				txt += r.t("status.stream_polled", Esc(strings.Join(codes, ", ")))
			}
			if len(st.Pending) > 0 {
				codes := make([]string, len(st.Pending))
				for i, c := range st.Pending {
					codes[i] = string(c)
				}
				txt += r.t("status.stream_pending", Esc(strings.Join(codes, ", ")))
			}
		}
	}
	if r.cfg.Tracking != nil {
		if open, heard := r.cfg.Tracking(); open > 0 || !heard.IsZero() {
			when := r.t("status.tracker_never")
			if !heard.IsZero() {
				when = r.kstWhen(heard)
			}
			txt += r.t("status.tracker", open, when)
		}
	}
	if r.cfg.Checking != nil {
		if n := r.cfg.Checking(ctx); n > 0 {
			txt += r.t("status.checking", n)
		}
	}
	if r.cfg.Surface != nil {
		if down, since, reason := r.cfg.Surface(); down {
			txt += r.t("status.surface", r.kstWhen(since), r.t("surface."+reason))
		}
	}
	if r.cfg.Errors != nil {
		if errs := r.cfg.Errors(); len(errs) > 0 {
			for i := range errs {
				errs[i] = "• " + Esc(errs[i])
			}
			txt += r.t("status.errors", strings.Join(errs, "\n"))
		}
	}
	return Reply{Text: txt}
}

func (r *Router) rules(ctx context.Context) Reply {
	if r.cfg.Rules == nil {
		return Reply{Text: r.t("rules.unavailable")}
	}
	list, err := r.cfg.Rules.Rules(ctx)
	if pr, ok := r.cfg.Rules.(PositionedRules); ok {
		list, err = pr.RulesWithPositions(ctx)
	}
	if err != nil {
		return r.errorReply(err)
	}
	if len(list) == 0 {
		return Reply{Text: r.t("rules.none")}
	}
	lines := []string{r.t("rules.head")}
	for _, rs := range list {
		lines = append(lines, r.FormatRule(rs))
		if pos := r.rulePosition(rs); pos != "" {
			lines = append(lines, pos)
		}
	}
	return Reply{Text: strings.Join(lines, "\n")}
}

// activityText says what the strategy engine is doing.
func (r *Router) activityText(a strategy.Activity) string {
	switch a {
	case strategy.ActivityRunning:
		return r.t("activity.running")
	case strategy.ActivityPaused:
		return r.t("activity.paused")
	case strategy.ActivityUnattended:
		return r.t("activity.unattended")
	case strategy.ActivityClosed:
		return r.t("activity.closed")
	}
	return r.t("activity.stopped")
}

// rulePosition is the line under a rule in /rules: the shares held and the
// unfilled rest of hoga's open buys and sells in its code, what the rule
// decides on (a resting buy counts toward max_position until it fills).
func (r *Router) rulePosition(rs strategy.RuleStatus) string {
	var parts []string
	if rs.PositionKnown {
		parts = append(parts, r.t("rules.held", Group(rs.Held)))
	}
	if rs.Buying > 0 {
		parts = append(parts, r.t("rules.buying", Group(rs.Buying)))
	}
	if rs.Selling > 0 {
		parts = append(parts, r.t("rules.selling", Group(rs.Selling)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "   └ " + strings.Join(parts, " · ")
}

// FormatRule renders one rule line of /rules.
func (r *Router) FormatRule(rs strategy.RuleStatus) string {
	var legs []string
	if rs.BuyBelow > 0 {
		legs = append(legs, r.t("rules.buy", Group(rs.BuyBelow)))
	}
	if rs.SellAbove > 0 {
		legs = append(legs, r.t("rules.sell", Group(rs.SellAbove)))
	}
	extra := ""
	if rs.MaxPosition > 0 {
		extra += r.t("rules.max", Group(rs.MaxPosition))
	}
	if rs.Cooldown > 0 {
		extra += r.t("rules.cooldown", duration(r.cfg.Lang, rs.Cooldown))
	}
	if rs.Venue != "" {
		extra += " · " + string(rs.Venue)
	}
	if rs.Extended {
		extra += r.t("rules.extended")
	}
	on := r.t("rules.on")
	if !rs.Enabled {
		on = r.t("rules.off")
	}
	if rs.Disabled != "" {
		// Turned off by the engine: off, as /status counts it, whatever
		// Enabled says (it read 켜짐 while /status said off). The reason
		// is the engine's English, kept for the log only.
		on = r.t("rules.off_auto", rs.Code)
	}
	armed := func(b bool) string {
		if b {
			return r.t("rules.armed")
		}
		return r.t("rules.disarmed")
	}
	// Only the legs the rule has (issue 12, item 12: a buy-only rule read
	// "매도 대기", a leg that does not exist).
	var legStates []string
	if rs.BuyBelow > 0 {
		legStates = append(legStates, r.t("rules.state_buy", armed(rs.BuyArmed)))
	}
	if rs.SellAbove > 0 {
		legStates = append(legStates, r.t("rules.state_sell", armed(rs.SellArmed)))
	}
	state := r.t("rules.state", strings.Join(legStates, ", "), rs.FiresToday)
	if rs.Confirm {
		extra += " ✋"
	}
	kind := r.t("rules.limit")
	if rs.Type == broker.Market {
		kind = r.t("type.market")
	}
	return r.t("rules.line", rs.Code, strings.Join(legs, " "), Group(rs.Qty), kind, extra, state, on)
}

func (r *Router) rule(ctx context.Context, in Request, args []string) Reply {
	if r.cfg.Rules == nil {
		return Reply{Text: r.t("rules.unavailable")}
	}
	if len(args) < 2 {
		return Reply{Text: r.t("usage.rule")}
	}
	code, ok := r.lookupCode(args[1])
	if !ok {
		return Reply{Text: r.t("bad.code", Esc(args[1])) + "\n" + r.t("usage.rule")}
	}
	switch strings.ToLower(args[0]) {
	case "add", "set":
		rule, problem := ParseRule(code, args[2:])
		if problem != "" {
			verr, invalid := broker.AsError(rule.Validate())
			if why := r.ruleInvalid(rule); why != "" && invalid && verr.Msg == problem {
				problem = why // the strategy's English sentence, said in the user's language
			} else {
				problem = Esc(problem) // the word the user typed
			}
			return Reply{Text: r.t("bad.rule", problem) + "\n" + r.t("usage.rule")}
		}
		if why := r.ruleVenueInvalid(rule); why != "" {
			return Reply{Text: r.t("bad.rule", why) + "\n" + r.t("usage.rule")}
		}
		// A rule hoga cannot quote would never fire, and one whose leg the
		// price has already crossed would fire the moment it is saved
		// (issue 12, item 7): the first is refused, the second held for
		// an explicit [저장].
		q, err := r.cfg.Broker.Quote(ctx, code)
		if err != nil {
			return Reply{Text: r.ruleUnquotable(code, err)}
		}
		if rep, crossed := r.ruleCrossed(rule, q, in.UserID); crossed {
			return rep
		}
		if err := r.cfg.Rules.PutRule(ctx, rule); err != nil {
			return r.errorReply(err)
		}
		return Reply{Text: r.t("rules.saved", r.FormatRule(strategy.RuleStatus{Rule: rule, BuyArmed: true, SellArmed: true}))}
	case "del", "delete", "rm":
		if err := r.cfg.Rules.DeleteRule(ctx, code); err != nil {
			return r.errorReply(err)
		}
		return Reply{Text: r.t("rules.deleted", code)}
	case "on", "off":
		on := strings.EqualFold(args[0], "on")
		if err := r.cfg.Rules.EnableRule(ctx, code, on); err != nil {
			return r.errorReply(err)
		}
		if on {
			return Reply{Text: r.t("rules.enabled", code)}
		}
		return Reply{Text: r.t("rules.disabled", code)}
	}
	return Reply{Text: r.t("usage.rule")}
}

// ruleUnquotable is the refusal of a /rule add whose code has no quote:
// why (the broker's or hoga's own reason, in the user's language) and what
// to do, which depends on whether the code is unknown or the broker is
// just not answering now.
func (r *Router) ruleUnquotable(code broker.Code, err error) string {
	why := r.ErrorText(err)
	switch broker.KindOf(err) {
	case broker.NotFound, broker.Invalid:
		return r.t("rule.unquotable", code, why)
	}
	return r.t("rule.quote_failed", code, why)
}

// ruleCrossed holds a /rule add whose leg the current price has already
// crossed — a buy threshold above the price, a sell threshold below it —
// and returns the question with [저장] [저장 안 함]; saved as it is, the
// leg would order at once (the trial's old example rule sold every share
// the moment it was added). false when no leg is crossed.
func (r *Router) ruleCrossed(rule strategy.Rule, q broker.Quote, requester string) (Reply, bool) {
	var why string
	switch {
	case rule.BuyBelow > 0 && q.Price > 0 && q.Price < rule.BuyBelow:
		why = r.t("rule.crossed_buy", Group(q.Price), Group(rule.BuyBelow), Group(rule.Qty))
	case rule.SellAbove > 0 && q.Price > rule.SellAbove:
		why = r.t("rule.crossed_sell", Group(q.Price), Group(rule.SellAbove), Group(rule.Qty))
	default:
		return Reply{}, false
	}
	nonce := newNonce()
	now := r.clock.Now()
	held := rule
	r.mu.Lock()
	for k, p := range r.pending {
		if now.After(p.expires) {
			delete(r.pending, k)
		}
	}
	r.pending[nonce] = &pendingOrder{rule: &held, requester: requester, name: q.Name, expires: now.Add(r.cfg.ConfirmTTL)}
	r.mu.Unlock()
	text := r.t("rule.crossed", label(q.Name, rule.Code), why, r.FormatRule(strategy.RuleStatus{Rule: rule, BuyArmed: true, SellArmed: true}),
		int(r.cfg.ConfirmTTL.Seconds()))
	return Reply{
		Text:    text,
		Expires: now.Add(r.cfg.ConfirmTTL),
		Buttons: []Button{{Text: r.t("rule.save"), Data: "rule:" + nonce}, {Text: r.t("rule.dont_save"), Data: "no:" + nonce}},
	}, true
}

// pressRule answers a press on a held /rule add: [저장] saves it, [저장 안
// 함] or an expired button saves nothing and says so.
func (r *Router) pressRule(ctx context.Context, action string, po *pendingOrder, expired bool) Reply {
	switch {
	case expired:
		return Reply{Text: r.t("rule.press_expired"), Outcome: PressStale}
	case action == "no":
		return Reply{Text: r.t("rule.not_saved", po.rule.Code), Outcome: PressDeclined}
	}
	if err := r.cfg.Rules.PutRule(ctx, *po.rule); err != nil {
		rep := r.errorReply(err)
		rep.Outcome = PressRefused
		return rep
	}
	return Reply{Text: r.t("rules.saved", r.FormatRule(strategy.RuleStatus{Rule: *po.rule, BuyArmed: true, SellArmed: true})), Outcome: PressPlaced}
}

// ruleInvalid says what is wrong with a parsed rule, in the user's
// language, checking what strategy.Rule.Validate checks in the same
// order; "" when none of them is (issue 19, item 4: its English sentence
// reached Korean replies).
func (r *Router) ruleInvalid(rule strategy.Rule) string {
	switch {
	case rule.BuyBelow <= 0 && rule.SellAbove <= 0:
		return r.t("rule.need_leg")
	case rule.BuyBelow > 0 && rule.SellAbove > 0 && rule.BuyBelow >= rule.SellAbove:
		return r.t("rule.order", Group(rule.BuyBelow), Group(rule.SellAbove))
	case rule.Qty <= 0:
		return r.t("rule.qty")
	case rule.MaxPosition > 0 && rule.MaxPosition < rule.Qty:
		return r.t("rule.max", Group(rule.MaxPosition), Group(rule.Qty))
	}
	return r.ruleVenueInvalid(rule)
}

// ruleVenueInvalid says why the account cannot run the rule's venue and
// sessions, in the user's language, as the strategy would refuse them:
// a venue the account lacks, or extended sessions for orders that go to
// KRX. "" when it can.
func (r *Router) ruleVenueInvalid(rule strategy.Rule) string {
	v := rule.Venue.Or(r.cfg.DefaultVenue).Or(broker.VenueKRX)
	switch {
	case v.ReachesNXT() && !r.cfg.NXT:
		return r.t("rule.venue_unsupported", string(v))
	case rule.Extended && !v.ReachesNXT():
		return r.t("rule.extended_krx")
	}
	return ""
}

// ParseRule reads the chat rule syntax after the code:
// "buy<190000 sell>210000 qty=3 [market] [max=50] [cooldown=10m] [confirm]
// [rearm=1.5%] [venue=nxt|krx|sor] [extended]" (extended is sessions:
// extended in the rules file). The problem string is empty on success.
func ParseRule(code broker.Code, args []string) (strategy.Rule, string) {
	rule := strategy.Rule{Code: code, Type: broker.Limit, Enabled: true}
	for _, a := range args {
		low := strings.ToLower(a)
		switch {
		case strings.HasPrefix(low, "buy<"):
			n, ok := parseAmount(a[4:])
			if !ok {
				return rule, "buy<" + a[4:]
			}
			rule.BuyBelow = n
		case strings.HasPrefix(low, "sell>"):
			n, ok := parseAmount(a[5:])
			if !ok {
				return rule, "sell>" + a[5:]
			}
			rule.SellAbove = n
		case strings.HasPrefix(low, "qty="):
			n, ok := parseAmount(a[4:])
			if !ok {
				return rule, a
			}
			rule.Qty = n
		case strings.HasPrefix(low, "max="):
			n, ok := parseAmount(a[4:])
			if !ok {
				return rule, a
			}
			rule.MaxPosition = n
		case strings.HasPrefix(low, "cooldown="):
			d, err := time.ParseDuration(a[9:])
			if err != nil || d < 0 {
				return rule, a
			}
			rule.Cooldown = d
		case strings.HasPrefix(low, "rearm="):
			f, err := strconv.ParseFloat(strings.TrimSuffix(a[6:], "%"), 64)
			if err != nil || f <= 0 || f > 50 {
				return rule, a
			}
			rule.RearmBP = int64(f*100 + 0.5)
		case low == "market":
			rule.Type = broker.Market
		case low == "limit":
			rule.Type = broker.Limit
		case low == "confirm":
			rule.Confirm = true
		case strings.HasPrefix(low, "venue=") || low == "krx" || low == "nxt" || low == "sor":
			v, err := broker.ParseVenue(strings.TrimPrefix(low, "venue="))
			if err != nil {
				return rule, a
			}
			rule.Venue = v
		case low == "extended" || low == "sessions=extended":
			rule.Extended = true
		case low == "sessions=regular":
			rule.Extended = false
		case low == "off":
			rule.Enabled = false
		default:
			return rule, a
		}
	}
	if err := rule.Validate(); err != nil {
		if e, ok := broker.AsError(err); ok {
			return rule, e.Msg
		}
		return rule, err.Error()
	}
	return rule, ""
}

// Whoami is the console's reply to ":as USERID".
func (r *Router) Whoami(userID string) string { return r.t("whoami", Esc(userID)) }

// ButtonHint renders buttons for a text-only transport: "[1] 확인   [2] 취소".
func (r *Router) ButtonHint(buttons []Button) string {
	parts := make([]string, len(buttons))
	for i, b := range buttons {
		parts[i] = "[" + strconv.Itoa(i+1) + "] " + b.Text
	}
	return strings.Join(parts, "   ") + " — " + r.t("console.pick")
}

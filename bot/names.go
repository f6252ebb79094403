package bot

import (
	"slices"
	"strings"
	"unicode"

	"github.com/hoga-trade/hoga/broker"
)

// normName folds a stock name the way people type it: spaces dropped,
// Latin letters in lower case ("sk 하이닉스" finds SK하이닉스).
func normName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// lookupCode reads what a user typed where a stock code is expected: a code
// (005930), or a stock's name (삼성전자). One lookup for every command
// that takes a code (issue 12 item 14, issue 19 item 15). Names come from
// Config.Stocks (offline: the paper exchange's table, whatever the broker)
// and from every quote hoga has shown since it started; no broker call is
// made, so a name works the same during an outage.
func (r *Router) lookupCode(s string) (broker.Code, bool) {
	if code, err := broker.ParseCode(s); err == nil {
		return code, true
	}
	want := normName(s)
	if want == "" {
		return "", false
	}
	for code, name := range r.cfg.Stocks {
		if normName(name) == want {
			return code, true
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	code, ok := r.seenNames[want]
	return code, ok
}

// learnName remembers a quote's name so it can be typed later.
func (r *Router) learnName(q broker.Quote) {
	if q.Name == "" || q.Code == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seenNames == nil {
		r.seenNames = map[string]broker.Code{}
	}
	r.seenNames[normName(q.Name)] = q.Code
	if r.seenCodes == nil {
		r.seenCodes = map[broker.Code]string{}
	}
	r.seenCodes[q.Code] = q.Name
}

// NameOf is the stock's name for code as hoga knows it (Config.Stocks, or
// a quote shown since start), "" when it knows none. The alert feed uses
// it: a fill learned from the broker's order list carries only the code.
func (r *Router) NameOf(code broker.Code) string {
	if name, ok := r.cfg.Stocks[code]; ok {
		return name
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seenCodes[code]
}

// stockList is /price without a code: the stocks hoga knows by name, so a
// new user on the paper broker sees what it trades.
func (r *Router) stockList() string {
	if len(r.cfg.Stocks) == 0 {
		return r.t("usage.price")
	}
	codes := make([]broker.Code, 0, len(r.cfg.Stocks))
	for c := range r.cfg.Stocks {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var b strings.Builder
	b.WriteString(r.t("stocks.head"))
	for _, c := range codes {
		b.WriteString("\n<code>" + string(c) + "</code> " + Esc(r.cfg.Stocks[c]))
	}
	return b.String() + "\n" + r.t("usage.price")
}

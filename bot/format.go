package bot

import (
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// Group formats n with thousands separators: 1234567 → "1,234,567".
func Group(n int64) string { return broker.Thousands(n) }

// Esc escapes text for Telegram's HTML parse mode (&, <, >, and quotes).
func Esc(s string) string { return html.EscapeString(s) }

// mark returns ▲, ▼ or – for a change, with the limit signs doubled up as
// ↑/↓ the way Korean HTS screens show 상한/하한.
func mark(s broker.Sign, change int64) string {
	switch s {
	case broker.SignUpperLimit:
		return "↑"
	case broker.SignLowerLimit:
		return "↓"
	}
	switch {
	case change > 0:
		return "▲"
	case change < 0:
		return "▼"
	}
	return "–"
}

// change is a change with its mark, "▲1,500", "▼200", "↑39,000" at the
// upper limit; an unchanged price is a plain "0", not "–0".
func change(s broker.Sign, n int64) string {
	if n == 0 && s != broker.SignUpperLimit && s != broker.SignLowerLimit {
		return "0"
	}
	m := mark(s, n)
	if n < 0 {
		n = -n
	}
	return m + Group(n)
}

// pct formats a signed percentage with two decimals: "+2.19%".
func pct(p float64) string {
	s := strconv.FormatFloat(p, 'f', 2, 64)
	if p > 0 {
		s = "+" + s
	}
	return s + "%"
}

// signed formats a signed amount with separators and an explicit +.
func signed(n int64) string {
	if n > 0 {
		return "+" + Group(n)
	}
	return Group(n)
}

// StripHTML turns the HTML replies into plain text for the console: tags
// removed, entities unescaped.
func StripHTML(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(b.String())
}

// kstClock formats t as KST "15:04:05".
func kstClock(t time.Time) string { return t.In(broker.KST()).Format("15:04:05") }

// KSTClock is t's time of day in Korea (15:04:05), as alerts and replies
// show times.
func KSTClock(t time.Time) string { return kstClock(t) }

// kstWhen formats t as KST "01-02 (Mon) 15:04" in the catalog's language.
func (r *Router) kstWhen(t time.Time) string {
	t = t.In(broker.KST())
	wd := r.t("weekday." + strconv.Itoa(int(t.Weekday())))
	return t.Format("01-02") + " (" + wd + ") " + t.Format("15:04")
}

// duration formats d coarsely for people in lang: "1시간 30분", "1 h 30 min",
// "42초", never Go's "1h30m0s" or "1m 0s" (issue 19, item 4). Zero parts
// are left out; under a minute it counts seconds.
func duration(lang Lang, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	var parts []string
	add := func(key string, n time.Duration) {
		if n > 0 {
			parts = append(parts, text(lang, key, int64(n)))
		}
	}
	switch {
	case d >= 24*time.Hour:
		d = d.Round(time.Hour)
		add("dur.d", d/(24*time.Hour))
		add("dur.h", (d%(24*time.Hour))/time.Hour)
	case d >= time.Hour:
		d = d.Round(time.Minute)
		add("dur.h", d/time.Hour)
		add("dur.m", (d%time.Hour)/time.Minute)
	case d >= time.Minute:
		add("dur.m", d/time.Minute)
		add("dur.s", (d%time.Minute)/time.Second)
	default:
		return text(lang, "dur.s", int64(d/time.Second))
	}
	return strings.Join(parts, " ")
}

// Duration is duration for transports: a span of time for people in lang.
func Duration(lang Lang, d time.Duration) string { return duration(lang, d) }

// Who names the origin of an order, a halt or a cancel for people, in
// lang: guard and journal labels like "telegram:42" or
// "strategy:rule:005930" are for logs, and the phone shows "텔레그램 사용자 42"
// or "자동매매 규칙 005930" instead (issue 19, item 4). The result is HTML.
func Who(lang Lang, by string) string {
	src, user, _ := strings.Cut(by, ":")
	switch src {
	case "telegram":
		if user == "" {
			return text(lang, "who.telegram_any")
		}
		return text(lang, "who.telegram", Esc(user))
	case "console":
		return text(lang, "who.console")
	case "http":
		return text(lang, "who.http")
	case "strategy", "rule":
		if x, ok := strings.CutPrefix(user, broker.ExitUserPrefix); ok {
			// A protective exit's sell (strategy/exits: "exit:005930:stop"),
			// not a rule's.
			code, kind, _ := strings.Cut(x, ":")
			switch exits.Kind(kind) {
			case exits.Stop, exits.Take, exits.Trail:
				return text(lang, "who.exit", text(lang, "exits.kind."+kind), Esc(code))
			}
			return text(lang, "who.exit", text(lang, "who.exit_any"), Esc(code))
		}
		code := strings.TrimPrefix(user, "rule:")
		if src == "rule" {
			code = user
		}
		if code == "" {
			return text(lang, "who.strategy")
		}
		return text(lang, "who.rule", Esc(code))
	case "":
		return ""
	}
	return Esc(by)
}

// clip shortens s to at most n characters, marking the cut with "…", so a
// long message quoted back does not swamp the reply.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/chart"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// Photo is a picture sent with a reply or an alert. The reply's or
// alert's Text is its caption (Telegram HTML): a transport that can show
// pictures sends them together (Telegram sendPhoto; a caption over
// MaxCaption follows as a message), the console saves the picture to a
// file and prints the text and the path.
type Photo struct {
	PNG []byte
	// Name is a file name for it ("005930-20261204.png").
	Name string
}

// MaxCaption is Telegram's limit on a photo's caption: "0-1024 characters
// after entities parsing" (Bot API, sendPhoto).
const MaxCaption = 1024

// FillSource lists the day's fills (the journal's, store.DB.FillsOn), for
// the marks on a chart.
type FillSource func(ctx context.Context, day time.Time) ([]broker.Fill, error)

// Chart draws code's trading day so far as a PNG for a phone and writes
// its caption: the broker's minute candles (broker.Charter), the
// strategy rule's buy and sell thresholds, the armed exits' trigger
// prices and the previous close as lines, and today's fills as marks.
// The image holds no Korean (package chart); the caption, in the
// router's language, names the stock and says what each line is. The
// daily close report attaches one per stock; /chart sends the same.
//
// The candles are the broker's (KIS 주식당일분봉조회, Kiwoom ka10080, the
// paper exchange's record), also when the realtime stream is up: the
// stream's record holds only what arrived while hoga ran and watched the
// code, where the broker's minute chart is the whole day, the one the
// owner sees in the broker's own app. It costs one to 13 requests a
// chart, paced like every other.
//
// A broker that cannot list minute candles, or none yet today, still
// gets a picture of the lines; err is for a code the broker does not
// know or a broker that cannot be reached.
func (r *Router) Chart(ctx context.Context, code broker.Code) (png []byte, caption string, err error) {
	spec, cap, err := r.chartSpec(ctx, code)
	if err != nil {
		return nil, "", err
	}
	png, err = chart.Render(spec)
	if err != nil {
		return nil, "", fmt.Errorf("bot: chart of %s: %w", code, err)
	}
	return png, cap, nil
}

// ChartReply is /chart's answer for code: the picture with its caption,
// or what went wrong.
func (r *Router) ChartReply(ctx context.Context, code broker.Code) Reply {
	png, caption, err := r.Chart(ctx, code)
	if err != nil {
		return r.errorReply(err)
	}
	day := r.clock.Now().In(broker.KST()).Format("20060102")
	return Reply{Text: caption, Photo: &Photo{PNG: png, Name: string(code) + "-" + day + ".png"}}
}

// chartLine is one level as the caption lists it.
type chartLine struct {
	kind  chart.LevelKind
	price int64
	note  string // extra words (a trail's high), already in the language
}

// chartSpec gathers what the chart shows and writes the caption.
func (r *Router) chartSpec(ctx context.Context, code broker.Code) (chart.Spec, string, error) {
	now := r.clock.Now().In(broker.KST())
	spec := chart.Spec{Code: code, Day: now, Width: r.cfg.ChartWidth, Height: r.cfg.ChartHeight}
	q, qerr := r.quote(ctx, code)
	if qerr != nil {
		if broker.KindOf(qerr) == broker.NotFound || broker.KindOf(qerr) == broker.Invalid {
			return spec, "", qerr
		}
		r.log.Warn("chart: no quote; drawing without the previous close", "code", code, "err", qerr)
	} else {
		r.learnName(q)
	}
	candles, cerr := broker.MinuteCandles(ctx, r.cfg.Broker, code)
	if cerr != nil {
		if e, ok := broker.AsError(cerr); !ok || e.Code != "no_chart" {
			if qerr != nil {
				return spec, "", cerr // neither a price nor candles: the broker is not answering
			}
			r.log.Warn("chart: no minute candles; drawing the lines alone", "code", code, "err", cerr)
		}
		candles = nil
	}
	spec.Candles = candles

	var lines []chartLine
	if q.PrevClose > 0 {
		lines = append(lines, chartLine{kind: chart.LevelPrev, price: q.PrevClose})
	}
	if r.cfg.Rules != nil {
		if rules, err := r.cfg.Rules.Rules(ctx); err == nil {
			for _, rs := range rules {
				if rs.Code != code {
					continue
				}
				if rs.BuyBelow > 0 {
					lines = append(lines, chartLine{kind: chart.LevelBuy, price: rs.BuyBelow})
				}
				if rs.SellAbove > 0 {
					lines = append(lines, chartLine{kind: chart.LevelSell, price: rs.SellAbove})
				}
			}
		}
	}
	if r.cfg.Exits != nil {
		if xs, err := r.cfg.Exits.List(ctx); err == nil {
			for _, s := range xs {
				if s.Code != code || !s.Armed || s.Level <= 0 {
					continue
				}
				l := chartLine{kind: map[exits.Kind]chart.LevelKind{exits.Stop: chart.LevelStop,
					exits.Take: chart.LevelTake, exits.Trail: chart.LevelTrail}[s.Kind], price: s.Level}
				if s.Kind == exits.Trail && s.High > 0 {
					l.note = r.t("chart.trail_high", Group(s.High), Esc(s.Spec()))
				}
				lines = append(lines, l)
			}
		}
	}
	for _, l := range lines {
		spec.Levels = append(spec.Levels, chart.Level{Kind: l.kind, Price: l.price})
	}
	spec.Fills = r.chartFills(ctx, code, now)
	return spec, r.chartCaption(code, q, candles, lines, spec.Fills, now), nil
}

// chartFills is today's fills of code: the journal's when it has any,
// else the broker's filled orders at their average price and order time.
func (r *Router) chartFills(ctx context.Context, code broker.Code, now time.Time) []chart.Mark {
	var marks []chart.Mark
	if r.cfg.Fills != nil {
		fills, err := r.cfg.Fills(ctx, now)
		if err != nil {
			r.log.Warn("chart: cannot list the day's fills", "err", err)
		}
		for _, f := range fills {
			if f.Code == code && f.Qty > 0 {
				marks = append(marks, chart.Mark{Time: f.Time, Side: f.Side, Price: f.Price, Qty: f.Qty})
			}
		}
		if len(marks) > 0 {
			return marks
		}
	}
	orders, err := r.cfg.Broker.OrdersToday(ctx)
	if err != nil {
		r.log.Warn("chart: cannot list today's orders", "err", err)
		return nil
	}
	for _, o := range orders {
		if o.Code == code && o.FilledQty > 0 && o.AvgFillPrice > 0 {
			marks = append(marks, chart.Mark{Time: o.Time, Side: o.Side, Price: o.AvgFillPrice, Qty: o.FilledQty})
		}
	}
	return marks
}

// chartCaption says what the picture shows, in the router's language.
func (r *Router) chartCaption(code broker.Code, q broker.Quote, candles []broker.Candle, lines []chartLine, fills []chart.Mark, now time.Time) string {
	name := q.Name
	if name == "" {
		name = r.NameOf(code)
	}
	label := string(code)
	if name != "" {
		label = Esc(name) + " (" + string(code) + ")"
	}
	var b strings.Builder
	b.WriteString(r.t("chart.head", label, r.t("chart.date", int(now.Month()), now.Day())))
	if n := len(candles); n > 0 {
		hi, lo := candles[0].High, candles[0].Low
		for _, c := range candles {
			hi, lo = max(hi, c.High), min(lo, c.Low)
		}
		last := candles[n-1]
		b.WriteString("\n" + r.t("chart.range", Group(last.Close), last.Time.In(broker.KST()).Format("15:04"), Group(hi), Group(lo), n))
	} else {
		b.WriteString("\n" + r.t("chart.no_candles"))
	}
	for _, l := range lines {
		b.WriteString("\n" + r.t("chart.line."+string(l.kind), Group(l.price)) + l.note)
	}
	var buys, sells int64
	for _, f := range fills {
		if f.Side == broker.Sell {
			sells += f.Qty
		} else {
			buys += f.Qty
		}
	}
	var done []string
	if buys > 0 {
		done = append(done, r.t("chart.fills.buy", Group(buys)))
	}
	if sells > 0 {
		done = append(done, r.t("chart.fills.sell", Group(sells)))
	}
	if len(done) > 0 {
		b.WriteString("\n" + strings.Join(done, " · "))
	}
	return clipCaption(b.String())
}

// clipCaption keeps a caption within MaxCaption characters (UTF-16 units,
// as Telegram counts): whole lines while they fit. Captions are a few
// hundred characters; this guards a name or note gone long.
func clipCaption(s string) string {
	if units16(s) <= MaxCaption {
		return s
	}
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if units16(b.String())+units16(l)+2 > MaxCaption-1 {
			b.WriteString("\n…")
			break
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(l)
	}
	return b.String()
}

func units16(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// chartCmd runs /chart CODE.
func (r *Router) chartCmd(ctx context.Context, args []string) Reply {
	if len(args) == 0 {
		return Reply{Text: r.t("usage.chart")}
	}
	code, ok := r.lookupCode(strings.Join(args, " "))
	if !ok {
		return Reply{Text: r.t("bad.code", Esc(strings.Join(args, " "))) + "\n" + r.t("usage.chart")}
	}
	return r.ChartReply(ctx, code)
}

package bot

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/chart"
	"github.com/hoga-trade/hoga/strategy"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// listedExits is an ExitBook with a fixed list.
type listedExits struct{ list []exits.Status }

func (l *listedExits) Put(context.Context, exits.Exit, exits.Source) error      { return nil }
func (l *listedExits) Delete(context.Context, broker.Code, exits.Kind) error    { return nil }
func (l *listedExits) List(context.Context) ([]exits.Status, error)             { return l.list, nil }
func (p *positionedRules) Rules(context.Context) ([]strategy.RuleStatus, error) { return p.list, nil }

// chartRouter is a router on a broker with an hour of minute candles of
// 005930 (09:00–09:59 on t0's day, t0 being 10:00), a rule buying below
// 68,000 and selling above 72,500, an armed stop at 66,500, an armed
// trail at 69,500 (3% under the high of 71,700), a take-profit that has
// fired (not drawn), and a buy and a sell filled. Pictures are width
// pixels wide (0: the default); small ones keep -race runs quick.
func chartRouter(t *testing.T, lang Lang, width int) *Router {
	t.Helper()
	b := newFakeBroker()
	open := time.Date(2026, 11, 25, 9, 0, 0, 0, broker.KST())
	var cs []broker.Candle
	price := int64(70_000)
	for m := range 60 {
		step := int64([]int{1, -1, 2, 0, -2, 1}[m%6]) * 100
		price += step
		cs = append(cs, broker.Candle{Time: open.Add(time.Duration(m) * time.Minute), Open: price - step,
			High: max(price, price-step) + 100, Low: min(price, price-step) - 100, Close: price, Volume: 1000})
	}
	b.SetCandles("005930", cs)
	rules := &positionedRules{list: []strategy.RuleStatus{{Rule: strategy.Rule{Code: "005930", BuyBelow: 68_000, SellAbove: 72_500, Qty: 3, Enabled: true}}}}
	xs := &listedExits{list: []exits.Status{
		{Exit: exits.Exit{Code: "005930", Kind: exits.Stop, BP: -500}, State: exits.State{Armed: true}, Level: 66_500, Avg: 70_000},
		{Exit: exits.Exit{Code: "005930", Kind: exits.Trail, BP: 300}, State: exits.State{Armed: true, High: 71_700}, Level: 69_500},
		{Exit: exits.Exit{Code: "005930", Kind: exits.Take, BP: 1000}, State: exits.State{Off: exits.OffFired}, Level: 77_000},
		{Exit: exits.Exit{Code: "000660", Kind: exits.Stop, BP: -500}, State: exits.State{Armed: true}, Level: 180_000},
	}}
	fills := func(context.Context, time.Time) ([]broker.Fill, error) {
		return []broker.Fill{
			{Code: "005930", Side: broker.Buy, Qty: 3, Price: 69_800, Time: open.Add(12 * time.Minute)},
			{Code: "000660", Side: broker.Buy, Qty: 1, Price: 180_000, Time: open.Add(13 * time.Minute)},
			{Code: "005930", Side: broker.Sell, Qty: 2, Price: 70_900, Time: open.Add(41 * time.Minute)},
		}, nil
	}
	r, _ := newTestRouter(t, b, func(c *Config) {
		c.Lang, c.Rules, c.Exits, c.Fills = lang, rules, xs, fills
		c.ChartWidth, c.ChartHeight = width, width*3/4
		c.Stocks = map[broker.Code]string{"005930": "삼성전자"}
	})
	return r
}

// The chart's caption says what each line is, in the owner's language
// (golden), and the picture is a phone-sized PNG with the lines in their
// colours, the stop below the buy threshold below the sell threshold.
func TestChartCaptionAndPicture(t *testing.T) {
	t.Parallel()
	en := chartRouter(t, English, 0)
	spec, caption, err := en.chartSpec(context.Background(), "005930")
	if err != nil || len(spec.Levels) != 5 || len(spec.Fills) != 2 || len(spec.Candles) != 60 {
		t.Fatalf("spec: %d levels, %d fills, %d candles, err %v", len(spec.Levels), len(spec.Fills), len(spec.Candles), err)
	}
	golden(t, "en_chart_caption", caption)

	// The picture does not depend on the language: drawn once, in Korean.
	r := chartRouter(t, Korean, 0)
	pic, caption, err := r.Chart(context.Background(), "005930")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "ko_chart_caption", caption)
	if p := os.Getenv("HOGA_CHART_SAMPLE"); p != "" {
		if err := os.WriteFile(p, pic, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if n := len([]rune(caption)); n > MaxCaption {
		t.Errorf("caption has %d characters", n)
	}
	img, err := png.Decode(bytes.NewReader(pic))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if img.Bounds().Dx() != chart.DefaultWidth || img.Bounds().Dy() != chart.DefaultHeight {
		t.Fatalf("size %v", img.Bounds())
	}
	rows := map[string]int{}
	for name, c := range map[string]color.RGBA{"buy": chart.ColorBuy, "sell": chart.ColorSell, "stop": chart.ColorStop, "trail": chart.ColorTrail} {
		rows[name] = longestRun(img, c)
		if rows[name] < 0 {
			t.Errorf("no %s line", name)
		}
	}
	if !(rows["sell"] < rows["trail"] && rows["trail"] < rows["buy"] && rows["buy"] < rows["stop"]) {
		t.Errorf("line rows (top down) sell %d, trail %d, buy %d, stop %d", rows["sell"], rows["trail"], rows["buy"], rows["stop"])
	}
	if longestRun(img, chart.ColorTake) >= 0 {
		t.Error("the fired take-profit is drawn")
	}
}

// longestRun is the row holding the longest horizontal run of c's pixels
// over 300 wide (a line across the day, not a tag or a mark), or -1.
func longestRun(img image.Image, c color.RGBA) int {
	b := img.Bounds()
	best, bestRow := 300, -1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		n := 0
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if absDiff(r>>8, c.R) < 30 && absDiff(g>>8, c.G) < 30 && absDiff(bl>>8, c.B) < 30 {
				n++
			}
		}
		if n > best {
			best, bestRow = n, y
		}
	}
	return bestRow
}

func absDiff(a uint32, b uint8) int {
	d := int(a) - int(b)
	if d < 0 {
		return -d
	}
	return d
}

// /chart answers with the picture; bad input gets the usage and nothing
// is drawn; a code the broker does not list says so.
func TestChartCommand(t *testing.T) {
	t.Parallel()
	r := chartRouter(t, Korean, 320)
	ctx := context.Background()
	rep := r.Handle(ctx, Request{Text: "/chart 삼성전자", UserID: "console", Source: "console"})
	if rep.Photo == nil || len(rep.Photo.PNG) == 0 || rep.Photo.Name != "005930-20261125.png" || !strings.Contains(rep.Text, "삼성전자 (005930)") {
		t.Fatalf("/chart 삼성전자: photo %v, text %q", rep.Photo != nil, rep.Text)
	}
	for in, want := range map[string]string{
		"/chart":        "사용법: <code>/chart 종목코드</code>",
		"/chart 5930":   "5930 은(는) 종목코드도",
		"/chart 000660": "", // not quoted by the fake: an error reply, no picture
	} {
		rep := r.Handle(ctx, Request{Text: in, UserID: "console", Source: "console"})
		if rep.Photo != nil || !strings.Contains(rep.Text, want) || rep.Text == "" {
			t.Errorf("%s: photo %v, text %q", in, rep.Photo != nil, rep.Text)
		}
	}
}

// A broker without minute candles still gets the lines, and the caption
// says there are no candles.
func TestChartWithoutCandles(t *testing.T) {
	t.Parallel()
	b := newFakeBroker()
	r, _ := newTestRouter(t, b, func(c *Config) { c.ChartWidth, c.ChartHeight = 320, 240 })
	_, caption, err := r.Chart(context.Background(), "005930")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(caption, "분봉이 없습니다") || !strings.Contains(caption, "전일 종가 70,000원") {
		t.Errorf("caption %q", caption)
	}
}

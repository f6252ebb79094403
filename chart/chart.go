// Package chart draws a stock's trading day as a PNG for a phone: the
// price from the broker's minute candles, the strategy rule's buy and sell
// thresholds and the protective exits' stop, take-profit and trailing
// levels as horizontal lines with price tags, and the day's fills as
// marks. The daily close report and /chart send it.
//
// It draws with gonum.org/v1/plot (the Gonum project's plotting library:
// pure Go, so the binary stays static and cgo-free; maintained with
// releases through 2025; axes, ticks, lines and PNG output without a
// browser or a system font). Text in the image is ASCII only and set in
// Liberation Sans, which gonum/plot embeds (SIL Open Font License 1.1,
// which allows embedding and redistribution); Liberation has no Hangul,
// so everything Korean (the stock's name, what each line means) goes in
// the caption the transports send beside the image, never in it.
//
// Colours follow the Korean convention the owner reads every day: red is
// up and buying, blue is down and selling.
package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"
	"time"

	"git.sr.ht/~sbinet/gg"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/hoga-trade/hoga/broker"
)

// Default image size in pixels: as wide as a phone screen's pixels
// (1080), so the picture is shown 1:1 and not scaled down; 4:3 leaves
// height for the caption under it.
const (
	DefaultWidth  = 1080
	DefaultHeight = 810
)

// LevelKind is what a horizontal line marks.
type LevelKind string

// Level kinds. Buy and Sell are the threshold rule's legs; Stop, Take and
// Trail the exits' trigger prices now; Prev the previous close.
const (
	LevelBuy   LevelKind = "buy"
	LevelSell  LevelKind = "sell"
	LevelStop  LevelKind = "stop"
	LevelTake  LevelKind = "take"
	LevelTrail LevelKind = "trail"
	LevelPrev  LevelKind = "prev"
)

// Level is one horizontal line.
type Level struct {
	Kind  LevelKind
	Price int64
}

// Mark is one fill drawn on the price line.
type Mark struct {
	Time  time.Time
	Side  broker.Side
	Price int64
	Qty   int64
}

// Spec is what to draw.
type Spec struct {
	Code broker.Code
	// Day is the trading day (KST); zero takes the first candle's, or From's.
	Day     time.Time
	Candles []broker.Candle
	Levels  []Level
	Fills   []Mark
	// From and To bound the time axis; zero is KRX's regular day on Day,
	// 09:00–15:30 KST, widened to any candle or fill outside it.
	From, To time.Time
	// Width and Height in pixels; zero takes DefaultWidth×DefaultHeight.
	Width, Height int
}

// Colours, exported so tests (and anyone describing the picture) can find
// a line by its colour.
var (
	ColorPrice = color.RGBA{0x21, 0x21, 0x21, 0xff}
	ColorBuy   = color.RGBA{0xd3, 0x2f, 0x2f, 0xff} // red: buying
	ColorSell  = color.RGBA{0x15, 0x65, 0xc0, 0xff} // blue: selling
	ColorStop  = color.RGBA{0xef, 0x6c, 0x00, 0xff} // orange: a loss limit
	ColorTake  = color.RGBA{0x2e, 0x7d, 0x32, 0xff} // green: profit taken
	ColorTrail = color.RGBA{0x7b, 0x1f, 0xa2, 0xff} // purple: follows the high
	ColorPrev  = color.RGBA{0x9e, 0x9e, 0x9e, 0xff}
	colorGrid  = color.RGBA{0xe6, 0xe6, 0xe6, 0xff}
)

// levelStyle is each kind's colour, tag and dash pattern: the rule's
// thresholds dashed, the exits solid.
var levelStyle = map[LevelKind]struct {
	color  color.RGBA
	tag    string
	dashed bool
}{
	LevelBuy:   {ColorBuy, "BUY", true},
	LevelSell:  {ColorSell, "SELL", true},
	LevelStop:  {ColorStop, "STOP", false},
	LevelTake:  {ColorTake, "TAKE", false},
	LevelTrail: {ColorTrail, "TRAIL", false},
	LevelPrev:  {ColorPrev, "PREV", true},
}

// Sizes in pixels (the canvas is drawn at 72 dpi, one point a pixel).
// A 1080-pixel picture is shown about 360 points wide on a phone, a third:
// 30-pixel labels read as 10-point text there, the smallest comfortable.
const (
	titleSize  = 44
	tickSize   = 30
	tagSize    = 28
	priceWidth = 4
	levelWidth = 3
	markRadius = 15
	tagPad     = 8
)

// Render draws spec as a PNG.
func Render(spec Spec) ([]byte, error) {
	img, _, err := render(spec)
	if err != nil {
		return nil, err
	}
	return encode(img)
}

// encode writes img as a PNG, fast rather than smallest: a day's chart is
// about 100 KB either way, far under Telegram's 10 MB.
func encode(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("chart: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// layout is where render put things, in image pixels (y down), for tests.
type layout struct {
	// Data is the plotting area.
	Data image.Rectangle
	// YMin and YMax are the prices at Data's bottom and top edges.
	YMin, YMax float64
	// XMin and XMax are the Unix seconds at Data's left and right edges.
	XMin, XMax float64
}

// row is the pixel row of price p.
func (l layout) row(p float64) int {
	f := (p - l.YMin) / (l.YMax - l.YMin)
	return int(math.Round(float64(l.Data.Max.Y) - f*float64(l.Data.Dy())))
}

// col is the pixel column of t.
func (l layout) col(t time.Time) int {
	f := (float64(t.Unix()) - l.XMin) / (l.XMax - l.XMin)
	return int(math.Round(float64(l.Data.Min.X) + f*float64(l.Data.Dx())))
}

func sans(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = 700 // stdfnt.WeightBold
	}
	return f
}

func render(spec Spec) (*image.RGBA, layout, error) {
	w, h := spec.Width, spec.Height
	if w <= 0 || h <= 0 {
		w, h = DefaultWidth, DefaultHeight
	}
	if w < 200 || h < 150 || w > 4000 || h > 4000 {
		return nil, layout{}, fmt.Errorf("chart: size %d×%d out of range", w, h)
	}
	candles := slices.Clone(spec.Candles)
	slices.SortFunc(candles, func(a, b broker.Candle) int { return a.Time.Compare(b.Time) })
	from, to := timeRange(spec, candles)

	lo, hi := int64(math.MaxInt64), int64(0)
	see := func(p int64) {
		if p > 0 {
			lo, hi = min(lo, p), max(hi, p)
		}
	}
	for _, c := range candles {
		see(c.Low)
		see(c.High)
		see(c.Close)
	}
	for _, l := range spec.Levels {
		see(l.Price)
	}
	for _, f := range spec.Fills {
		see(f.Price)
	}
	if hi == 0 {
		lo, hi = 0, 1
	}
	span := float64(hi - lo)
	if span == 0 {
		span = math.Max(float64(hi)*0.01, 1)
	}
	ymin, ymax := float64(lo)-span*0.08, float64(hi)+span*0.08

	p := plot.New()
	p.BackgroundColor = nil // the canvas starts white
	last := ""
	if n := len(candles); n > 0 {
		last = "  " + broker.Thousands(candles[n-1].Close)
	}
	p.Title.Text = fmt.Sprintf("%s  %s%s", spec.Code, from.In(broker.KST()).Format("2006-01-02"), last)
	p.Title.TextStyle.Font = sans(titleSize, true)
	p.Title.Padding = 16
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Tick.Label.Font = sans(tickSize, false)
		ax.Tick.Length = 10
		ax.Tick.Width = 2
		ax.Width = 2
		ax.Padding = 0
	}
	p.X.Min, p.X.Max = float64(from.Unix()), float64(to.Unix())
	p.Y.Min, p.Y.Max = ymin, ymax
	p.X.Tick.Marker = hourTicks{}
	p.Y.Tick.Marker = priceTicks{}

	p.Add(gridLines{})
	var tags []tag
	for _, l := range spec.Levels {
		st, ok := levelStyle[l.Kind]
		if !ok || l.Price <= 0 {
			continue
		}
		tags = append(tags, tag{text: st.tag + " " + broker.Thousands(l.Price), price: float64(l.Price), color: st.color})
		p.Add(hline{price: float64(l.Price), color: st.color, dashed: st.dashed})
	}
	if len(candles) > 0 {
		xys := make(plotter.XYs, len(candles))
		for i, c := range candles {
			// A candle is drawn at the minute the broker labels it with.
			xys[i] = plotter.XY{X: float64(c.Time.Unix()), Y: float64(c.Close)}
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, layout{}, fmt.Errorf("chart: price line: %w", err)
		}
		line.LineStyle = draw.LineStyle{Color: ColorPrice, Width: priceWidth}
		// The last price as a dot: the day's "now", and all there is to
		// see of a day with a single candle.
		dot, err := plotter.NewScatter(xys[len(xys)-1:])
		if err != nil {
			return nil, layout{}, fmt.Errorf("chart: last price: %w", err)
		}
		dot.GlyphStyle = draw.GlyphStyle{Color: ColorPrice, Radius: 7, Shape: draw.CircleGlyph{}}
		p.Add(line, dot)
	} else {
		p.Add(note{text: "no trades yet"})
	}
	if len(spec.Fills) > 0 {
		p.Add(marks(spec.Fills))
	}

	// The right margin holds the levels' price tags, outside the data, so
	// a tag never hides the price.
	tagStyle := text.Style{Font: sans(tagSize, true), Handler: p.TextHandler, XAlign: draw.XLeft, YAlign: draw.YCenter}
	margin := vg.Length(24)
	for _, t := range tags {
		margin = max(margin, tagStyle.Width(t.text)+2*tagPad+16)
	}

	// The canvas draws straight into img: vgimg.NewWith would copy an
	// image it is given, and make its own through a slow generic resize
	// otherwise (an eighth of the render). At 72 dpi a point is a pixel.
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt()
	ctx.InvertY()
	cnv := vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(72))
	dc := draw.New(cnv)
	// Outer padding: the title and tick labels must not touch the edge.
	pad := draw.Crop(dc, 16, -16, 16, -16)
	area := draw.Crop(pad, 0, -margin, 0, 0)
	p.Draw(area)
	data := p.DataCanvas(area)
	drawTags(&dc, data, p, tags, tagStyle)

	lay := layout{
		Data: image.Rect(int(math.Round(float64(data.Min.X))), h-int(math.Round(float64(data.Max.Y))),
			int(math.Round(float64(data.Max.X))), h-int(math.Round(float64(data.Min.Y)))),
		YMin: p.Y.Min, YMax: p.Y.Max, XMin: p.X.Min, XMax: p.X.Max,
	}
	return img, lay, nil
}

// timeRange is the time axis: spec's, or the regular day 09:00–15:30 KST
// widened to the data.
func timeRange(spec Spec, candles []broker.Candle) (time.Time, time.Time) {
	day := spec.Day
	switch {
	case !day.IsZero():
	case len(candles) > 0:
		day = candles[0].Time
	case !spec.From.IsZero():
		day = spec.From
	case len(spec.Fills) > 0:
		day = spec.Fills[0].Time
	default:
		day = time.Now()
	}
	d := day.In(broker.KST())
	midnight := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, broker.KST())
	from, to := midnight.Add(9*time.Hour), midnight.Add(15*time.Hour+30*time.Minute)
	if !spec.From.IsZero() {
		from = spec.From
	}
	if !spec.To.IsZero() {
		to = spec.To
	}
	widen := func(t time.Time) {
		if t.Before(from) {
			from = t.Truncate(time.Hour)
		}
		if t.After(to) {
			to = t.Truncate(time.Hour).Add(time.Hour)
		}
	}
	if spec.From.IsZero() && spec.To.IsZero() {
		for _, c := range candles {
			widen(c.Time)
		}
		for _, f := range spec.Fills {
			widen(f.Time)
		}
	}
	if !to.After(from) {
		to = from.Add(time.Hour)
	}
	return from, to
}

// hourTicks labels every hour ("09:00") in KST, with half hours as minor
// ticks; on a span over 8 hours every other hour.
type hourTicks struct{}

func (hourTicks) Ticks(lo, hi float64) []plot.Tick {
	from := time.Unix(int64(lo), 0).In(broker.KST())
	start := from.Truncate(30 * time.Minute)
	if start.Before(from) {
		start = start.Add(30 * time.Minute)
	}
	every := 1
	if hi-lo > 8*3600 {
		every = 2
	}
	var ts []plot.Tick
	for t := start; float64(t.Unix()) <= hi; t = t.Add(30 * time.Minute) {
		tk := plot.Tick{Value: float64(t.Unix())}
		if t.Minute() == 0 && t.Hour()%every == 0 {
			tk.Label = t.Format("15:04")
		}
		ts = append(ts, tk)
	}
	return ts
}

// priceTicks puts four to seven labelled ticks on round prices, written
// with thousands separators.
type priceTicks struct{}

func (priceTicks) Ticks(lo, hi float64) []plot.Tick {
	step := niceStep((hi - lo) / 5)
	var ts []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: broker.Thousands(int64(math.Round(v)))})
	}
	return ts
}

// niceStep rounds x up to 1, 2, 2.5 or 5 times a power of ten, at least 1
// (won).
func niceStep(x float64) float64 {
	if x <= 1 {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*pow >= x {
			return m * pow
		}
	}
	return 10 * pow
}

// gridLines draws light horizontal lines at the price ticks.
type gridLines struct{}

func (gridLines) Plot(c draw.Canvas, p *plot.Plot) {
	_, ty := p.Transforms(&c)
	sty := draw.LineStyle{Color: colorGrid, Width: 1.5}
	for _, t := range (priceTicks{}).Ticks(p.Y.Min, p.Y.Max) {
		y := ty(t.Value)
		c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
	}
}

// hline is one level across the whole day.
type hline struct {
	price  float64
	color  color.RGBA
	dashed bool
}

func (l hline) Plot(c draw.Canvas, p *plot.Plot) {
	_, ty := p.Transforms(&c)
	sty := draw.LineStyle{Color: l.color, Width: levelWidth}
	if l.dashed {
		sty.Dashes = []vg.Length{18, 10}
	}
	y := ty(l.price)
	c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
}

// note writes a line of text in the middle of an empty chart.
type note struct{ text string }

func (n note) Plot(c draw.Canvas, p *plot.Plot) {
	sty := text.Style{Color: ColorPrev, Font: sans(tickSize, false), Handler: p.TextHandler, XAlign: draw.XCenter, YAlign: draw.YCenter}
	c.FillText(sty, c.Center(), n.text)
}

// marks draws fills: a red ▲ under a buy, a blue ▼ over a sell, each
// pointing at the price it filled at, with a white rim so it stands out
// on the line.
type marks []Mark

func (ms marks) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	r := vg.Length(markRadius)
	for _, m := range ms {
		x, y := tx(float64(m.Time.Unix())), ty(float64(m.Price))
		if x < c.Min.X-r || x > c.Max.X+r {
			continue
		}
		col, dir := ColorBuy, vg.Length(-1) // ▲ below the price for a buy
		if m.Side == broker.Sell {
			col, dir = ColorSell, 1 // ▼ above it for a sell
		}
		tri := func(k vg.Length) []vg.Point {
			tip := vg.Point{X: x, Y: y + dir*4}
			base := y + dir*(4+1.7*r*k)
			return []vg.Point{tip, {X: x - r*k, Y: base}, {X: x + r*k, Y: base}}
		}
		c.FillPolygon(color.White, tri(1.35))
		c.FillPolygon(col, tri(1))
	}
}

// tag is a level's price label in the right margin.
type tag struct {
	text  string
	price float64
	color color.RGBA
	y     vg.Length
}

// drawTags writes each level's tag in the right margin at its line's
// height, nudged apart where levels are close so no two overlap, with a
// short leader from the line's end.
func drawTags(dc *draw.Canvas, data draw.Canvas, p *plot.Plot, tags []tag, sty text.Style) {
	if len(tags) == 0 {
		return
	}
	_, ty := p.Transforms(&data)
	for i := range tags {
		tags[i].y = ty(tags[i].price)
	}
	slices.SortFunc(tags, func(a, b tag) int {
		switch {
		case a.y < b.y:
			return -1
		case a.y > b.y:
			return 1
		}
		return 0
	})
	height := sty.Height("0") + 2*tagPad/2 + 4
	for i := 1; i < len(tags); i++ { // push up from the bottom
		tags[i].y = max(tags[i].y, tags[i-1].y+height)
	}
	if n := len(tags); tags[n-1].y > data.Max.Y { // then back down from the top
		tags[n-1].y = data.Max.Y
		for i := n - 2; i >= 0; i-- {
			tags[i].y = min(tags[i].y, tags[i+1].y-height)
		}
	}
	x0 := data.Max.X + 12
	for _, t := range tags {
		line := draw.LineStyle{Color: t.color, Width: 2}
		dc.StrokeLine2(line, data.Max.X, ty(t.price), x0, t.y)
		w := sty.Width(t.text) + 2*tagPad
		box := vg.Rectangle{Min: vg.Point{X: x0, Y: t.y - height/2}, Max: vg.Point{X: x0 + w, Y: t.y + height/2}}
		dc.SetColor(t.color)
		dc.Fill(box.Path())
		s := sty
		s.Color = color.White
		dc.FillText(s, vg.Point{X: x0 + tagPad, Y: t.y}, t.text)
	}
}

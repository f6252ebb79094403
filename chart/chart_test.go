package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// fullDay is a regular day of minute candles, 09:00–15:20 plus the
// closing auction's single 15:30 candle: 381, as KIS lists a full day.
func fullDay(seed uint64, ref int64) []broker.Candle {
	kst := broker.KST()
	r := rand.New(rand.NewPCG(seed, seed))
	open := time.Date(2026, 12, 4, 9, 0, 0, 0, kst)
	price := ref
	var cs []broker.Candle
	add := func(t time.Time) {
		o := price
		hi, lo := o, o
		for range 4 {
			price = broker.SnapDown(max(price+int64(r.IntN(5)-2)*broker.TickSize(price), 1000))
			hi, lo = max(hi, price), min(lo, price)
		}
		cs = append(cs, broker.Candle{Time: t, Open: o, High: hi, Low: lo, Close: price, Volume: int64(1000 + r.IntN(5000))})
	}
	for m := range 380 { // 09:00 … 15:19
		add(open.Add(time.Duration(m) * time.Minute))
	}
	add(time.Date(2026, 12, 4, 15, 30, 0, 0, kst))
	return cs
}

func sampleSpec() Spec {
	cs := fullDay(7, 70000)
	return Spec{
		Code:    "005930",
		Candles: cs,
		Levels: []Level{
			{LevelBuy, 68000}, {LevelSell, 72500}, {LevelStop, 66500},
			{LevelTake, 74000}, {LevelTrail, 68400}, {LevelPrev, 70000},
		},
		Fills: []Mark{
			{Time: cs[60].Time, Side: broker.Buy, Price: cs[60].Close, Qty: 10},
			{Time: cs[300].Time, Side: broker.Sell, Price: cs[300].Close, Qty: 10},
		},
	}
}

// sample is sampleSpec drawn once for the tests that look at it (a
// render takes seconds under -race on a busy machine).
var sample struct {
	once sync.Once
	img  *image.RGBA
	lay  layout
	png  []byte
	err  error
}

func drawSample(t *testing.T) (*image.RGBA, layout, []byte) {
	t.Helper()
	sample.once.Do(func() {
		sample.img, sample.lay, sample.err = render(sampleSpec())
		if sample.err == nil {
			sample.png, sample.err = encode(sample.img)
		}
	})
	if sample.err != nil {
		t.Fatal(sample.err)
	}
	return sample.img, sample.lay, sample.png
}

func TestRenderFullDay(t *testing.T) {
	_, _, b := drawSample(t)
	if p := os.Getenv("HOGA_CHART_SAMPLE"); p != "" {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != image.Pt(DefaultWidth, DefaultHeight) {
		t.Fatalf("size %v, want %dx%d", got, DefaultWidth, DefaultHeight)
	}
	if nonWhite(img) < 0.02 {
		t.Fatal("the image is (nearly) blank")
	}
}

// TestLevelsWhereExpected draws every level and checks each line's colour
// on the row its price maps to, away from the price line and the tags.
func TestLevelsWhereExpected(t *testing.T) {
	spec := sampleSpec()
	img, lay, _ := drawSample(t)
	for _, l := range spec.Levels {
		want := levelStyle[l.Kind].color
		row := lay.row(float64(l.Price))
		if row <= lay.Data.Min.Y || row >= lay.Data.Max.Y {
			t.Fatalf("%s %d: row %d outside the data area %v", l.Kind, l.Price, row, lay.Data)
		}
		hits := 0
		cols := 0
		for x := lay.Data.Min.X + 5; x < lay.Data.Max.X-5; x += 3 {
			cols++
			if near(img, x, row, 1, want) {
				hits++
			}
		}
		// Dashed lines cover about 18/28 of the row; the price line and
		// the other lines cross a little of it.
		if min := cols * 45 / 100; hits < min {
			t.Errorf("%s %d: %d of %d columns on row %d have its colour, want ≥ %d", l.Kind, l.Price, hits, cols, row, min)
		}
		// And the rows a few pixels away do not carry it (the line is
		// where the price says, not merely somewhere).
		for _, off := range []int{-12, 12} {
			other := 0
			for x := lay.Data.Min.X + 5; x < lay.Data.Max.X-5; x += 3 {
				if near(img, x, row+off, 0, want) {
					other++
				}
			}
			if other > cols/5 {
				t.Errorf("%s %d: row %d (%+d) also has its colour in %d columns", l.Kind, l.Price, row+off, off, other)
			}
		}
	}
}

// TestMarksWhereExpected finds a buy mark's red and a sell mark's blue at
// their fills' times and prices.
func TestMarksWhereExpected(t *testing.T) {
	spec := sampleSpec()
	spec.Levels = nil // only the marks carry red and blue
	spec.Width, spec.Height = 540, 405
	img, lay, err := render(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range spec.Fills {
		x, y := lay.col(m.Time), lay.row(float64(m.Price))
		want, dy := ColorBuy, +20 // ▲ below a buy
		if m.Side == broker.Sell {
			want, dy = ColorSell, -20
		}
		if !near(img, x, y+dy, 3, want) {
			t.Errorf("%v at %s %d: no mark at (%d,%d)", m.Side, m.Time.Format("15:04"), m.Price, x, y+dy)
		}
	}
}

func TestRenderEmptyDay(t *testing.T) {
	b, err := Render(Spec{Code: "005930", Day: time.Date(2026, 12, 4, 8, 0, 0, 0, broker.KST()),
		Levels: []Level{{LevelBuy, 68000}}, Width: 320, Height: 240})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if nonWhite(img) < 0.005 {
		t.Fatal("an empty day's chart should still show axes, the level and a note")
	}
}

func TestRenderRejectsSilly(t *testing.T) {
	if _, err := Render(Spec{Code: "005930", Width: 10, Height: 10}); err == nil {
		t.Fatal("a 10×10 chart was drawn")
	}
}

// nonWhite is the share of pixels that are not white.
func nonWhite(img image.Image) float64 {
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				n++
			}
		}
	}
	return float64(n) / float64((b.Dx()/2)*(b.Dy()/2))
}

// near reports whether a pixel within d of (x, y) is close to c.
func near(img image.Image, x, y, d int, c color.RGBA) bool {
	for dy := -d; dy <= d; dy++ {
		for dx := -d; dx <= d; dx++ {
			r, g, b, _ := img.At(x+dx, y+dy).RGBA()
			if diff(r>>8, c.R) < 40 && diff(g>>8, c.G) < 40 && diff(b>>8, c.B) < 40 {
				return true
			}
		}
	}
	return false
}

func diff(a uint32, b uint8) int {
	d := int(a) - int(b)
	if d < 0 {
		return -d
	}
	return d
}

// BenchmarkRenderFullDay is one full day of minute candles (381) with
// every kind of level and two fills, rendered and PNG-encoded at
// 1080×810.
func BenchmarkRenderFullDay(b *testing.B) {
	spec := sampleSpec()
	var size int
	for b.Loop() {
		png, err := Render(spec)
		if err != nil {
			b.Fatal(err)
		}
		size = len(png)
	}
	b.ReportMetric(float64(size), "png-bytes")
}

package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/chart"
	"github.com/hoga-trade/hoga/clock"
)

// waitLong polls cond for up to a minute of wall time: a chart is drawn
// at full size, which takes seconds under -race on a busy machine. A
// bound on a hang, not a synchronisation.
func waitLong(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

var savedPicture = regexp.MustCompile(`🖼 그림 파일: (\S+\.png)`)

// chartThroughRun trades 005930 at 09:00–09:44 on the fake (45 minutes
// with trades), starts hoga at 10:00, buys 10 at market (a trade at 10:00:
// a 46th candle) and asks /chart 005930: the console prints the caption
// and the path of a full-size PNG. The fake and hoga's broker client share
// brokerClk, which moves a millisecond whenever the client waits on it
// (its request pacing); the rest of hoga stays at 10:00 on its own clock.
func chartThroughRun(t *testing.T, brokerClk *clock.Fake, setPrice func(string, int64) bool, getenv func(string) string) string {
	t.Helper()
	for m := range 45 {
		brokerClk.Set(kstAt(2026, 12, 4, 9, m, 30))
		if !setPrice("005930", 70_000+int64(m%5)*100) {
			t.Fatal("SetPrice refused")
		}
	}
	brokerClk.Set(kstAt(2026, 12, 4, 10, 0, 0))
	stop := make(chan struct{})
	driven := make(chan struct{})
	go func() {
		defer close(driven)
		for brokerClk.BlockUntil(1, stop) {
			brokerClk.Advance(time.Millisecond)
		}
	}()
	t.Cleanup(func() { close(stop); <-driven })
	clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
	h := startHogaCtx(t, withBrokerClock(withClock(context.Background(), clk), brokerClk), clk, getenv)
	h.send("/buy 005930 10 market")
	waitLong(t, "the buy", func() bool { return strings.Contains(h.out.String(), "주문 접수") })
	h.send("/chart 005930")
	waitLong(t, "the chart", func() bool { return savedPicture.MatchString(h.out.String()) })
	out := h.out.String()
	for _, want := range []string{"📈 삼성전자 (005930) 12월 4일 분봉", "분봉 46개", "▲ 매수 체결 10주"} {
		if !strings.Contains(out, want) {
			t.Errorf("caption lacks %q:\n%s", want, out)
		}
	}
	path := savedPicture.FindStringSubmatch(out)[1]
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != chart.DefaultWidth || img.Bounds().Dy() != chart.DefaultHeight {
		t.Fatalf("%s: %v %v", path, err, img.Bounds())
	}
	return out
}

// /chart through run() on the KIS fake: the candles come from
// 주식당일분봉조회 (FHKST03010200), 46 of them in two calls.
func TestChartThroughRunKIS(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kstAt(2026, 12, 4, 9, 0, 0))
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Clock: clk, Stocks: kisStocks})
	chartThroughRun(t, clk, fake.SetPrice, kisEnv(fake, t.TempDir()))
	if n := fake.CountRequests("/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice"); n != 2 {
		t.Errorf("%d minute-chart calls, want 2 (30 + 16 candles)", n)
	}
}

// /chart through run() on the Kiwoom fake: the candles come from ka10080,
// one page.
func TestChartThroughRunKiwoom(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kstAt(2026, 12, 4, 9, 0, 0))
	fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{RateLimit: -1, Clock: clk, Stocks: kwStocks})
	t.Cleanup(fake.Close)
	chartThroughRun(t, clk, fake.SetPrice, kiwoomEnv(fake, t.TempDir()))
	if n := fake.Requests("ka10080"); n != 1 {
		t.Errorf("%d ka10080 calls, want 1", n)
	}
}

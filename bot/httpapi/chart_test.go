package httpapi

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
)

// GET /chart/{code} is the chat's /chart picture: image/png by default,
// JSON with the caption on request, the token required, a bad code 400.
func TestChart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(cfg *Config) {
		r, err := bot.NewRouter(bot.Config{Broker: cfg.Broker, Mode: "mock", Clock: cfg.Clock, ChartWidth: 320, ChartHeight: 240})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Router = r
	})
	open := time.Date(2026, 11, 25, 9, 0, 0, 0, broker.KST())
	e.fb.SetCandles("005930", []broker.Candle{
		{Time: open, Open: 69_500, High: 69_800, Low: 69_400, Close: 69_700, Volume: 10},
		{Time: open.Add(time.Minute), Open: 69_700, High: 70_100, Low: 69_700, Close: 70_000, Volume: 10},
	})

	r := e.do(http.MethodGet, "/chart/005930", "")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/png" {
		t.Fatalf("status %d, type %q: %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	img, err := png.Decode(bytes.NewReader(r.body))
	if err != nil || img.Bounds().Dx() != 320 {
		t.Fatalf("not the chart: %v", err)
	}

	j := e.do(http.MethodGet, "/chart/005930", "", "Accept", "application/json").json(t)
	pic, err := base64.StdEncoding.DecodeString(j["png_base64"].(string))
	if err != nil || len(pic) == 0 {
		t.Fatalf("png_base64: %v", err)
	}
	if c, _ := j["caption_text"].(string); !strings.Contains(c, "삼성전자 (005930)") || !strings.Contains(c, "분봉 2개") || strings.Contains(c, "<b>") {
		t.Errorf("caption_text %q", c)
	}

	if r := e.do(http.MethodGet, "/chart/5930", ""); r.status != http.StatusBadRequest {
		t.Errorf("bad code: %d %s", r.status, r.body)
	}
	if r := e.do(http.MethodGet, "/chart/005930", "", "Authorization", ""); r.status != http.StatusUnauthorized {
		t.Errorf("no token: %d", r.status)
	}
}

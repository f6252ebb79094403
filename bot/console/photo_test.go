package console

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/bot"
)

// /chart prints the caption and saves the picture in PhotoDir, saying
// where; an alert's picture is saved the same way.
func TestPhotoSaved(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "charts")
	r, err := bot.NewRouter(bot.Config{Broker: stubBroker(), ChartWidth: 320, ChartHeight: 240})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c := New(Config{Router: r, In: strings.NewReader("/chart 005930\n"), Out: &out, PhotoDir: dir})
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "005930-*.png"))
	if len(matches) != 1 {
		t.Fatalf("files %v; output:\n%s", matches, out.String())
	}
	if !strings.Contains(out.String(), "🖼 그림 파일: "+matches[0]) || !strings.Contains(out.String(), "삼성전자 (005930)") {
		t.Errorf("output:\n%s", out.String())
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		t.Fatalf("saved file is not a PNG: %v", err)
	}

	out.Reset()
	if err := c.SendAlert(context.Background(), bot.Alert{Type: bot.AlertOrders, Text: "<b>장 마감</b>", Photo: &bot.Photo{PNG: data, Name: "../report.png"}}); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "report.png"); !strings.Contains(out.String(), want) {
		t.Errorf("alert output %q, want the path %s (the name's directories dropped)", out.String(), want)
	}
}

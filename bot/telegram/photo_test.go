package telegram_test

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/chart"
)

func photoTo(chat int64) func(telegramtest.Call) bool {
	return func(c telegramtest.Call) bool { return c.Is("sendPhoto") && c.OK() && c.ChatID() == chat }
}

// /chart answers with a photo uploaded as multipart (sendPhoto), the
// caption in HTML under it; Telegram's 429 on the photo is waited out and
// the photo sent once.
func TestChartPhoto(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{chartWidth: 320}) // small: quick under -race
	open := time.Date(2026, 3, 10, 9, 0, 0, 0, broker.KST())
	var cs []broker.Candle
	for m := range 60 {
		p := int64(70_000 + (m%7)*100)
		cs = append(cs, broker.Candle{Time: open.Add(time.Duration(m) * time.Minute), Open: p, High: p + 100, Low: p - 100, Close: p, Volume: 10})
	}
	h.brk.SetCandles("005930", cs)
	h.srv.TooManyRequests(1, 1)
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/chart 005930"})
	h.wait(mark, "429 on the photo", func(c telegramtest.Call) bool { return c.Is("sendPhoto") && c.Status == 429 })
	// The clock moves a second at a time while anything waits on it: the
	// chat's "typing…" ticker waits too, so one step after the first
	// waiter could land before the resend's sleep began and leave it
	// waiting forever (a load flake in .ci/run).
	refusedAt := h.clk.Now()
	c := h.advanceUntil("the chart photo", photoTo(owner))
	if waited := h.clk.Now().Sub(refusedAt); waited < time.Second {
		t.Fatalf("the photo was resent after %v, before Telegram's retry_after of 1 s", waited)
	}
	m := c.Message
	if len(m.Photo) != 1 || m.Photo[0].Width != 320 || m.Photo[0].Height != 240 {
		t.Fatalf("photo sizes %+v", m.Photo)
	}
	if _, err := png.Decode(bytes.NewReader(m.PhotoData)); err != nil || !strings.HasSuffix(m.PhotoName, ".png") {
		t.Fatalf("upload %q is not a PNG: %v", m.PhotoName, err)
	}
	if c.Params["parse_mode"] != "HTML" || !strings.Contains(m.Caption, "삼성전자 (005930)") || !strings.Contains(m.Caption, "분봉 60개") {
		t.Errorf("caption (parse_mode %q): %q", c.Params["parse_mode"], m.Caption)
	}
	refused, ok := 0, 0
	for _, c := range h.srv.Calls() {
		if c.Is("sendPhoto") {
			if c.Status == 429 {
				refused++
			} else if c.OK() {
				ok++
			}
		}
	}
	if refused != 1 || ok != 1 {
		t.Errorf("sendPhoto: %d refused, %d sent; want 1 and 1", refused, ok)
	}
}

// An alert with a photo goes to the alert chat through the same queue; a
// caption over 1,024 characters is cut at a line, the rest following as a
// message, and Delivered waits for both.
func TestAlertPhotoLongCaption(t *testing.T) {
	t.Parallel()
	const group = int64(-1004000000009)
	h := newHarness(t, options{alertChat: group})
	pic, err := chart.Render(chart.Spec{Code: "005930", Day: time.Date(2026, 3, 10, 9, 0, 0, 0, broker.KST()), Width: 320, Height: 240})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i := range 40 {
		lines = append(lines, "<b>줄</b> "+strings.Repeat("가", 30)+" "+string(rune('A'+i%26)))
	}
	text := strings.Join(lines, "\n")
	delivered := make(chan struct{})
	mark := h.srv.CallCount()
	if err := h.tb.SendAlert(context.Background(), bot.Alert{Type: bot.AlertSystem, Text: text, Photo: &bot.Photo{PNG: pic, Name: "005930.png"},
		Delivered: func() { close(delivered) }}); err != nil {
		t.Fatal(err)
	}
	c := h.wait(mark, "the alert photo", photoTo(group))
	if n := telegramtest.UTF16Len(c.Message.Caption); n > telegramtest.MaxCaptionLength || n < 500 {
		t.Fatalf("caption of %d characters", n)
	}
	rest := h.wait(mark, "the rest of the caption", func(c telegramtest.Call) bool {
		return c.Is("sendMessage") && c.OK() && c.ChatID() == group
	})
	want, err := telegramtest.ParseHTML(text)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Message.Caption + "\n" + rest.Message.Text; got != want {
		t.Errorf("caption and message together:\n%q\nwant\n%q", got, want)
	}
	select {
	case <-delivered:
	case <-h.ctx().Done():
		t.Fatal("Delivered not called")
	}
}

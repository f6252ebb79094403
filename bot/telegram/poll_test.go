package telegram_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/clock"
)

// A long poll over a dead (half-open) connection gets no answer at all:
// hoga gives it up within the poll timeout plus PollGrace and polls again,
// instead of waiting out the HTTP client's timeout (issue 19, item 7).
func TestHalfOpenPollIsNoticed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{pollGrace: 200 * time.Millisecond})
	h.srv.HangPolls(1)
	// End the parked poll: the next one hangs.
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/help"})
	h.wait(mark, "reply before the hang", sent(owner, "/price"))
	start := time.Now()
	mark = h.send(telegramtest.Incoming{From: owner, Text: "/price 005930"})
	h.wait(mark, "reply after the dead poll was given up", sent(owner, "삼성전자"))
	if took := time.Since(start); took > 4*time.Second { // h.wait allows 5 s; 2 s poll + 0.2 s grace
		t.Errorf("the dead poll was noticed after %v", took)
	}
	if !strings.Contains(h.logs.String(), "dead connection") {
		t.Errorf("the dead poll was not logged:\n%s", h.logs.String())
	}
}

// retry_after on getUpdates is honoured: no poll before it has passed
// (issue 19, item 8).
func TestPollHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	h.srv.PollTooMany(3)
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/help"}) // ends the parked poll
	h.wait(mark, "reply", sent(owner, "/price"))
	h.wait(mark, "the 429", func(c telegramtest.Call) bool { return c.Is("getUpdates") && c.Status == 429 })
	for range 2 {
		if !h.clk.BlockUntil(1, h.ctx().Done()) {
			t.Fatal("the poll loop is not waiting on the clock")
		}
		if h.srv.Parked() != 0 {
			t.Fatal("polled again before retry_after")
		}
		h.clk.Advance(time.Second)
	}
	if !h.clk.BlockUntil(1, h.ctx().Done()) {
		t.Fatal("the poll loop is not waiting on the clock")
	}
	if h.srv.Parked() != 0 {
		t.Fatal("polled again before retry_after")
	}
	h.clk.Advance(time.Second)
	if err := h.srv.WaitPolling(h.ctx()); err != nil {
		t.Fatal("no poll after retry_after")
	}
}

// A 429 on answerCallbackQuery is waited out and the answer sent again:
// the toast is not lost (issue 19, item 8).
func TestAnswerCallbackRetriedAfter429(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{mode: "live"})
	msg, _ := h.prompt(owner)
	h.srv.AnswerTooMany(1)
	mark := h.srv.CallCount()
	id, err := h.srv.PressButton(stranger, owner, msg.MessageID, "확인")
	if err != nil {
		t.Fatal(err)
	}
	h.wait(mark, "the 429", func(c telegramtest.Call) bool { return answered(id)(c) && c.Status == 429 })
	c := h.advanceUntil("the answer after retry_after", func(c telegramtest.Call) bool { return answered(id)(c) && c.OK() })
	if !strings.Contains(c.Params["text"], "999") {
		t.Errorf("answer text = %q", c.Params["text"])
	}
	if left := h.srv.Unanswered(); len(left) != 0 {
		t.Errorf("unanswered queries: %v", left)
	}
}

// my_chat_member is requested: the bot kicked from the alert group moves
// alerts to private chats at once and says so, before any alert is lost
// (issue 19, item 8).
func TestKickedFromAlertChatNoticedAtOnce(t *testing.T) {
	t.Parallel()
	const group = int64(-1004000000002)
	h := newHarness(t, options{alertChat: group})
	mark := h.srv.CallCount()
	h.srv.Kick(group, owner)
	h.wait(mark, "notice to the owner", sent(owner, "알림 채팅(-1004000000002)에 알림을 보낼 수 없습니다"))
	h.wait(mark, "notice to the other user", sent(other, "알림 채팅(-1004000000002)에 알림을 보낼 수 없습니다"))
	if err := h.tb.SendAlert(context.Background(), bot.Alert{Text: "A1"}); err != nil {
		t.Fatal(err)
	}
	h.wait(mark, "A1 privately", sent(owner, "A1"))
	if n := h.count(func(c telegramtest.Call) bool { return c.ChatID() == group && c.Is("sendMessage") }); n != 0 {
		t.Errorf("%d sends to the group the bot was kicked from", n)
	}
}

// Another poller on the token (409) is tolerated for a short grace, then
// the allowed users are told once (issue 19, item 9).
func TestConflictingPollerIsReported(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	h.srv.Conflict(true)
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/help"}) // ends the parked poll
	h.wait(mark, "reply", sent(owner, "/price"))
	h.advanceUntil("the conflict notice", sent(owner, "다른 프로그램이 이 봇 토큰으로"))
	h.wait(mark, "the notice to the other user", sent(other, "다른 프로그램이 이 봇 토큰으로"))
	start := h.clk.Now()
	for h.clk.Now().Sub(start) < 2*time.Minute && h.clk.BlockUntil(1, h.ctx().Done()) {
		h.clk.Advance(time.Second)
	}
	if n := h.count(sent(owner, "다른 프로그램이 이 봇 토큰으로")); n != 1 {
		t.Errorf("the owner was told %d times, want once", n)
	}
	h.srv.Conflict(false)
	// The poller may be in its backoff, on the fake clock: move the clock
	// while it waits, or the wait for its next poll depends on a wall-clock
	// deadline (it flaked under load: issue 12.16).
	polling := make(chan error, 1)
	done := make(chan struct{})
	go func() { polling <- h.srv.WaitPolling(h.ctx()); close(done) }()
	for h.clk.BlockUntil(1, done) {
		h.clk.Advance(time.Second)
	}
	if err := <-polling; err != nil {
		t.Fatal(err)
	}
}

// A revoked token while running: after OfflineAfter without Telegram the
// control surface is down (OnSurface(false), ControlSurface says why);
// when Telegram is back it comes up by itself and the owner is told
// (issue 19, item 5).
func TestRevokedTokenTakesTheSurfaceDownAndBack(t *testing.T) {
	t.Parallel()
	events := make(chan bool, 4)
	var clk *clock.Fake
	var downAt time.Time // when OnSurface(false) was called, on the fake clock
	h := newHarness(t, options{offline: time.Minute, onSurface: func(up bool, _ string) {
		if !up {
			downAt = clk.Now()
		}
		events <- up
	}})
	clk = h.clk
	h.srv.RevokeToken()
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/help"}) // ends the parked poll; its answer is refused
	if err := h.tb.SendAlert(context.Background(), bot.Alert{Text: "fill during the outage"}); err != nil {
		t.Fatal(err)
	}
	start := h.clk.Now()
	done := make(chan struct{})
	var up bool
	go func() { up = <-events; close(done) }()
	for h.clk.BlockUntil(1, done) {
		h.clk.Advance(time.Second)
	}
	if up {
		t.Fatal("OnSurface(true) before the surface went down")
	}
	down, since, reason := h.tb.ControlSurface()
	if !down || reason != "token_refused" {
		t.Errorf("ControlSurface = %v, %q", down, reason)
	}
	// Not before OfflineAfter from the first failed poll. (No upper bound
	// here: this loop moves the clock whenever anything waits on it, and
	// the refused reply waiting to be resent keeps it moving while a poll
	// is on the wire.)
	if took := downAt.Sub(since); since.Before(start) || took < time.Minute {
		t.Errorf("the surface went down %v after the first failed poll; want OfflineAfter (1m)", took)
	}
	h.srv.RestoreToken()
	h.advanceUntil("the recovery notice", sent(owner, "텔레그램 연결이 돌아왔습니다"))
	select {
	case up := <-events:
		if !up {
			t.Error("OnSurface(false) again instead of true")
		}
	case <-h.ctx().Done():
		t.Fatal("OnSurface(true) was not called")
	}
	if down, _, _ := h.tb.ControlSurface(); down {
		t.Error("still down after Telegram came back")
	}
	h.advanceUntil("the alert queued during the outage, delivered late rather than never", sent(owner, "fill during the outage"))
	_ = mark
}

// Through the fake Bot API: an alert queued while every connection to
// Telegram is cut is delivered when Telegram is back.
// TestBackoffEndsWhenTelegramIsBackAndLateAlertsSayWhen checks, on a clock
// that stands still, that it goes at once and says when it happened (here
// the clock races while requests are on the wire, so neither can be timed).
func TestAlertQueuedInAnOutageIsDelivered(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{offline: time.Minute})
	h.srv.Down(true)
	if err := h.tb.SendAlert(context.Background(), bot.Alert{Text: "fill during the outage"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if down, _, _ := h.tb.ControlSurface(); down {
			break
		}
		if h.ctx().Err() != nil {
			t.Fatalf("the surface did not go down (clock moved %d s)", i)
		}
		h.clk.BlockUntil(1, nil)
		h.clk.Advance(time.Second)
	}
	h.srv.Down(false)
	h.advanceUntil("the alert queued during the outage", sent(owner, "fill during the outage"))
}

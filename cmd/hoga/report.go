package main

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
)

// The close report's two records in the settings table, each a KST date
// (YYYY-MM-DD). reportHandedKey is written before the report goes to the
// alert feed, reportSentKey once the feed says it reached the owner
// (Telegram sent it to every alert chat, or the console printed it).
//
// The order is what keeps a report from being lost or silently doubled
// across a crash: a run that stops before delivery leaves handed = day and
// sent < day, and the next start the same day sends it again, marked as
// possibly repeated (only a crash in the instant between Telegram's answer
// and the write of sent can make that a real repeat, and then the owner is
// told so). Sending first and recording after would double silently;
// recording "sent" first would lose the report whenever the send failed.
const (
	reportSentKey   = "report.sent_day"
	reportHandedKey = "report.handed_day"
)

// reportRetry is how long the scheduler waits after failing to read its
// records before it tries again; reportMaxWait caps any wait, so a host
// that slept through the report time (a suspended laptop: Go's timers do
// not count suspension) sends it at most this late.
const (
	reportRetry   = time.Minute
	reportMaxWait = 15 * time.Minute
	// reportLookahead bounds the search for the next trading day; the
	// longest KRX closure (설날 or 추석 with a weekend) is under two weeks.
	reportLookahead = 15
)

// reportStatus is what runReports has done, for tests and /status: how
// many reports it handed to the feed, how many times it went to sleep and
// until when. A scheduler that spins shows Waits climbing with the clock
// standing still.
type reportStatus struct {
	Sends int
	Waits int
	Next  time.Time
}

type reportState struct {
	mu sync.Mutex
	st reportStatus
}

func (r *reportState) get() reportStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

func (r *reportState) update(f func(*reportStatus)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.st)
}

// reportAt is when day's close report goes: HOGA_REPORT_TIME, but never
// before the session's close plus 10 minutes (on 수능 day the close is
// 16:30, so a 15:40 setting reports at 16:40); false on a closed day.
func (a *app) reportAt(day time.Time) (time.Time, bool) {
	s, ok := a.cal.SessionOn(day)
	if !ok {
		return time.Time{}, false
	}
	at := s.Date.Add(a.cfg.reportAt)
	if earliest := s.Close.Add(10 * time.Minute); at.Before(earliest) {
		at = earliest
	}
	return at, true
}

// planReport decides, at now, given the last KST day whose report is done
// (sent, or handed to the feed by this run), whether today's report is due
// now, and otherwise when the next one is. A report is due only on its own
// KST day: a start after midnight does not send yesterday's, because the
// report is computed from the clock's today (its fills, its balance) and
// yesterday's would be wrong; /daily shows it.
func (a *app) planReport(now time.Time, done string) (due bool, day string, next time.Time) {
	now = now.In(broker.KST())
	today := broker.Day(now)
	if at, ok := a.reportAt(now); ok && !now.Before(at) && done < today {
		return true, today, time.Time{}
	}
	for d := 0; d < reportLookahead; d++ {
		at, ok := a.reportAt(now.AddDate(0, 0, d))
		if ok && at.After(now) {
			return false, "", at
		}
	}
	return false, "", now.Add(24 * time.Hour) // no trading day ahead: look again later
}

// runReports sends the daily close report to the alert feed once per
// trading day (issue 17): at HOGA_REPORT_TIME after the close, skipped on
// closed days, not again after a restart the same day, and, when hoga was
// down at the time, at the next start before KST midnight.
func (a *app) runReports(ctx context.Context) error {
	handed := ""                  // the day whose report this run gave the feed
	since := a.feed.ErrorsSince() // zero: the day's errors of every run are counted
	for {
		sent, _, err := a.db.GetSetting(ctx, reportSentKey)
		var was string
		if err == nil {
			was, _, err = a.db.GetSetting(ctx, reportHandedKey)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// Without the record a report may be a repeat: wait, do not send.
			a.log.Warn("close report: cannot read whether today's went; trying again", "err", err, "in", reportRetry)
			if !a.reportWait(ctx, a.clock.Now().Add(reportRetry)) {
				return nil
			}
			continue
		}
		done := max(sent, handed)
		now := a.clock.Now()
		due, day, next := a.planReport(now, done)
		if due {
			// A report handed to the feed by an earlier run and never
			// confirmed delivered: it may or may not have arrived.
			again := was == day
			handed = day
			a.sendReport(ctx, day, again, since)
			continue
		}
		if !a.reportWait(ctx, minTime(next, now.Add(reportMaxWait))) {
			return nil
		}
	}
}

// reportWait sleeps until at on hoga's clock; false when asked to stop.
// It waits for an instant, not a duration from a fresh Now, so a clock
// that moved since the caller read it (a test's step, once it saw Waits
// grow) does not push the wake past at.
func (a *app) reportWait(ctx context.Context, at time.Time) bool {
	a.reports.update(func(s *reportStatus) { s.Waits++; s.Next = at })
	timer := a.clock.Until(at)
	select {
	case <-ctx.Done():
		timer.Stop()
		return false
	case <-timer.C():
		return true
	}
}

// sendReport records day as handed, then publishes its report; the feed's
// Delivered records it sent.
func (a *app) sendReport(ctx context.Context, day string, again bool, since time.Time) {
	if err := a.db.PutSetting(ctx, reportHandedKey, day); err != nil {
		// Sending anyway: a report the owner gets twice after a crash is
		// better than none.
		a.log.Warn("close report: cannot record it as handed to the feed", "day", day, "err", err)
	}
	n, lines := a.feed.ErrorsOn(day)
	text := a.router.CloseReport(ctx, bot.CloseReportInput{Again: again, Errors: n, ErrorLines: lines, Since: since})
	a.reports.update(func(s *reportStatus) { s.Sends++ })
	// An orders alert: it is about the day's trades, and the console
	// prints those (it leaves system notices to the log).
	a.feed.Publish(ctx, bot.Alert{Type: bot.AlertOrders, Text: text, Delivered: func() {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := a.db.PutSetting(wctx, reportSentKey, day); err != nil {
			a.log.Warn("close report delivered but not recorded; a restart today sends it again, marked as a possible repeat", "day", day, "err", err)
		}
	}})
	a.log.Info("close report handed to the alert feed", "day", day, "again", again)
	a.sendReportCharts(ctx, day)
}

// sendReportCharts follows the report with one chart per stock traded or
// watched (Router.Chart: the day's minute candles, the rule's thresholds
// and the exits' levels as lines, the fills as marks), each a photo with
// its caption. They are not part of the once-a-day record: a chart that
// fails is logged and skipped, and one lost to a crash is not sent again
// (/chart draws it on request).
func (a *app) sendReportCharts(ctx context.Context, day string) {
	for _, code := range a.router.ReportCodes(ctx) {
		if ctx.Err() != nil {
			return
		}
		png, caption, err := a.router.Chart(ctx, code)
		if err != nil {
			a.log.Warn("close report: no chart", "code", code, "err", err)
			continue
		}
		name := string(code) + "-" + strings.ReplaceAll(day, "-", "") + ".png"
		a.feed.Publish(ctx, bot.Alert{Type: bot.AlertOrders, Text: caption, Photo: &bot.Photo{PNG: png, Name: name}})
	}
}

// minTime is the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

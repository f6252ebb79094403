package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hoga-trade/hoga/broker"
)

// trackerSet is the order tracker's collectors (issue 14).
type trackerSet struct {
	fills      *prometheus.CounterVec
	fillAlert  prometheus.Histogram
	polls      *prometheus.CounterVec
	pollTime   prometheus.Histogram
	openOrders prometheus.Gauge
}

func newTrackerSet() trackerSet {
	return trackerSet{
		// Fills journaled, by how hoga learned of them first: stream
		// (the broker's push), poll (its order list), paper.
		fills: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hoga_fills_total", Help: "Fills journaled, by source (stream, poll, paper) and side.",
		}, []string{"source", "side"}),
		// From the broker's fill (its notice time, or when the poll saw
		// it) to the alert handed to the transports.
		fillAlert: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hoga_fill_alert_seconds",
			Help:    "Time from a fill (as the broker stamps it, or as hoga first saw it) to its alert leaving for the chats.",
			Buckets: []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60},
		}),
		// Polls of the broker's order list, by outcome; their duration
		// includes the client-side rate limiter's wait, which is their
		// cost in the broker's budget.
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hoga_tracker_polls_total", Help: "Order-list polls by the order tracker, by outcome (ok, error).",
		}, []string{"outcome"}),
		pollTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hoga_tracker_poll_seconds",
			Help:    "Duration of the order tracker's polls, rate-limiter waits and paging included.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10},
		}),
		openOrders: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hoga_tracker_open_orders", Help: "Orders the tracker follows (accepted or partly filled).",
		}),
	}
}

func (s trackerSet) collectors() []prometheus.Collector {
	return []prometheus.Collector{s.fills, s.fillAlert, s.polls, s.pollTime, s.openOrders}
}

// Fill counts a journaled fill and, when it was published, the time from
// the fill to its alert.
func (m *Metrics) Fill(f broker.Fill, alerted time.Time) {
	if m == nil {
		return
	}
	m.tracker.fills.WithLabelValues(string(f.Source), f.Side.String()).Inc()
	if !f.Late && !alerted.IsZero() && !f.Time.IsZero() {
		m.tracker.fillAlert.Observe(max(alerted.Sub(f.Time), 0).Seconds())
	}
}

// TrackerPoll records one poll and how many orders remain open.
func (m *Metrics) TrackerPoll(took time.Duration, err error, open int) {
	if m == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.tracker.polls.WithLabelValues(outcome).Inc()
	m.tracker.pollTime.Observe(took.Seconds())
	m.tracker.openOrders.Set(float64(open))
}

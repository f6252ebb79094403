package httpapi

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// readiness caches the last /readyz result. Its mutex is held while the
// checks run, so a burst of probes waits for one round instead of starting
// one each.
type readiness struct {
	mu   sync.Mutex
	at   time.Time
	last readyJSON
}

// handleHealthz is liveness: the process is up and serving. It checks
// nothing else, so a broker outage never gets hoga restarted.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz reports whether hoga can do its job: the broker answers a
// quote, and the configured extra checks pass. 200 when all do, else 503.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	res := s.checkReady(r.Context())
	status := http.StatusOK
	if !res.Ready {
		status = http.StatusServiceUnavailable
	}
	s.writeJSON(w, status, res)
}

func (s *Server) checkReady(ctx context.Context) readyJSON {
	s.ready.mu.Lock()
	defer s.ready.mu.Unlock()
	now := s.clock.Now()
	if !s.ready.at.IsZero() && now.Sub(s.ready.at) < s.cfg.ReadyCacheTTL {
		return s.ready.last
	}
	checks := append([]ReadyCheck{{Name: "broker", Check: func(ctx context.Context) error {
		_, err := s.cfg.Broker.Quote(ctx, s.cfg.ReadyCode)
		return err
	}}}, s.cfg.Ready...)
	out := readyJSON{Ready: true, CheckedAt: kst(now), Checks: make([]checkJSON, len(checks))}
	// The probe's own context is not used: a probe that hangs up would
	// otherwise cache a failure for everyone.
	base := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(base, s.cfg.ReadyTimeout)
			defer cancel()
			start := time.Now()
			err := c.Check(cctx)
			res := checkJSON{Name: c.Name, OK: err == nil, DurationMS: time.Since(start).Milliseconds()}
			if err != nil {
				res.Error = "failed"
				if e, ok := broker.AsError(err); ok {
					res.Error = e.Kind.String()
				} else if cctx.Err() != nil {
					res.Error = "timeout"
				}
				s.log.Warn("readiness check failed", "check", c.Name, "err", err)
			}
			out.Checks[i] = res
		})
	}
	wg.Wait()
	for _, c := range out.Checks {
		out.Ready = out.Ready && c.OK
	}
	s.ready.at, s.ready.last = now, out
	return out
}

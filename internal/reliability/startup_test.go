//go:build unix

package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// startupLine is the message hoga logs once it takes commands, with the
// time each step of start-up took (cmd/hoga startSteps).
const startupLine = "start-up: taking commands"

// startupSteps splits one restart, exec to /readyz 200, into its steps:
// "exec→main" (the process starting, the runtime and package init, up to
// serve), each step hoga's log line names, and "serving→ready" (from
// taking commands to the first 200 of /readyz: the server's goroutines
// starting and the probe's own checks, a quote from the broker among them).
// ok is false when the log has no such line.
func startupSteps(t0 time.Time, ready time.Duration, logs string) (names []string, steps []time.Duration, ok bool) {
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, startupLine) {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return nil, nil, false
		}
		var at time.Time
		var took time.Duration
		var inner []string
		var durs []time.Duration
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, nil, false
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, nil, false
			}
			key, _ := k.(string)
			switch key {
			case "time":
				if err := json.Unmarshal(v, &at); err != nil {
					return nil, nil, false
				}
			case "level", "msg":
			default:
				var ns int64
				if err := json.Unmarshal(bytes.TrimSpace(v), &ns); err != nil {
					continue
				}
				if key == "took" {
					took = time.Duration(ns)
					continue
				}
				inner, durs = append(inner, key), append(durs, time.Duration(ns))
			}
		}
		if at.IsZero() {
			return nil, nil, false
		}
		names = append(append([]string{"exec→main"}, inner...), "serving→ready")
		steps = append(append([]time.Duration{at.Add(-took).Sub(t0)}, durs...), t0.Add(ready).Sub(at))
		return names, steps, true
	}
	return nil, nil, false
}

// stepTable gathers the steps of every restart.
type stepTable struct {
	mu       sync.Mutex
	order    []string
	steps    map[string][]time.Duration
	restarts int
	missing  int
}

func (s *stepTable) add(t0 time.Time, ready time.Duration, logs *lockedBuffer) {
	// hoga writes the line before it serves /readyz, but the copy from
	// its stderr pipe into logs may still be on its way.
	names, steps, ok := startupSteps(t0, ready, logs.String())
	for wait := time.Now().Add(time.Second); !ok && time.Now().Before(wait); {
		time.Sleep(5 * time.Millisecond) // another process's pipe: nothing to wait on
		names, steps, ok = startupSteps(t0, ready, logs.String())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok {
		s.missing++
		return
	}
	if s.steps == nil {
		s.steps = map[string][]time.Duration{}
	}
	s.restarts++
	for i, n := range names {
		if _, seen := s.steps[n]; !seen {
			s.order = append(s.order, n)
		}
		s.steps[n] = append(s.steps[n], steps[i])
	}
}

// String is a table: per step, the median, p90 and max over the restarts.
func (s *stepTable) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "start-up steps over %d restarts (%d without the line), ms: median / p90 / max\n", s.restarts, s.missing)
	for _, n := range s.order {
		d := append([]time.Duration(nil), s.steps[n]...)
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		p90 := d[min(len(d)-1, (len(d)*9+9)/10-1)]
		fmt.Fprintf(&b, "  %-22s %7.1f %7.1f %7.1f\n", n, ms(d[len(d)/2]), ms(p90), ms(d[len(d)-1]))
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

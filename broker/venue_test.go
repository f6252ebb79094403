package broker

import (
	"context"
	"errors"
	"testing"
	"time"
)

type countingLister struct {
	calls map[Code]int
	fail  bool
}

func (l *countingLister) NXTListed(_ context.Context, c Code) (bool, error) {
	l.calls[c]++
	if l.fail {
		return false, errors.New("down")
	}
	return c == "005930", nil
}

// TestNXTListCache: each code is asked once per KST day; a new day asks
// again; an error is not remembered.
func TestNXTListCache(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 19, 0, 0, 0, KST())
	l := &countingLister{calls: map[Code]int{}}
	c := NewNXTListCache(l, func() time.Time { return now })
	ctx := context.Background()
	steps := []struct {
		advance time.Duration
		code    Code
		fail    bool
		want    bool
		calls   int // the lister's calls for code after the step
	}{
		{0, "005930", false, true, 1},
		{time.Minute, "005930", false, true, 1},
		{0, "000660", false, false, 1},
		{0, "000660", false, false, 1},
		{5 * time.Hour, "005930", false, true, 2}, // 00:00 KST: a new day
		{0, "035720", true, false, 1},
		{0, "035720", false, false, 2}, // the error was not cached
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		l.fail = s.fail
		got, err := c.NXTListed(ctx, s.code)
		if (err != nil) != s.fail || got != s.want || l.calls[s.code] != s.calls {
			t.Errorf("step %d (%s): %v, %v after %d calls; want %v after %d", i, s.code, got, err, l.calls[s.code], s.want, s.calls)
		}
	}
}

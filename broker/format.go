package broker

import (
	"strconv"
	"strings"
)

// Thousands formats n with thousands separators: 1234567 → "1,234,567".
// Won amounts and share counts read this way in every reply, log line
// and error, whichever package writes them.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
		s = s[1:]
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

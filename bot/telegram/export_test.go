package telegram

import "golang.org/x/time/rate"

// Unlimited is Limits with every rate infinite, for tests that count
// calls rather than pace them. (It was exported for the fake Bot API too,
// which never used it.)
func Unlimited() Limits {
	return Limits{PerChat: rate.Inf, PerGroup: rate.Inf, Global: rate.Inf, Refusals: rate.Inf}
}

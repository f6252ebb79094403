//go:build race

package guard

// raceEnabled: under -race the transpiled SQLite runs ~20× slower, so the
// long sequential tests trim their repetitions (they gain nothing from the
// detector; the concurrent tests keep their full size).
const raceEnabled = true

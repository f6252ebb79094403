// Package reliability is hoga's standing attack suite (issue 20, "a
// reliability suite that stays"). Its tests build the hoga binary and drive
// it as a process, the way a crash, a bad broker or a bad disk would meet
// it, against the broker fakes of broker/brokertest and the Telegram fake of
// bot/telegramtest, run inside the test binary:
//
//   - TestKillLoop: hoga under a stream of HTTP orders (KIS and Kiwoom, mock
//     and live), SIGKILLed at seeded random moments and restarted; after each
//     restart the fake's orders and the journal are compared (no duplicate,
//     no row lost, no "never placed" for an order the broker has) and the
//     time from exec to ready is measured;
//   - TestFaultMatrix: each broker fault at the order call (timeouts,
//     resets before and after sending, HTML 502, truncated, garbage,
//     dripping and huge bodies, token expiry) for both brokers;
//   - TestJournalFailures: a corrupt, locked, full or read-only journal;
//   - TestBadSettings: bad values for hoga's settings, each a fast exit 2.
//
// The tests are off unless -reliability is given, so `go test ./...` stays
// quick: .ci/run runs the short version (go test ./internal/reliability
// -args -reliability -kills=20) and .ci/reliability-long the long one
// (-kills=200 -matrix=full, then a minute of fuzzing per FuzzXxx target).
// RELIABILITY.md has the figures of the last long run.
package reliability

// Package kis is hoga's client for the Korea Investment & Securities
// "KIS Developers" REST API, domestic (KRX) stocks, real (실전) and mock
// (모의투자) accounts.
//
// The broker's rules it keeps, all from shared/broker-api/kis.md:
//   - one access token a minute at most, persisted per app key and mode so
//     a restart reuses it, renewed before it runs out (10 minutes before
//     expiry, and at 08:50 KST when it would otherwise expire during the
//     session); single-flight so concurrent callers share one issuance;
//   - a client-side token bucket (18/s live, 2/s mock by default) in front
//     of every request, and bounded exponential backoff on EGW00201;
//   - every body read and decoded whatever the HTTP status, rt_cd "0" as
//     the only success, msg_cd mapped to broker error kinds in one table;
//   - orders never sent twice: once an order request may have reached KIS,
//     any failure without a clear rejection is broker.UnknownOutcome, and
//     only a refused connection, a rate-limit rejection or a token
//     rejection (all of which prove KIS did nothing) is retried.
//
// App keys, secrets, tokens and account numbers are carried in types that
// log and print redacted (Secret, Account).
package kis

// Package kiwoom is hoga's client for Kiwoom Securities' REST API
// (api.kiwoom.com; mockapi.kiwoom.com for 모의투자). It implements
// broker.Broker over plain net/http and encoding/json.
//
// The wire facts come from shared/broker-api/kiwoom.md, which cites the
// official Kiwoom-Securities/Kiwoom-REST-API repository and reports from live
// accounts. Three facts shape this package more than any other:
//
//   - Every call is a POST whose api-id header picks the TR. The account
//     is implied by the token, so no account number is ever sent.
//   - Numbers arrive as strings in several dialects: direction-signed prices
//     ("-239500" is a price of 239,500 on a down day), zero-padded signed
//     15-character amounts ("-00000000196888"), commas and blanks. One
//     tolerant parser (number.go) reads them all.
//   - Failures come in two encodings: return_code as a small class with the
//     documented 4-digit code in brackets inside return_msg (observed live),
//     or return_code as the code itself (assumed by the official client).
//     errors.go reads both and maps the codes to broker kinds in one table.
//
// Orders are never resent once they may have reached Kiwoom: a timeout, a
// reset or a server error after the request was written is UnknownOutcome,
// left to broker/guard to reconcile with OrdersToday.
package kiwoom

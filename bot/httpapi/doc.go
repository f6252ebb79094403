// Package httpapi is hoga's optional HTTP control API (HOGA_HTTP_ADDR):
// the reach of the seed's Flask server, where an unauthenticated
// GET /buy/<code>/<qty> let a browser prefetch or a stranger trade, done
// safely. Orders take the same guarded path as chat commands (the
// broker/guard given as Config.Broker), so the kill switch, risk limits,
// KRX rules and the journal apply alike.
//
// Routes:
//
//	GET  /healthz        liveness; no auth
//	GET  /readyz         broker answers a quote (cached a few seconds), plus
//	                     Config.Ready checks; 200 or 503; no auth
//	GET  /metrics        Prometheus exposition of Config.Metrics; no auth
//	GET  /price/{code}   quote
//	GET  /balance        cash and holdings
//	GET  /chart/{code}   today's chart as image/png (as /chart sends it); with
//	                     Accept: application/json, {"caption", "png_base64", …}
//	GET  /orders         {"orders": [today's orders], "awaiting_confirmation": [...]}
//	GET  /orders/{id}    one order, by hoga's client id or the broker's number
//	POST /orders         {"code":"005930","side":"buy","qty":3,"type":"limit","price":198000}
//	                     or "type":"market" without a price, or "type":"close"
//	                     (KRX 시간외 종가, live accounts, in its sessions)
//	GET  /exits          the protective exits with their state, as /exits
//	POST /exits          {"code":"005930","kind":"stop","level":"-5%"}: arm one,
//	                     as /stop 005930 -5% (kind stop|take|trail; level as
//	                     the chat writes it, or a number: a price in won)
//	DELETE /exits/{code}[/{kind}]  remove the stock's exits, or one kind
//	GET  /profit?days=30       the chat's /profit as JSON, in won
//	GET  /daily?days=7         the chat's /daily: per KST day and the total
//	GET  /performance?days=30  the chat's /performance: per stock and the total
//
// Safety:
//
//   - Every route but the first three needs Authorization: Bearer <token>,
//     compared in constant time; 401 with WWW-Authenticate otherwise. With
//     no token configured those routes are off (403), and New refuses a
//     non-loopback address; a missing host means 127.0.0.1.
//   - GET never changes anything; only POST /orders orders (an exit's
//     sell is the exits book's, placed when it triggers, never by a
//     request).
//   - POST bodies are JSON only, size-limited, strictly decoded (unknown
//     fields and trailing data are 400).
//   - An Idempotency-Key makes a retried POST answer the first result
//     instead of ordering twice, across restarts too (the key maps to the
//     guard's client order id; the journal remembers it).
//     POST /exits with a key answers the first result too: in memory,
//     and after a restart from the exit's stored record of the key, so a
//     retry never re-arms a stop that has sold.
//   - In live mode a POST does not trade: the owner confirms in Telegram
//     (202 awaiting_confirmation; poll GET /orders/{id}).
//   - An order whose answer never came is 202 with state "unknown", not an
//     error inviting a resend.
//   - Read, write, idle and header timeouts; graceful shutdown lets an
//     order in flight finish.
//
// Errors are {"error": {"kind", "message", ...}} with the status from one
// table (see StatusFor), and messages in the chat's language.
package httpapi

// Package telegram carries hoga's control surface over Telegram: long
// polling through github.com/go-telegram/bot, every update checked against
// the allowed users before the router sees it, confirmation buttons for
// live orders, and the alert feed.
//
// Choices worth knowing:
//
//   - Authorization fails closed: New refuses an empty allowed list;
//     anonymous admins (sender_chat), channel posts and bots are refused
//     even when the id in "from" is allowed. A refused sender gets one
//     reply naming their id (at most one per RefusalInterval, so a
//     stranger cannot use the bot to flood a group), and the refusal is
//     logged with user, chat and the command word only.
//
//   - Order-affecting work runs on one lane, in arrival order: /buy,
//     /sell, /cancel, /halt, /resume, /rule and every button press. Reads
//     (/price, /orders, /balance, /status, /help, …) run beside it on a
//     few goroutines, so a slow broker order never delays a price. The
//     library dispatches updates one at a time (WithNotAsyncHandlers) to
//     a handler that only checks the sender and hands the work over, so
//     the lane sees updates in the order Telegram delivered them — a
//     mutex would serialise them too, but in whatever order goroutines
//     happen to reach it.
//
//   - Sending goes through one queue per chat, owned by Run: Telegram's
//     rates (about 1 message a second per chat, 20 a minute per group,
//     30 a second overall) through golang.org/x/time/rate on the injected
//     clock; 429 waits retry_after and resends; long messages are split on
//     line boundaries with open tags closed and reopened; a group upgraded
//     to a supergroup is followed; a 403 from the alert chat moves alerts
//     to the allowed users' private chats. Nothing is dropped except what
//     Telegram refuses outright or what is still queued when the shutdown
//     grace period ends.
//
//   - The token is never logged: the library scrubs it from its errors and
//     every error this package logs or returns is scrubbed again.
package telegram

// Package telegram carries hoga's control surface over Telegram: its own
// long-polling loop (poll.go; github.com/go-telegram/bot sends), every
// update checked against the allowed users before the router sees it,
// confirmation buttons for live orders, and the alert feed.
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
//   - Polling is hoga's own: retry_after is honoured, a long poll with no
//     answer past PollTimeout+PollGrace is a dead connection and is made
//     again, my_chat_member is requested (a kick from the alert chat moves
//     alerts at once), a second poller (409) is reported to the owners
//     after ConflictGrace, and polls failing for OfflineAfter take the
//     control surface down (OnSurface): hoga does not trade on its own
//     while nobody can reach it, and says so when it is back.
//
//   - Order-affecting work runs on one lane, in arrival order: /buy,
//     /sell, /cancel, /resume, /rule and every confirmation press. /halt
//     jumps the lane (the lane waits for it), and a command dated more
//     than a minute ahead of hoga's clock is refused. Reads
//     (/price, /orders, /balance, /status, /help, …) run beside it on a
//     few goroutines, so a slow broker order never delays a price. The
//     poll loop dispatches updates one at a time to a handler that only
//     checks the sender and hands the work over, so the lane sees updates
//     in the order Telegram delivered them — a mutex would serialise them
//     too, but in whatever order goroutines happen to reach it.
//
//   - Sending goes through one queue per chat, owned by Run and retired
//     when idle: Telegram's rates (about 1 message a second per chat, 20
//     in any minute per group, 30 a second overall) on the injected clock;
//     replies to strangers wait in one bounded queue that only uses spare
//     capacity, so they never delay an owner's reply; 429 waits
//     retry_after and resends; long messages are split on line boundaries
//     with open tags closed and reopened; a group upgraded to a supergroup
//     is followed; a 403 or "chat not found" from the alert chat moves
//     alerts to the allowed users' private chats and tells them once.
//     Nothing is dropped except what Telegram refuses outright, a
//     stranger's refusal when too many wait, or what is still queued when
//     the shutdown grace period ends.
//
//   - The token is never logged: the library scrubs it from its errors and
//     every error this package logs or returns is scrubbed again.
package telegram

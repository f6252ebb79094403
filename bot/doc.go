// Package bot is hoga's control surface, independent of any transport:
// it parses commands, checks who may give them, asks for confirmation
// before live orders, formats replies (Telegram HTML, in Korean or
// English), and formats the alert feed. bot/telegram, bot/console and
// bot/httpapi carry its requests and replies.
package bot

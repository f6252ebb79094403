// Package telegramtest is a fake Telegram Bot API server for tests and for
// trying hoga by hand without Telegram.
//
// It speaks the real wire format: requests at /bot<token>/<method> with
// multipart/form-data bodies (what github.com/go-telegram/bot sends), JSON
// or urlencoded bodies; answers {"ok":true,"result":…} or
// {"ok":false,"error_code":N,"description":"…","parameters":{…}}. It keeps
// the real rules that bite in production, so a bug shows up in a test and
// not on the owner's phone: empty copy_text buttons, callback data over 64
// bytes, texts over 4096 characters or empty, invalid HTML, a wrong token,
// one long poller at a time. Tests inject messages and button presses,
// make the next sends fail (429 with retry_after, 403, a group migrated to a
// supergroup), and wait on the recorded calls instead of sleeping.
//
// Where the fake is stricter than Telegram it says so: a bare "&" is
// refused (Telegram passes it through as text; the Bot API documentation
// asks for &amp;), so hoga's escaping is checked.
package telegramtest

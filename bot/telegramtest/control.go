package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// control serves the /_fake/ endpoints a person (or a shell script) uses
// to drive the fake by hand:
//
//	POST /_fake/send?user=123&text=/price%20005930   a message from user 123 (text may be the body,
//	     or a form's text field: curl --data-urlencode 'text=/buy 005930 1')
//	     optional: chat=-100…, date=<unix>|-90s, sender_chat=…, bot=1, channel=1, thread=…
//	POST /_fake/press?user=123&data=ok:…              press on the latest bot message with buttons
//	     optional: chat=…, message=<id>, button=<label> instead of data
//	GET  /_fake/sent[?chat=…]                         the bot's messages as they are now
//	GET  /_fake/calls                                 every API call, oldest first
//	POST /_fake/fault?kind=429&n=2&retry_after=1      also kind=403&chat=…, kind=gone&chat=… (400 chat not found), kind=migrate&chat=…&to=…,
//	     kind=revoke|restore (token 401), kind=hang&n=1 (dead long poll), kind=conflict|noconflict (409), kind=kick&chat=…
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	i64 := func(k string) int64 { n, _ := strconv.ParseInt(q.Get(k), 10, 64); return n }
	switch strings.TrimPrefix(r.URL.Path, "/_fake/") {
	case "send":
		if r.Method != http.MethodPost {
			httpError(w, http.StatusMethodNotAllowed, "POST only")
			return
		}
		text := q.Get("text")
		if text == "" {
			b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			text = strings.TrimSpace(string(b))
			// curl --data-urlencode 'text=/buy 005930 2 190000' (the
			// natural way to avoid %20) sends a form: the phone read
			// "text=%2Fbuy+005930…" as the message (issue 12, Kiwoom
			// walk). A form with a text field is read as one; any other
			// body is the text itself (curl -d '/price 005930').
			if form, err := url.ParseQuery(text); err == nil && form.Has("text") {
				text = form.Get("text")
				for k, v := range form {
					if k != "text" && !q.Has(k) {
						q[k] = v
					}
				}
			}
		}
		in := Incoming{From: i64("user"), Chat: i64("chat"), Text: text, SenderChat: i64("sender_chat"),
			IsBot: q.Get("bot") == "1", Channel: q.Get("channel") == "1", Thread: int(i64("thread"))}
		if d := q.Get("date"); d != "" {
			if ago, err := time.ParseDuration(d); err == nil {
				in.Date = s.clock.Now().Add(ago)
			} else if n, err := strconv.ParseInt(d, 10, 64); err == nil {
				in.Date = time.Unix(n, 0)
			} else {
				httpError(w, http.StatusBadRequest, "date must be unix seconds or a duration like -90s")
				return
			}
		}
		if in.From == 0 && !in.Channel {
			httpError(w, http.StatusBadRequest, "user is required")
			return
		}
		writeJSON(w, s.Send(in))
	case "press":
		if r.Method != http.MethodPost {
			httpError(w, http.StatusMethodNotAllowed, "POST only")
			return
		}
		user, chat, msgID := i64("user"), i64("chat"), int(i64("message"))
		if chat == 0 {
			chat = user
		}
		if msgID == 0 {
			msgs := s.BotMessages(chat)
			for i := len(msgs) - 1; i >= 0; i-- {
				if len(msgs[i].Buttons()) > 0 {
					msgID = msgs[i].MessageID
					break
				}
			}
		}
		if msgID == 0 {
			httpError(w, http.StatusNotFound, "no bot message with buttons in that chat")
			return
		}
		var id string
		var err error
		if label := q.Get("button"); label != "" {
			id, err = s.PressButton(user, chat, msgID, label)
		} else {
			id, err = s.Press(user, chat, msgID, q.Get("data"))
		}
		if err != nil {
			httpError(w, http.StatusNotFound, err.Error())
			return
		}
		writeJSON(w, map[string]any{"callback_query_id": id, "message_id": msgID})
	case "sent":
		type sent struct {
			Chat int64 `json:"chat"`
			Message
			HTML    string   `json:"html"`
			Buttons []Button `json:"buttons,omitempty"`
		}
		var out []sent
		s.mu.Lock()
		var chats []int64
		for id := range s.chats {
			if q.Get("chat") == "" || id == i64("chat") {
				chats = append(chats, id)
			}
		}
		s.mu.Unlock()
		slices.Sort(chats)
		for _, c := range chats {
			for _, m := range s.BotMessages(c) {
				out = append(out, sent{Chat: c, Message: m, HTML: m.HTML, Buttons: m.Buttons()})
			}
		}
		writeJSON(w, out)
	case "calls":
		writeJSON(w, s.Calls())
	case "phone":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, s.Phone(i64("chat"), int(i64("width"))))
	case "fault":
		if r.Method != http.MethodPost {
			httpError(w, http.StatusMethodNotAllowed, "POST only")
			return
		}
		switch q.Get("kind") {
		case "429":
			n, ra := int(i64("n")), int(i64("retry_after"))
			if n <= 0 {
				n = 1
			}
			if ra <= 0 {
				ra = 1
			}
			s.TooManyRequests(n, ra)
		case "403":
			s.Forbid(i64("chat"))
		case "gone":
			s.Lose(i64("chat"))
		case "revoke": // the token revoked: every call answers 401 until restore
			s.RevokeToken()
		case "restore":
			s.RestoreToken()
		case "hang": // the next n long polls never answer (a half-open connection)
			s.HangPolls(max(1, int(i64("n"))))
		case "conflict": // another poller on the token until noconflict
			s.Conflict(true)
		case "noconflict":
			s.Conflict(false)
		case "kick": // the bot removed from chat (my_chat_member is sent)
			s.Kick(i64("chat"), i64("user"))
		case "migrate":
			s.Migrate(i64("chat"), i64("to"))
		case "down": // Telegram unreachable (connections cut) until up
			s.Down(true)
		case "up":
			s.Down(false)
		default:
			httpError(w, http.StatusBadRequest, "kind must be 429, 403, gone, migrate, revoke, restore, hang, conflict, noconflict, kick, down or up")
			return
		}
		writeJSON(w, map[string]bool{"ok": true})
	default:
		httpError(w, http.StatusNotFound, "unknown control endpoint; see /_fake/send, /_fake/press, /_fake/sent, /_fake/calls, /_fake/phone, /_fake/fault")
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func httpError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

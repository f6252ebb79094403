package telegramtest

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Incoming describes a message to inject, as if someone had sent it.
type Incoming struct {
	From int64 // the sender's user id (ignored for channel posts)
	// Chat is the chat it is sent in; 0 means the sender's private chat.
	// Negative ids are groups (-100… supergroups).
	Chat int64
	Text string
	// Date is when it was sent; zero means now (the server's clock).
	Date time.Time
	// SenderChat marks a message sent on behalf of a chat: an anonymous
	// group admin (SenderChat = the group; From becomes GroupAnonymousBot
	// unless set) or a linked channel.
	SenderChat int64
	IsBot      bool // the sender is a bot
	Thread     int  // forum topic (message_thread_id)
	Channel    bool // a channel post: delivered as channel_post
	Edited     bool // delivered as edited_message
	Username   string
}

// Send queues the message as an update and returns it.
func (s *Server) Send(in Incoming) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID := in.Chat
	if chatID == 0 {
		chatID = in.From
	}
	st := s.chat(chatID)
	if in.Channel && st.chat.Type != "channel" {
		st.chat.Type = "channel"
	}
	if in.Thread != 0 {
		st.chat.IsForum = true
	}
	date := in.Date
	if date.IsZero() {
		date = s.clock.Now()
	}
	m := &Message{Date: date.Unix(), Text: in.Text, ThreadID: in.Thread, IsTopicMessage: in.Thread != 0}
	if strings.HasPrefix(in.Text, "/") {
		word, _, _ := strings.Cut(in.Text, " ")
		m.Entities = []Entity{{Type: "bot_command", Offset: 0, Length: len(utf16.Encode([]rune(word)))}}
	}
	switch {
	case in.Channel:
		c := st.chat
		m.SenderChat = &c
	default:
		u := User{ID: in.From, IsBot: in.IsBot, FirstName: "user" + itoa(in.From), Username: in.Username, LanguageCode: "ko"}
		if in.SenderChat != 0 {
			sc := s.chat(in.SenderChat).chat
			m.SenderChat = &sc
			if in.From == 0 {
				u = GroupAnonymousBot
			}
		}
		m.From = &u
	}
	st.add(m)
	out := *m
	u := Update{}
	switch {
	case in.Channel:
		u.ChannelPost = &out
	case in.Edited:
		u.EditedMessage = &out
	default:
		u.Message = &out
	}
	s.queue(u)
	return out
}

// Press injects a press of a button on the bot's message messageID in
// chat, by user from, carrying data. It does not check that the message
// shows a button with that data, so a test can forge one; use PressButton
// to press like a client. It returns the callback query id.
func (s *Server) Press(from, chat int64, messageID int, data string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pressLocked(from, chat, messageID, data)
}

func (s *Server) pressLocked(from, chat int64, messageID int, data string) (string, error) {
	st, ok := s.chats[chat]
	if !ok {
		return "", fmt.Errorf("telegramtest: no chat %d", chat)
	}
	m, ok := st.msgs[messageID]
	if !ok {
		return "", fmt.Errorf("telegramtest: no message %d in chat %d", messageID, chat)
	}
	s.nextQuery++
	q := &CallbackQuery{
		ID:           strconv.Itoa(4000000 + s.nextQuery),
		From:         User{ID: from, FirstName: "user" + itoa(from), LanguageCode: "ko"},
		ChatInstance: "ci" + itoa(chat),
		Data:         data,
	}
	msg := *m
	q.Message = &msg
	s.queries[q.ID] = q
	s.queue(Update{CallbackQuery: q})
	return q.ID, nil
}

// PressButton presses the button labelled label on the bot's message, as a
// client would: it fails when the message shows no such button (for
// example after the bot removed its keyboard).
func (s *Server) PressButton(from, chat int64, messageID int, label string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.chats[chat]
	if !ok {
		return "", fmt.Errorf("telegramtest: no chat %d", chat)
	}
	m, ok := st.msgs[messageID]
	if !ok {
		return "", fmt.Errorf("telegramtest: no message %d in chat %d", messageID, chat)
	}
	var labels []string
	for _, b := range m.Buttons() {
		if b.Text == label && b.CallbackData != "" {
			return s.pressLocked(from, chat, messageID, b.CallbackData)
		}
		labels = append(labels, strconv.Quote(b.Text))
	}
	// The buttons it has: hoga in English labels them Confirm and
	// Don't order, and button=확인 (the hint the command prints) only
	// said "no button" (issue 12).
	return "", fmt.Errorf("telegramtest: message %d in chat %d has no button %q; its buttons: %s", messageID, chat, label, strings.Join(labels, ", "))
}

// TooManyRequests makes the next n chat writes (sendMessage, edits)
// answer 429 with retry_after seconds.
func (s *Server) TooManyRequests(n, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tooMany, s.retryAfter = n, retryAfter
}

// Forbid makes writes to chat answer 403, as when the bot was removed from
// a group or blocked by a user.
func (s *Server) Forbid(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forbidden[chat] = true
}

// Lose makes writes to chat answer 400 "chat not found", as for a group
// that was deleted or an id that was never a chat the bot is in.
func (s *Server) Lose(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lost[chat] = true
}

// RevokeToken makes every request answer 401, as after /revoke in
// @BotFather; RestoreToken undoes it (a new token put in place).
func (s *Server) RevokeToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = true
}

// RestoreToken accepts the token again.
func (s *Server) RestoreToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = false
}

// HangPolls makes the next n getUpdates requests never answer, as over a
// half-open connection: the client must notice on its own.
func (s *Server) HangPolls(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangPolls = n
}

// Down makes Telegram unreachable, as in an outage or when the host's
// network drops: from now on every Bot API request (long polls already
// waiting included) has its connection closed without an answer, and
// nothing it asked for happens. Down(false) brings Telegram back; messages
// sent by users meanwhile (Send) wait in the update queue, as on Telegram.
func (s *Server) Down(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case on && !s.down:
		close(s.downCh) // releases parked polls; cutOff then drops them
	case !on && s.down:
		s.downCh = make(chan struct{})
	}
	s.down = on
}

// DroppedWhileDown is how many Bot API requests Down cut off.
func (s *Server) DroppedWhileDown() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.droppedDown
}

// cutOff closes the request's connection without an answer when Telegram
// is down, and says whether it did.
func (s *Server) cutOff(w http.ResponseWriter) bool {
	s.mu.Lock()
	down := s.down
	if down {
		s.droppedDown++
	}
	s.mu.Unlock()
	if !down {
		return false
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return true
		}
	}
	w.WriteHeader(http.StatusBadGateway) // not hijackable (HTTP/2): the nearest thing, a proxy's 502
	return true
}

// PollTooMany makes the next getUpdates answer 429 with retry_after.
func (s *Server) PollTooMany(retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pollTooMany = retryAfter
}

// Conflict simulates another program polling the same token: while on,
// every getUpdates answers 409 "terminated by other getUpdates request".
func (s *Server) Conflict(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conflict = on
}

// AnswerTooMany makes the next n answerCallbackQuery calls answer 429
// with retry_after 1.
func (s *Server) AnswerTooMany(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answerTooMany = n
}

// Kick removes the bot from a group (or a user blocks it): writes to chat
// answer 403 from now on, and a my_chat_member update says so, as
// Telegram sends one to a bot that asked for them.
func (s *Server) Kick(chat int64, by int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forbidden[chat] = true
	st := s.chat(chat).chat
	status := "kicked"
	if st.Type == "private" {
		by = chat
	}
	s.queue(Update{MyChatMember: &ChatMemberUpdated{Chat: st, From: User{ID: by, FirstName: "user" + itoa(by)},
		Date: s.clock.Now().Unix(), OldChatMember: ChatMember{User: s.me, Status: "member"},
		NewChatMember: ChatMember{User: s.me, Status: status}}})
}

// Parked is how many getUpdates requests are waiting for an update now.
func (s *Server) Parked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.parked
}

// Migrate makes writes to the group chat answer 400 with
// migrate_to_chat_id = to, as after an upgrade to a supergroup.
func (s *Server) Migrate(chat, to int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.migrated[chat] = to
	st := s.chat(to)
	st.chat.Type = "supergroup"
}

// SetWebhook simulates a webhook left set by another deployment: getUpdates
// answers 409 until deleteWebhook is called.
func (s *Server) SetWebhook(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = url
}

// AddChat makes a chat known (getChat finds it) without a message.
func (s *Server) AddChat(c Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.chat(c.ID)
	if c.Type != "" {
		st.chat = c
	}
}

// Call is one request the fake answered.
type Call struct {
	Seq         int
	Method      string            // as in the URL: "sendMessage"
	Params      map[string]string // form fields; JSON-valued ones as JSON text
	Status      int               // 200, or the error_code answered
	Description string            // the error description
	RetryAfter  int               // parameters.retry_after answered
	MigrateTo   int64             // parameters.migrate_to_chat_id answered
	Message     *Message          // the message sent or edited, when OK
}

// OK reports whether the call succeeded.
func (c Call) OK() bool { return c.Status == 200 }

// ChatID is the chat_id parameter, 0 if absent or not numeric.
func (c Call) ChatID() int64 {
	id, _ := strconv.ParseInt(c.Params["chat_id"], 10, 64)
	return id
}

// Is reports whether the call is of method (case-insensitive).
func (c Call) Is(method string) bool { return strings.EqualFold(c.Method, method) }

// Calls returns every call so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallCount is how many calls have been recorded: a mark for WaitCall.
func (s *Server) CallCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// WaitCall waits for the first call at or after index from (a CallCount
// mark) that match accepts, and returns it; it fails when ctx ends first.
func (s *Server) WaitCall(ctx context.Context, from int, match func(Call) bool) (Call, error) {
	for {
		s.mu.Lock()
		var fresh []Call
		if from < len(s.calls) {
			fresh = append(fresh, s.calls[from:]...)
		}
		from = len(s.calls)
		changed := s.callsChanged
		s.mu.Unlock()
		for _, c := range fresh { // match may call back into the server
			if match(c) {
				return c, nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Call{}, fmt.Errorf("telegramtest: waiting for a call: %w", ctx.Err())
		}
	}
}

// WaitPolling waits until a getUpdates request is parked waiting for an
// update: the client is running and caught up.
func (s *Server) WaitPolling(ctx context.Context) error {
	for {
		s.mu.Lock()
		parked, changed := s.parked, s.callsChanged
		s.mu.Unlock()
		if parked > 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("telegramtest: waiting for a long poll: %w", ctx.Err())
		}
	}
}

// WaitDrained waits until the client has taken every queued update: none
// is left and a poll is parked, so each was handed to the client and
// confirmed by a later offset.
func (s *Server) WaitDrained(ctx context.Context) error {
	for {
		s.mu.Lock()
		done, changed := s.parked > 0 && len(s.updates) == 0, s.callsChanged
		s.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("telegramtest: waiting for the client to take every update: %w", ctx.Err())
		}
	}
}

// WaitCalls waits until cond accepts the whole list of calls.
func (s *Server) WaitCalls(ctx context.Context, cond func([]Call) bool) ([]Call, error) {
	for {
		s.mu.Lock()
		calls := append([]Call(nil), s.calls...)
		changed := s.callsChanged
		s.mu.Unlock()
		if cond(calls) {
			return calls, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return calls, fmt.Errorf("telegramtest: waiting for calls: %w", ctx.Err())
		}
	}
}

// Messages returns the chat as its members see it now, oldest first:
// injected messages and the bot's, with edits applied.
func (s *Server) Messages(chat int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.chats[chat]
	if !ok {
		return nil
	}
	out := make([]Message, 0, len(st.order))
	for _, id := range st.order {
		out = append(out, *st.msgs[id])
	}
	return out
}

// BotMessages returns the messages the bot sent in chat, oldest first.
func (s *Server) BotMessages(chat int64) []Message {
	var out []Message
	for _, m := range s.Messages(chat) {
		if m.From != nil && m.From.ID == s.me.ID {
			out = append(out, m)
		}
	}
	return out
}

// Message returns one message of chat as it is now.
func (s *Server) Message(chat int64, id int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.chats[chat]
	if !ok {
		return Message{}, false
	}
	m, ok := st.msgs[id]
	if !ok {
		return Message{}, false
	}
	return *m, true
}

// Unanswered lists the callback queries no answerCallbackQuery has
// answered yet.
func (s *Server) Unanswered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.queries {
		out = append(out, id)
	}
	return out
}

// Commands returns the command list set for the default scope and
// language code lang ("" is the list for every language); see MenuFor for
// what a given user sees.
func (s *Server) Commands(lang string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand(nil), s.commands[menuKey("default", lang)]...)
}

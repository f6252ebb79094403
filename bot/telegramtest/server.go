package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hoga-trade/hoga/clock"
)

// GroupAnonymousBot is the user Telegram puts in "from" when a group admin
// posts anonymously (sender_chat is then the group).
var GroupAnonymousBot = User{ID: 1087968824, IsBot: true, FirstName: "Group", Username: "GroupAnonymousBot"}

// Config builds a Server.
type Config struct {
	// Token is the one token the fake accepts; others get 401. Telegram
	// tokens are "<bot id>:<secret>"; the bot's user id is taken from it.
	Token string
	// BotUsername is what getMe says (default "hoga_bot").
	BotUsername string
	// Clock dates messages (default: the wall clock). Long-poll timeouts
	// are wall-clock: they bound a real HTTP request.
	Clock clock.Clock
	// GroupLimit is how many messages one group takes in any 60 seconds of
	// Clock before sendMessage answers 429 (default 20, Telegram's limit;
	// negative: no limit).
	GroupLimit int
}

// Server is the fake Bot API. Safe for concurrent use.
type Server struct {
	// URL is the base URL to give the client (HOGA_TELEGRAM_API_URL); set
	// by Start.
	URL string

	cfg   Config
	clock clock.Clock
	me    User
	hs    *httptest.Server

	closeOnce sync.Once
	closed    chan struct{}

	mu             sync.Mutex
	callsChanged   chan struct{} // closed and replaced when a call is recorded or a poll parks
	parked         int           // getUpdates requests waiting for an update
	updatesChanged chan struct{} // closed and replaced when an update is queued
	pollKick       chan struct{} // closed when a newer getUpdates starts
	updates        []Update
	nextUpdate     int64
	allowed        map[string]bool // allowed_updates as last set; nil: all
	webhook        string
	calls          []Call
	chats          map[int64]*chatState
	queries        map[string]*CallbackQuery // pressed, not yet answered
	nextQuery      int
	tooMany        int // answer the next tooMany chat writes with 429
	retryAfter     int
	forbidden      map[int64]bool
	lost           map[int64]bool // chats that answer "chat not found"
	revoked        bool           // the token was revoked: every call answers 401
	hangPolls      int            // the next hangPolls getUpdates never answer (a half-open connection)
	pollTooMany    int            // retry_after for the next getUpdates (429), 0: none
	conflict       bool           // another poller holds the token: getUpdates answers 409
	answerTooMany  int            // answer the next answerTooMany answerCallbackQuery with 429
	migrated       map[int64]int64
	commands       map[string][]BotCommand // by scope key and language_code (menuKey)
	groupSent      map[int64][]time.Time   // recent sendMessage times per group
	down           bool                    // Telegram is unreachable (Down)
	downCh         chan struct{}           // closed when Down(true), to cut parked polls; replaced by Down(false)
	droppedDown    int                     // Bot API requests cut off while down
}

type chatState struct {
	chat   Chat
	nextID int
	msgs   map[int]*Message
	order  []int
}

// New returns a Server that is not listening: use it as an http.Handler
// (cmd/faketelegram does) or call Start.
func New(cfg Config) *Server {
	if cfg.BotUsername == "" {
		cfg.BotUsername = "hoga_bot"
	}
	id, _ := strconv.ParseInt(strings.SplitN(cfg.Token, ":", 2)[0], 10, 64)
	if id <= 0 {
		id = 7000000001
	}
	return &Server{
		cfg:            cfg,
		clock:          clock.Or(cfg.Clock),
		me:             User{ID: id, IsBot: true, FirstName: "hoga", Username: cfg.BotUsername},
		closed:         make(chan struct{}),
		callsChanged:   make(chan struct{}),
		updatesChanged: make(chan struct{}),
		pollKick:       make(chan struct{}),
		downCh:         make(chan struct{}),
		chats:          map[int64]*chatState{},
		queries:        map[string]*CallbackQuery{},
		forbidden:      map[int64]bool{},
		lost:           map[int64]bool{},
		migrated:       map[int64]int64{},
		commands:       map[string][]BotCommand{},
		groupSent:      map[int64][]time.Time{},
	}
}

// Start returns a Server listening on a local port; Close stops it.
func Start(cfg Config) *Server {
	s := New(cfg)
	s.hs = httptest.NewServer(s)
	s.URL = s.hs.URL
	return s
}

// Close releases long polls and stops the listener started by Start.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	if s.hs != nil {
		s.hs.Close()
	}
}

// ServeHTTP answers /bot<token>/<method> like the Bot API and /_fake/…
// control requests (control.go).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_fake/") {
		s.control(w, r)
		return
	}
	if s.cutOff(w) {
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || method == "" || strings.Contains(method, "/") {
		writeResponse(w, response{ErrorCode: 404, Description: "Not Found"})
		return
	}
	s.mu.Lock()
	revoked := s.revoked
	s.mu.Unlock()
	if token != s.cfg.Token || revoked {
		s.record(Call{Method: method, Status: 401, Description: "Unauthorized"})
		writeResponse(w, response{ErrorCode: 401, Description: "Unauthorized"})
		return
	}
	params, files, err := readParams(r)
	if err != nil {
		desc := "Bad Request: " + err.Error()
		s.record(Call{Method: method, Status: 400, Description: desc})
		writeResponse(w, response{ErrorCode: 400, Description: desc})
		return
	}
	result, msg, aerr := s.dispatch(r.Context(), method, params, files)
	call := Call{Method: method, Params: params, Status: 200}
	if msg != nil {
		m := *msg
		call.Message = &m
	}
	resp := response{OK: true, Result: result}
	if aerr != nil {
		call.Status, call.Description = aerr.code, aerr.desc
		if aerr.params != nil {
			call.RetryAfter, call.MigrateTo = aerr.params.RetryAfter, aerr.params.MigrateToChatID
		}
		resp = response{ErrorCode: aerr.code, Description: aerr.desc, Parameters: aerr.params}
	}
	if s.cutOff(w) { // went down while the request was being served (a parked poll)
		return
	}
	if r.Context().Err() == nil { // a long poll the client gave up on is not a call
		s.record(call)
	}
	writeResponse(w, resp)
}

func writeResponse(w http.ResponseWriter, resp response) {
	w.Header().Set("Content-Type", "application/json")
	status := http.StatusOK
	if !resp.OK {
		status = resp.ErrorCode
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}

// readParams reads a Bot API request's parameters from the query and the
// body (multipart/form-data, JSON or urlencoded). Values are strings;
// JSON-valued fields (reply_markup, commands) stay JSON text, as they are
// in a form. Files uploaded in a multipart form are returned by field
// name.
func readParams(r *http.Request) (map[string]string, map[string]upload, error) {
	files := map[string]upload{}
	params := map[string]string{}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 50<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("reading body: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return params, files, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), ctParams["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, nil, fmt.Errorf("can't parse multipart form: %w", err)
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return nil, nil, fmt.Errorf("can't read form part: %w", err)
			}
			if p.FileName() == "" {
				params[p.FormName()] = string(data)
			} else {
				files[p.FormName()] = upload{name: p.FileName(), data: data}
			}
		}
	case "application/json":
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, nil, fmt.Errorf("can't parse JSON request body: %w", err)
		}
		for k, v := range m {
			params[k] = rawString(v)
		}
	case "application/x-www-form-urlencoded", "":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, nil, fmt.Errorf("can't parse form: %w", err)
		}
		for k, v := range vals {
			params[k] = v[0]
		}
	default:
		return nil, nil, fmt.Errorf("unsupported Content-Type %q", ct)
	}
	return params, files, nil
}

// upload is a file sent in a multipart form.
type upload struct {
	name string
	data []byte
}

func (s *Server) dispatch(ctx context.Context, method string, p map[string]string, files map[string]upload) (any, *Message, *apiError) {
	switch strings.ToLower(method) { // Bot API method names are case-insensitive
	case "getme":
		return s.me, nil, nil
	case "getupdates":
		res, err := s.getUpdates(ctx, p)
		return res, nil, err
	case "deletewebhook":
		s.mu.Lock()
		s.webhook = ""
		s.mu.Unlock()
		return true, nil, nil
	case "getwebhookinfo":
		s.mu.Lock()
		defer s.mu.Unlock()
		return map[string]any{"url": s.webhook, "has_custom_certificate": false, "pending_update_count": len(s.updates)}, nil, nil
	case "sendmessage":
		m, err := s.sendMessage(p)
		return m, m, err
	case "sendphoto":
		m, err := s.sendPhoto(p, files)
		return m, m, err
	case "editmessagetext":
		m, err := s.editMessage(p, true)
		return m, m, err
	case "editmessagereplymarkup":
		m, err := s.editMessage(p, false)
		return m, m, err
	case "sendchataction":
		return s.sendChatAction(p)
	case "answercallbackquery":
		return s.answerCallbackQuery(p)
	case "setmycommands":
		return s.setMyCommands(p)
	case "getmycommands":
		key, aerr := s.scopeKey(p["scope"])
		if aerr != nil {
			return nil, nil, aerr
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return append([]BotCommand{}, s.commands[menuKey(key, p["language_code"])]...), nil, nil
	case "deletemycommands":
		key, aerr := s.scopeKey(p["scope"])
		if aerr != nil {
			return nil, nil, aerr
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.commands, menuKey(key, p["language_code"]))
		return true, nil, nil
	case "getchat":
		return s.getChat(p)
	}
	return nil, nil, &apiError{code: 404, desc: "Not Found"}
}

func (s *Server) getUpdates(ctx context.Context, p map[string]string) (any, *apiError) {
	offset, _ := strconv.ParseInt(p["offset"], 10, 64)
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	var allowed []string
	if a := p["allowed_updates"]; a != "" {
		if err := json.Unmarshal([]byte(a), &allowed); err != nil {
			return nil, badRequest("can't parse allowed updates")
		}
	}

	s.mu.Lock()
	if s.webhook != "" {
		s.mu.Unlock()
		return nil, &apiError{code: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if s.conflict {
		s.mu.Unlock()
		return nil, &apiError{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
	}
	if ra := s.pollTooMany; ra > 0 {
		s.pollTooMany = 0
		s.mu.Unlock()
		return nil, &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", ra), params: &responseParams{RetryAfter: ra}}
	}
	if s.hangPolls > 0 { // the connection is dead: nothing comes back, not even at the timeout
		s.hangPolls--
		s.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-s.closed:
		}
		return []Update{}, nil
	}
	if p["allowed_updates"] != "" { // unset keeps the previous setting
		s.allowed = nil
		if len(allowed) > 0 {
			s.allowed = map[string]bool{}
			for _, a := range allowed {
				s.allowed[a] = true
			}
		}
	}
	close(s.pollKick) // a newer poll ends an older one, as on Telegram
	s.pollKick = make(chan struct{})
	kick := s.pollKick
	switch {
	case offset > 0:
		s.updates = slices.DeleteFunc(s.updates, func(u Update) bool { return u.UpdateID < offset })
	case offset < 0:
		if n := int(-offset); n < len(s.updates) {
			s.updates = s.updates[len(s.updates)-n:]
		}
	}
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		timer = t.C
	}
	for {
		if s.allowed != nil { // Telegram never creates updates of other types
			s.updates = slices.DeleteFunc(s.updates, func(u Update) bool { return !s.allowed[u.kind()] })
		}
		if len(s.updates) > 0 || timer == nil {
			out := append([]Update{}, s.updates[:min(limit, len(s.updates))]...)
			s.mu.Unlock()
			return out, nil
		}
		changed, down := s.updatesChanged, s.downCh
		s.setParked(+1)
		s.mu.Unlock()
		var res any
		var aerr *apiError
		select {
		case <-changed:
		case <-kick:
			aerr = &apiError{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		case <-timer:
			res = []Update{}
		case <-ctx.Done():
			res = []Update{}
		case <-s.closed:
			res = []Update{}
		case <-down: // Telegram went down: ServeHTTP cuts the connection
			res = []Update{}
		}
		s.mu.Lock()
		s.setParked(-1)
		if res != nil || aerr != nil {
			s.mu.Unlock()
			return res, aerr
		}
	}
}

// chatFault answers a write to chatID with the fault a test set up, if
// any. Called with s.mu held.
func (s *Server) chatFault(chatID int64) *apiError {
	if s.tooMany > 0 {
		s.tooMany--
		return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", s.retryAfter),
			params: &responseParams{RetryAfter: s.retryAfter}}
	}
	if to, ok := s.migrated[chatID]; ok {
		return &apiError{code: 400, desc: "Bad Request: group chat was upgraded to a supergroup chat",
			params: &responseParams{MigrateToChatID: to}}
	}
	if s.forbidden[chatID] {
		return forbidden(chatID)
	}
	if s.lost[chatID] {
		return badRequest("chat not found")
	}
	return nil
}

// groupFlood counts a message to a group and answers 429 when the group
// already had GroupLimit messages in the last 60 seconds, with retry_after
// until the oldest leaves the window. Called with s.mu held.
func (s *Server) groupFlood(chatID int64) *apiError {
	limit := s.cfg.GroupLimit
	if chatID > 0 || limit < 0 {
		return nil
	}
	if limit == 0 {
		limit = 20
	}
	now := s.clock.Now()
	sent := s.groupSent[chatID]
	for len(sent) > 0 && now.Sub(sent[0]) >= time.Minute {
		sent = sent[1:]
	}
	if len(sent) >= limit {
		s.groupSent[chatID] = sent
		wait := int((sent[0].Add(time.Minute).Sub(now) + time.Second - 1) / time.Second)
		return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", wait),
			params: &responseParams{RetryAfter: wait}}
	}
	s.groupSent[chatID] = append(sent, now)
	return nil
}

func forbidden(chatID int64) *apiError {
	switch chatType(chatID) {
	case "private":
		return &apiError{code: 403, desc: "Forbidden: bot was blocked by the user"}
	case "supergroup":
		return &apiError{code: 403, desc: "Forbidden: bot was kicked from the supergroup chat"}
	}
	return &apiError{code: 403, desc: "Forbidden: bot was kicked from the group chat"}
}

func parseChatID(v string) (int64, *apiError) {
	if v == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id == 0 {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

// checkText validates a message text as Telegram does and returns what the
// reader sees.
func checkText(text, parseMode string) (string, *apiError) {
	plain := text
	switch strings.ToLower(parseMode) {
	case "html":
		var err error
		if plain, err = ParseHTML(text); err != nil {
			return "", badRequest("can't parse entities: " + err.Error())
		}
	case "":
		if !utf8.ValidString(text) {
			return "", badRequest("text must be encoded in UTF-8")
		}
	case "markdown", "markdownv2":
	default:
		return "", badRequest("unsupported parse_mode")
	}
	if strings.TrimSpace(plain) == "" {
		return "", badRequest("message text is empty")
	}
	if UTF16Len(plain) > MaxTextLength {
		return "", badRequest("message is too long")
	}
	return plain, nil
}

// parseMarkup checks reply_markup. Only inline keyboards are kept; an
// empty one means no keyboard.
func parseMarkup(raw string) (*InlineKeyboardMarkup, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &top); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	kb, ok := top["inline_keyboard"]
	if !ok {
		for _, k := range []string{"keyboard", "remove_keyboard", "force_reply"} {
			if _, ok := top[k]; ok {
				return nil, nil
			}
		}
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	var rows [][]map[string]json.RawMessage
	if err := json.Unmarshal(kb, &rows); err != nil {
		return nil, badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
	}
	out := &InlineKeyboardMarkup{}
	for _, row := range rows {
		var outRow []Button
		for _, fields := range row {
			b, err := checkButton(fields)
			if err != nil {
				return nil, err
			}
			outRow = append(outRow, b)
		}
		if len(outRow) > 0 {
			out.InlineKeyboard = append(out.InlineKeyboard, outRow)
		}
	}
	if len(out.InlineKeyboard) == 0 {
		return nil, nil
	}
	return out, nil
}

// parseReplyKeyboard checks a ReplyKeyboardMarkup ("keyboard") and returns
// its button texts; nil for any other markup.
func parseReplyKeyboard(raw string) ([][]string, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var top struct {
		Keyboard *[][]json.RawMessage `json:"keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &top); err != nil || top.Keyboard == nil {
		return nil, nil
	}
	var out [][]string
	for _, row := range *top.Keyboard {
		var texts []string
		for _, raw := range row {
			var b struct {
				Text string `json:"text"`
			}
			if json.Unmarshal(raw, &b) != nil {
				var s string
				if json.Unmarshal(raw, &s) != nil {
					return nil, badRequest("can't parse keyboard button")
				}
				b.Text = s
			}
			if b.Text == "" {
				return nil, badRequest("BUTTON_TEXT_INVALID")
			}
			texts = append(texts, b.Text)
		}
		if len(texts) > 0 {
			out = append(out, texts)
		}
	}
	if len(out) == 0 {
		return nil, badRequest("keyboard must be non-empty")
	}
	return out, nil
}

func checkButton(fields map[string]json.RawMessage) (Button, *apiError) {
	var b Button
	raw, ok := fields["text"]
	if !ok || json.Unmarshal(raw, &b.Text) != nil {
		return b, badRequest(`can't parse inline keyboard button: Field "text" must be of type String`)
	}
	if b.Text == "" {
		return b, badRequest("BUTTON_TEXT_INVALID")
	}
	actions := 0
	if raw, ok := fields["copy_text"]; ok {
		actions++
		var ct struct {
			Text *string `json:"text"`
		}
		if json.Unmarshal(raw, &ct) != nil || ct.Text == nil || *ct.Text == "" {
			return b, badRequest("BUTTON_COPY_TEXT_INVALID")
		}
	}
	if raw, ok := fields["callback_data"]; ok {
		actions++
		if json.Unmarshal(raw, &b.CallbackData) != nil || b.CallbackData == "" || len(b.CallbackData) > 64 {
			return b, badRequest("BUTTON_DATA_INVALID")
		}
	}
	if raw, ok := fields["url"]; ok {
		actions++
		if json.Unmarshal(raw, &b.URL) != nil || b.URL == "" {
			return b, badRequest("BUTTON_URL_INVALID")
		}
	}
	for _, k := range []string{"web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
		"switch_inline_query_chosen_chat", "callback_game", "pay"} {
		if _, ok := fields[k]; ok {
			actions++
		}
	}
	if actions == 0 {
		return b, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	return b, nil
}

// chat returns the state of chat id, creating it. Called with s.mu held.
func (s *Server) chat(id int64) *chatState {
	st, ok := s.chats[id]
	if !ok {
		st = &chatState{chat: Chat{ID: id, Type: chatType(id)}, msgs: map[int]*Message{}}
		if st.chat.Type == "private" {
			st.chat.FirstName = "user" + itoa(id)
		} else {
			st.chat.Title = "chat " + itoa(id)
		}
		s.chats[id] = st
	}
	return st
}

func (st *chatState) add(m *Message) {
	st.nextID++
	m.MessageID = st.nextID
	m.Chat = st.chat
	st.msgs[m.MessageID] = m
	st.order = append(st.order, m.MessageID)
}

// admit is how every new message (sendMessage, sendPhoto) starts: a
// readable chat_id, then the chat's fault if a test set one, then the
// group's flood limit, which counts only a message that got this far.
// Called with s.mu held.
func (s *Server) admit(p map[string]string) (int64, *apiError) {
	chatID, aerr := parseChatID(p["chat_id"])
	if aerr != nil {
		return 0, aerr
	}
	if aerr := s.chatFault(chatID); aerr != nil {
		return 0, aerr
	}
	if aerr := s.groupFlood(chatID); aerr != nil {
		return 0, aerr
	}
	return chatID, nil
}

// post adds m to the chat as the bot's message, with the fields every
// send takes from its parameters, and returns a copy for the answer.
// Called with s.mu held.
func (s *Server) post(chatID int64, p map[string]string, m *Message) *Message {
	thread, _ := strconv.Atoi(p["message_thread_id"])
	me := s.me
	m.ThreadID, m.IsTopicMessage, m.From, m.Date = thread, thread != 0, &me, s.clock.Now().Unix()
	m.ParseMode, m.DisableNotification = p["parse_mode"], p["disable_notification"] == "true"
	s.chat(chatID).add(m)
	out := *m
	return &out
}

func (s *Server) sendMessage(p map[string]string) (*Message, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, aerr := s.admit(p)
	if aerr != nil {
		return nil, aerr
	}
	plain, aerr := checkText(p["text"], p["parse_mode"])
	if aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	kb, aerr := parseReplyKeyboard(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	return s.post(chatID, p, &Message{Text: plain, ReplyMarkup: markup, Keyboard: kb, HTML: p["text"]}), nil
}

func (s *Server) editMessage(p map[string]string, withText bool) (*Message, *apiError) {
	if p["inline_message_id"] != "" {
		return nil, badRequest("MESSAGE_ID_INVALID")
	}
	chatID, aerr := parseChatID(p["chat_id"])
	if aerr != nil {
		return nil, aerr
	}
	msgID, err := strconv.Atoi(p["message_id"])
	if err != nil || msgID <= 0 {
		return nil, badRequest("message identifier is not specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if aerr := s.chatFault(chatID); aerr != nil {
		return nil, aerr
	}
	st, ok := s.chats[chatID]
	if !ok {
		return nil, badRequest("chat not found")
	}
	m, ok := st.msgs[msgID]
	if !ok {
		return nil, badRequest("message to edit not found")
	}
	if m.From == nil || m.From.ID != s.me.ID {
		return nil, badRequest("message can't be edited")
	}
	text, plain, mode := m.HTML, m.Text, m.ParseMode
	if withText {
		if plain, aerr = checkText(p["text"], p["parse_mode"]); aerr != nil {
			return nil, aerr
		}
		text, mode = p["text"], p["parse_mode"]
	}
	markup, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	oldKB, _ := json.Marshal(m.ReplyMarkup)
	newKB, _ := json.Marshal(markup)
	if text == m.HTML && plain == m.Text && bytes.Equal(oldKB, newKB) {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	m.HTML, m.Text, m.ParseMode, m.ReplyMarkup = text, plain, mode, markup
	m.EditDate = s.clock.Now().Unix()
	out := *m
	return &out, nil
}

// sendChatAction checks the action as Telegram does; it sends nothing a
// test can read but is recorded.
func (s *Server) sendChatAction(p map[string]string) (any, *Message, *apiError) {
	chatID, aerr := parseChatID(p["chat_id"])
	if aerr != nil {
		return nil, nil, aerr
	}
	switch p["action"] {
	case "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
		"upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note":
	default:
		return nil, nil, badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.forbidden[chatID] {
		return nil, nil, forbidden(chatID)
	}
	if s.lost[chatID] {
		return nil, nil, badRequest("chat not found")
	}
	return true, nil, nil
}

func (s *Server) answerCallbackQuery(p map[string]string) (any, *Message, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := p["callback_query_id"]
	if s.answerTooMany > 0 {
		s.answerTooMany--
		return nil, nil, &apiError{code: 429, desc: "Too Many Requests: retry after 1", params: &responseParams{RetryAfter: 1}}
	}
	if _, ok := s.queries[id]; !ok {
		return nil, nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if utf8.RuneCountInString(p["text"]) > 200 {
		return nil, nil, badRequest("MESSAGE_TOO_LONG")
	}
	delete(s.queries, id)
	return true, nil, nil
}

func (s *Server) setMyCommands(p map[string]string) (any, *Message, *apiError) {
	var cmds []BotCommand
	if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
		return nil, nil, badRequest("can't parse commands JSON array")
	}
	if len(cmds) > 100 {
		return nil, nil, badRequest("too many commands")
	}
	for _, c := range cmds {
		if !validCommand(c.Command) {
			return nil, nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(c.Description); n == 0 || n > 256 {
			return nil, nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	key, aerr := s.scopeKey(p["scope"])
	if aerr != nil {
		return nil, nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[menuKey(key, p["language_code"])] = cmds
	return true, nil, nil
}

// scopeKey reads a BotCommandScope as Telegram does: chat scopes need a
// chat the bot knows ("chat not found" otherwise, as for a user who never
// sent /start). Empty is the default scope.
func (s *Server) scopeKey(raw string) (string, *apiError) {
	if raw == "" {
		return "default", nil
	}
	var sc struct {
		Type   string `json:"type"`
		ChatID *int64 `json:"chat_id"`
		UserID int64  `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(raw), &sc); err != nil {
		return "", badRequest("can't parse BotCommandScope JSON object")
	}
	switch sc.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		return sc.Type, nil
	case "chat", "chat_administrators", "chat_member":
		if sc.ChatID == nil {
			return "", badRequest("chat_id is empty")
		}
		s.mu.Lock()
		_, known := s.chats[*sc.ChatID]
		s.mu.Unlock()
		if !known {
			return "", badRequest("chat not found")
		}
		if sc.Type == "chat_member" {
			if sc.UserID <= 0 {
				return "", badRequest("user not found")
			}
			return fmt.Sprintf("chat_member:%d:%d", *sc.ChatID, sc.UserID), nil
		}
		return fmt.Sprintf("%s:%d", sc.Type, *sc.ChatID), nil
	}
	return "", badRequest("unsupported BotCommandScope type")
}

func menuKey(scope, lang string) string { return scope + "|" + lang }

// MenuFor is the command list a user sees in chat, with a client in
// language lang, found the way Telegram documents it (botCommandScope
// resolution, each scope with the language first): in a private chat the
// chat's scope, all_private_chats, default; in a group chat_member, chat,
// all_group_chats, default (administrator scopes are not modelled).
func (s *Server) MenuFor(chat, user int64, lang string) []BotCommand {
	var scopes []string
	if chat > 0 {
		scopes = []string{fmt.Sprintf("chat:%d", chat), "all_private_chats", "default"}
	} else {
		scopes = []string{fmt.Sprintf("chat_member:%d:%d", chat, user), fmt.Sprintf("chat:%d", chat), "all_group_chats", "default"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sc := range scopes {
		for _, l := range []string{lang, ""} {
			if cmds, ok := s.commands[menuKey(sc, l)]; ok {
				return append([]BotCommand(nil), cmds...)
			}
		}
	}
	return nil
}

func validCommand(c string) bool {
	if c == "" || len(c) > 32 {
		return false
	}
	for _, r := range c {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

func (s *Server) getChat(p map[string]string) (any, *Message, *apiError) {
	id, aerr := parseChatID(p["chat_id"])
	if aerr != nil {
		return nil, nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.forbidden[id] {
		return nil, nil, forbidden(id)
	}
	if s.lost[id] {
		return nil, nil, badRequest("chat not found")
	}
	if to, ok := s.migrated[id]; ok {
		return nil, nil, &apiError{code: 400, desc: "Bad Request: group chat was upgraded to a supergroup chat",
			params: &responseParams{MigrateToChatID: to}}
	}
	st, ok := s.chats[id]
	if !ok {
		return nil, nil, badRequest("chat not found")
	}
	return st.chat, nil, nil
}

// setParked counts parked polls and wakes waiters. Called with s.mu held.
func (s *Server) setParked(d int) {
	s.parked += d
	close(s.callsChanged)
	s.callsChanged = make(chan struct{})
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Seq = len(s.calls)
	s.calls = append(s.calls, c)
	close(s.callsChanged)
	s.callsChanged = make(chan struct{})
}

func (s *Server) queue(u Update) {
	s.nextUpdate++
	u.UpdateID = s.nextUpdate
	s.updates = append(s.updates, u)
	close(s.updatesChanged)
	s.updatesChanged = make(chan struct{})
}

package telegramtest

import (
	"encoding/json"
	"strconv"
)

// User is a Telegram user or bot, as the Bot API shows it.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// Chat is a private chat, group, supergroup or channel.
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"` // private, group, supergroup, channel
	Title     string `json:"title,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	IsForum   bool   `json:"is_forum,omitempty"`
}

// Entity is a message entity; the fake sets bot_command on commands.
type Entity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

// Message is a message in a chat: one a user sent (injected) or one the bot
// sent. Text is what the recipient reads (HTML parsed away); HTML is what
// the bot sent, for assertions.
type Message struct {
	MessageID      int                   `json:"message_id"`
	ThreadID       int                   `json:"message_thread_id,omitempty"`
	From           *User                 `json:"from,omitempty"`
	SenderChat     *Chat                 `json:"sender_chat,omitempty"`
	Date           int64                 `json:"date"`
	Chat           Chat                  `json:"chat"`
	IsTopicMessage bool                  `json:"is_topic_message,omitempty"`
	EditDate       int64                 `json:"edit_date,omitempty"`
	Text           string                `json:"text,omitempty"`
	Entities       []Entity              `json:"entities,omitempty"`
	ReplyMarkup    *InlineKeyboardMarkup `json:"reply_markup,omitempty"`

	// Keyboard is the reply keyboard sent with the message (rows of
	// button texts), nil when none.
	Keyboard            [][]string `json:"-"`
	HTML                string     `json:"-"`
	ParseMode           string     `json:"-"`
	DisableNotification bool       `json:"-"`

	// Photo is a sendPhoto's picture as the Bot API describes it (one
	// size: the fake does not make thumbnails), Caption what the reader
	// sees under it. PhotoData is the uploaded file, PhotoName its file
	// name, for assertions; HTML holds the caption as sent.
	Photo     []PhotoSize `json:"photo,omitempty"`
	Caption   string      `json:"caption,omitempty"`
	PhotoData []byte      `json:"-"`
	PhotoName string      `json:"-"`
}

// PhotoSize is one size of a photo.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

// Buttons returns the message's inline buttons in reading order.
func (m Message) Buttons() []Button {
	if m.ReplyMarkup == nil {
		return nil
	}
	var out []Button
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		out = append(out, row...)
	}
	return out
}

// InlineKeyboardMarkup is an inline keyboard.
type InlineKeyboardMarkup struct {
	InlineKeyboard [][]Button `json:"inline_keyboard"`
}

// Button is an inline keyboard button as the fake stores it. The wire
// form is checked field by field when it arrives (see checkMarkup).
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// CallbackQuery is a button press.
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// Update is one item of getUpdates.
type Update struct {
	UpdateID      int64              `json:"update_id"`
	Message       *Message           `json:"message,omitempty"`
	EditedMessage *Message           `json:"edited_message,omitempty"`
	ChannelPost   *Message           `json:"channel_post,omitempty"`
	CallbackQuery *CallbackQuery     `json:"callback_query,omitempty"`
	MyChatMember  *ChatMemberUpdated `json:"my_chat_member,omitempty"`
}

// ChatMemberUpdated is a change of the bot's own membership in a chat.
type ChatMemberUpdated struct {
	Chat          Chat       `json:"chat"`
	From          User       `json:"from"`
	Date          int64      `json:"date"`
	OldChatMember ChatMember `json:"old_chat_member"`
	NewChatMember ChatMember `json:"new_chat_member"`
}

// ChatMember is a member's status in a chat ("member", "kicked", "left", …).
type ChatMember struct {
	User   User   `json:"user"`
	Status string `json:"status"`
}

func (u Update) kind() string {
	switch {
	case u.Message != nil:
		return "message"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.ChannelPost != nil:
		return "channel_post"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.MyChatMember != nil:
		return "my_chat_member"
	}
	return ""
}

// BotCommand is one entry of setMyCommands.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// response is the Bot API envelope.
type response struct {
	OK          bool            `json:"ok"`
	Result      any             `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *responseParams `json:"parameters,omitempty"`
}

type responseParams struct {
	RetryAfter      int   `json:"retry_after,omitempty"`
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
}

// apiError is a refusal the fake answers with.
type apiError struct {
	code   int
	desc   string
	params *responseParams
}

func badRequest(desc string) *apiError {
	return &apiError{code: 400, desc: "Bad Request: " + desc}
}

// chatType guesses the type from the id the way Telegram numbers chats:
// users positive, basic groups small negative, supergroups and channels
// -100….
func chatType(id int64) string {
	switch {
	case id > 0:
		return "private"
	case id <= -1_000_000_000_000:
		return "supergroup"
	}
	return "group"
}

func rawString(v json.RawMessage) string {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s
	}
	return string(v)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

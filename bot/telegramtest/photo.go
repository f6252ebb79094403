package telegramtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/jpeg" // sendPhoto takes JPEG too
	_ "image/png"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bot API limits of sendPhoto (core.telegram.org/bots/api#sendphoto):
// "The photo must be at most 10 MB in size. The photo's width and height
// must not exceed 10000 in total. Width and height ratio must be at most
// 20." and a caption of "0-1024 characters after entities parsing".
const (
	MaxPhotoBytes     = 10 << 20
	MaxPhotoSides     = 10000
	MaxPhotoRatio     = 20
	MaxCaptionLength  = 1024
	photoFileIDPrefix = "AgAC" // Telegram photo file_ids start so
)

// sendPhoto takes a photo uploaded as a multipart file (or a file_id or
// URL string, recorded without a picture) with an optional caption, and
// checks it as the Bot API does: the chat, the group's flood limit, the
// caption's HTML and length, the file's size, dimensions and ratio.
// Descriptions are Telegram's where known ("message caption is too long",
// "PHOTO_INVALID_DIMENSIONS", "IMAGE_PROCESS_FAILED").
func (s *Server) sendPhoto(p map[string]string, files map[string]upload) (*Message, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, aerr := s.admit(p)
	if aerr != nil {
		return nil, aerr
	}
	caption, aerr := checkCaption(p["caption"], p["parse_mode"])
	if aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	var size PhotoSize
	var data []byte
	var name string
	if f, ok := files["photo"]; ok {
		if len(f.data) > MaxPhotoBytes {
			return nil, badRequest("file is too big")
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(f.data))
		if err != nil {
			return nil, badRequest("IMAGE_PROCESS_FAILED")
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width+cfg.Height > MaxPhotoSides ||
			cfg.Width > MaxPhotoRatio*cfg.Height || cfg.Height > MaxPhotoRatio*cfg.Width {
			return nil, badRequest("PHOTO_INVALID_DIMENSIONS")
		}
		sum := sha256.Sum256(f.data)
		uid := hex.EncodeToString(sum[:8])
		size = PhotoSize{FileID: photoFileIDPrefix + uid, FileUniqueID: "AQAD" + uid[:10], Width: cfg.Width, Height: cfg.Height, FileSize: len(f.data)}
		data, name = f.data, f.name
	} else {
		ref := strings.TrimSpace(p["photo"])
		if ref == "" || strings.HasPrefix(ref, "attach://") || strings.HasPrefix(ref, "@") {
			// A name of a part that was not sent.
			return nil, badRequest("there is no photo in the request")
		}
		size = PhotoSize{FileID: ref, FileUniqueID: "ref" + strconv.Itoa(len(ref))}
	}
	return s.post(chatID, p, &Message{Photo: []PhotoSize{size}, Caption: caption, PhotoData: data, PhotoName: name,
		ReplyMarkup: markup, HTML: p["caption"]}), nil
}

// checkCaption validates a caption as Telegram does (it may be empty) and
// returns what the reader sees.
func checkCaption(caption, parseMode string) (string, *apiError) {
	plain := caption
	switch strings.ToLower(parseMode) {
	case "html":
		var err error
		if plain, err = ParseHTML(caption); err != nil {
			return "", badRequest("can't parse entities: " + err.Error())
		}
	case "":
		if !utf8.ValidString(caption) {
			return "", badRequest("text must be encoded in UTF-8")
		}
	case "markdown", "markdownv2":
	default:
		return "", badRequest("unsupported parse_mode")
	}
	if UTF16Len(plain) > MaxCaptionLength {
		return "", badRequest("message caption is too long")
	}
	return plain, nil
}

package httpapi

import (
	"encoding/base64"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
)

// chartJSON is GET /chart/{code} asked for JSON: the picture as base64
// and its caption, as the chat shows it (HTML) and as plain text.
type chartJSON struct {
	Code        string `json:"code"`
	Caption     string `json:"caption"`
	CaptionText string `json:"caption_text"`
	Name        string `json:"name"`
	PNG         string `json:"png_base64"`
}

// handleChart answers GET /chart/{code}: today's chart of the stock, the
// picture /chart sends in the chat (bot.Router.Chart). It is image/png,
// or JSON with the picture in base64 and the caption when the client
// asks for application/json (Accept). Errors are JSON, as everywhere.
func (s *Server) handleChart(w http.ResponseWriter, r *http.Request) {
	code, err := broker.ParseCode(r.PathValue("code"))
	if err != nil {
		s.fail(w, err)
		return
	}
	if s.cfg.Router == nil {
		s.writeError(w, http.StatusServiceUnavailable, apiError{Kind: "unavailable", Message: s.msg("chart_off")})
		return
	}
	pic, caption, err := s.cfg.Router.Chart(r.Context(), code)
	if err != nil {
		s.fail(w, err)
		return
	}
	name := string(code) + ".png"
	w.Header().Set("Cache-Control", "no-store")
	if wantsJSON(r) {
		s.writeJSON(w, http.StatusOK, chartJSON{Code: string(code), Caption: caption, CaptionText: bot.StripHTML(caption),
			Name: name, PNG: base64.StdEncoding.EncodeToString(pic)})
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(pic)))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(pic)
}

// wantsJSON reports whether the Accept header names application/json
// (and not image/png before it).
func wantsJSON(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/json":
			return true
		case "image/png", "image/*":
			return false
		}
	}
	return false
}

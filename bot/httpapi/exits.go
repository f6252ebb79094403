package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// ExitBook is the protective exits (strategy/exits.Book), as the chat's
// /stop, /take, /trail and /exits edit them.
type ExitBook interface {
	// PutOnce arms x for src (exits.SourceHTTP from here); see
	// exits.Book.PutOnce for key.
	PutOnce(ctx context.Context, x exits.Exit, key string, src exits.Source) (replayed bool, err error)
	Delete(ctx context.Context, code broker.Code, kind exits.Kind) error
	List(ctx context.Context) ([]exits.Status, error)
}

// exitBody is POST /exits: {"code":"005930","kind":"stop","level":"-5%"};
// level is what the chat writes after the code ("-5%", "+10%", "3%",
// "65000"), or a JSON number for a price in won.
type exitBody struct {
	Code  string          `json:"code"`
	Kind  string          `json:"kind"`
	Level json.RawMessage `json:"level"`
}

// exitJSON is one exit with its state, as /exits lists it.
type exitJSON struct {
	Code string `json:"code"`
	Kind string `json:"kind"`
	// Level is the level as written: "-5%", "+10%", "3%" or "65000".
	Level string `json:"level"`
	// Price is the level in won when it was given as a price; BP the
	// percent in basis points (-500 is -5 %) when given as a percent.
	Price int64 `json:"price,omitempty"`
	BP    int64 `json:"bp,omitempty"`
	// TriggerPrice is the price it sells at now (omitted while unknown:
	// no average price or no high yet).
	TriggerPrice int64 `json:"trigger_price,omitempty"`
	AvgPrice     int64 `json:"avg_price,omitempty"`
	High         int64 `json:"high,omitempty"`
	LastPrice    int64 `json:"last_price,omitempty"`
	// State is "armed" or "off"; OffReason says why it is off (fired,
	// position_gone, not_held, sibling_fired, failures, unknown_outcome).
	State     string    `json:"state"`
	OffReason string    `json:"off_reason,omitempty"`
	FiredAt   *jsonTime `json:"fired_at,omitempty"`
	FiredBy   int64     `json:"fired_price,omitempty"`
	OrderID   string    `json:"order_id,omitempty"`
	Failures  int       `json:"failures,omitempty"`
	// Source is who set the level: "file" for the rules file's exits
	// (HOGA_RULES_FILE), "chat" for one set with /stop, /take or /trail,
	// "http" for one set with POST /exits. FromFile marks the file's exit
	// however it was last set (edited from the chat or this API, Source
	// says so).
	Source   string `json:"source"`
	FromFile bool   `json:"from_file,omitempty"`
}

func exitOut(s exits.Status) exitJSON {
	out := exitJSON{Code: string(s.Code), Kind: string(s.Kind), Level: s.Spec(), Price: s.Exit.Price, BP: s.BP,
		TriggerPrice: s.Level, AvgPrice: s.Avg, High: s.High, LastPrice: s.LastPrice, State: "armed",
		OrderID: s.OrderID, Failures: s.Failures, Source: string(s.Source), FromFile: s.FromFile}
	if !s.Armed {
		out.State, out.OffReason = "off", s.Off
	}
	if s.Fired != "" {
		if t, err := time.Parse(time.RFC3339, s.Fired); err == nil {
			out.FiredAt, out.FiredBy = kst(t), s.FiredAt
		}
	}
	if out.Source == "" { // a book that does not say (a test's)
		out.Source = string(exits.SourceChat)
		if s.FromFile {
			out.Source = string(exits.SourceFile)
		}
	}
	return out
}

// handleExits answers GET /exits: {"exits": [...]}.
func (s *Server) handleExits(w http.ResponseWriter, r *http.Request) {
	if !s.exitsOn(w) {
		return
	}
	l, err := s.cfg.Exits.List(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	out := struct {
		Exits []exitJSON `json:"exits"`
	}{Exits: make([]exitJSON, 0, len(l))}
	for _, st := range l {
		out.Exits = append(out.Exits, exitOut(st))
	}
	s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) exitsOn(w http.ResponseWriter) bool {
	if s.cfg.Exits == nil {
		s.writeError(w, http.StatusNotFound, apiError{Kind: kindRouteNotFound, Message: plain(bot.Text(s.lang, "exits.unavailable"))})
		return false
	}
	return true
}

// handlePutExit answers POST /exits: arm a stop, take or trail on a held
// stock, replacing the one of the same kind (as /stop does). 201 with the
// exit; 400 for a bad level; 422 not_held when the stock is not held.
//
// An Idempotency-Key makes a retry answer the first result instead of
// arming again (which would restart a trail's high, or re-arm a stop that
// has sold): in memory for IdempotencyTTL, and after a restart through
// the exit's stored record of the key.
func (s *Server) handlePutExit(w http.ResponseWriter, r *http.Request) {
	if !s.exitsOn(w) {
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !validKey(key) {
		s.writeError(w, http.StatusBadRequest, apiError{Kind: broker.Invalid.String(), Message: s.msg("bad_key")})
		return
	}
	var in exitBody
	if !s.decodeJSON(w, r, &in, "exit.empty_body") {
		return
	}
	x, ok := s.exitOf(w, in)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), s.cfg.OrderTimeout)
	defer cancel()
	if key == "" {
		resp, _ := s.putExit(ctx, x, "")
		s.send(w, resp)
		return
	}
	it, res := s.book.begin("exit\x00"+key, sha256.Sum256([]byte(x.String())))
	switch res {
	case beginReused:
		s.writeError(w, http.StatusUnprocessableEntity, apiError{Kind: kindKeyReused, Message: s.msg("exit.idem.reused")})
		return
	case beginInFlight:
		w.Header().Set("Retry-After", "1")
		s.writeError(w, http.StatusConflict, apiError{Kind: kindInFlight, Message: s.msg("idem.inflight")})
		return
	case beginReplay, beginAwaiting:
		w.Header().Set("Idempotent-Replayed", "true")
		s.send(w, it.resp)
		return
	}
	resp, final := s.putExit(ctx, x, key)
	if final {
		s.book.finish(it, resp)
	} else {
		s.book.finish(it, nil) // a retry runs again (the stock may be held by then)
	}
	s.send(w, resp)
}

// putExit arms x and builds the answer; final reports whether a retry
// with the same key should get the same answer.
func (s *Server) putExit(ctx context.Context, x exits.Exit, key string) (resp *response, final bool) {
	replayed, err := s.cfg.Exits.PutOnce(ctx, x, key, exits.SourceHTTP)
	switch {
	case errors.Is(err, exits.ErrKeyReused):
		return s.jsonResponse(http.StatusUnprocessableEntity, nil,
			errorEnvelope{Error: apiError{Kind: kindKeyReused, Message: s.msg("exit.idem.reused")}}), true
	case broker.KindOf(err) == broker.NotFound:
		return s.jsonResponse(http.StatusUnprocessableEntity, nil,
			errorEnvelope{Error: apiError{Kind: kindNotHeld, Message: plain(bot.Text(s.lang, "exits.no_position", x.Code))}}), false
	case err != nil:
		status, h, body := s.brokerError(err)
		return s.jsonResponse(status, h, errorEnvelope{Error: body}), false
	}
	out := exitOut(exits.Status{Exit: x, State: exits.State{Armed: true}, Source: exits.SourceHTTP})
	if l, err := s.cfg.Exits.List(ctx); err == nil {
		for _, st := range l {
			if st.Exit == x {
				out = exitOut(st)
			}
		}
	}
	h := http.Header{"Location": {"/exits/" + string(x.Code) + "/" + string(x.Kind)}}
	if replayed {
		h.Set("Idempotent-Replayed", "true")
	} else {
		s.log.Info("HTTP exit armed", "exit", x.String())
	}
	return s.jsonResponse(http.StatusCreated, h, out), true
}

// exitOf checks a POST /exits body as the chat checks /stop's arguments.
func (s *Server) exitOf(w http.ResponseWriter, in exitBody) (exits.Exit, bool) {
	code, err := broker.ParseCode(in.Code)
	if err != nil {
		s.fail(w, err)
		return exits.Exit{}, false
	}
	kind, err := exits.ParseKind(in.Kind)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, apiError{Kind: broker.Invalid.String(), Message: s.msg("exit.bad_kind", in.Kind)})
		return exits.Exit{}, false
	}
	level := strings.TrimSpace(string(in.Level))
	if level == "" || level == "null" {
		s.writeError(w, http.StatusBadRequest, apiError{Kind: broker.Invalid.String(), Message: s.msg("exit.no_level")})
		return exits.Exit{}, false
	}
	var text string
	if err := json.Unmarshal(in.Level, &text); err != nil {
		// A JSON number is a price in won, written as digits only.
		if _, perr := strconv.ParseInt(level, 10, 64); perr != nil {
			text = "bad:" + level
		} else {
			text = level
		}
	}
	x, err := exits.ParseLevel(kind, text)
	if err == nil {
		x.Code = code
		err = x.Validate()
	}
	if err != nil {
		s.writeError(w, http.StatusBadRequest, apiError{Kind: broker.Invalid.String(),
			Message: plain(bot.Text(s.lang, "bad.exit", strings.TrimPrefix(text, "bad:")))})
		return exits.Exit{}, false
	}
	return x, true
}

// handleDeleteExit answers DELETE /exits/{code} (all of the stock's) and
// DELETE /exits/{code}/{kind}: 200 {"deleted": ...}; 404 when there is
// none. Deleting twice is harmless: the second is 404.
func (s *Server) handleDeleteExit(w http.ResponseWriter, r *http.Request) {
	if !s.exitsOn(w) {
		return
	}
	code, err := broker.ParseCode(r.PathValue("code"))
	if err != nil {
		s.fail(w, err)
		return
	}
	var kind exits.Kind
	if k := r.PathValue("kind"); k != "" {
		if kind, err = exits.ParseKind(k); err != nil {
			s.writeError(w, http.StatusBadRequest, apiError{Kind: broker.Invalid.String(), Message: s.msg("exit.bad_kind", k)})
			return
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), s.cfg.OrderTimeout)
	defer cancel()
	before, _ := s.cfg.Exits.List(ctx)
	if err := s.cfg.Exits.Delete(ctx, code, kind); err != nil {
		if broker.KindOf(err) == broker.NotFound {
			what := bot.Text(s.lang, "exits.kind."+string(kind))
			if kind == "" {
				what = s.msg("exit.any")
			}
			s.writeError(w, http.StatusNotFound, apiError{Kind: broker.NotFound.String(), Message: plain(bot.Text(s.lang, "exits.not_found", what, code))})
			return
		}
		s.fail(w, err)
		return
	}
	out := struct {
		Deleted []exitJSON `json:"deleted"`
	}{Deleted: []exitJSON{}}
	for _, st := range before {
		if st.Code == code && (kind == "" || st.Kind == kind) {
			out.Deleted = append(out.Deleted, exitOut(st))
		}
	}
	s.log.Info("HTTP exits deleted", "code", code, "kind", kind)
	s.writeJSON(w, http.StatusOK, out)
}

// decodeJSON reads a POST body strictly into v, as POST /orders does:
// JSON only, within the size limit, no unknown fields, nothing after the
// object. On failure it has answered and returns false; empty names the
// message for an empty body.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any, empty string) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			s.writeError(w, http.StatusUnsupportedMediaType, apiError{Kind: kindMediaType, Message: s.msg("media_type")})
			return false
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	dec.DisallowUnknownFields()
	fail := func(err error) bool {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			s.writeError(w, http.StatusRequestEntityTooLarge, apiError{Kind: kindTooLarge, Message: s.msg("too_large", s.cfg.MaxBodyBytes)})
		case errors.Is(err, io.EOF):
			s.writeError(w, http.StatusBadRequest, apiError{Kind: broker.Invalid.String(), Message: s.msg(empty)})
		default:
			s.writeError(w, http.StatusBadRequest, apiError{Kind: broker.Invalid.String(), Message: s.msg("bad_json", strings.TrimPrefix(err.Error(), "json: "))})
		}
		return false
	}
	if err := dec.Decode(v); err != nil {
		return fail(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail(err)
		}
		s.writeError(w, http.StatusBadRequest, apiError{Kind: broker.Invalid.String(), Message: s.msg("trailing")})
		return false
	}
	return true
}

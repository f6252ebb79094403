package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"

	"github.com/hoga-trade/hoga/broker"
)

// handlePrice answers GET /price/{code}.
func (s *Server) handlePrice(w http.ResponseWriter, r *http.Request) {
	code, err := broker.ParseCode(r.PathValue("code"))
	if err != nil {
		s.fail(w, err)
		return
	}
	q, err := s.cfg.Broker.Quote(r.Context(), code)
	if err != nil {
		s.fail(w, err)
		return
	}
	s.writeJSON(w, http.StatusOK, quoteOut(q))
}

// handleBalance answers GET /balance.
func (s *Server) handleBalance(w http.ResponseWriter, r *http.Request) {
	b, err := s.cfg.Broker.Balance(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	s.writeJSON(w, http.StatusOK, balanceOut(b))
}

// ordersJSON is GET /orders: today's orders as the broker lists them,
// and (live) the orders still awaiting the owner's confirmation.
type ordersJSON struct {
	Orders   []orderJSON `json:"orders"`
	Awaiting []orderJSON `json:"awaiting_confirmation"`
}

// handleOrders answers GET /orders.
func (s *Server) handleOrders(w http.ResponseWriter, r *http.Request) {
	list, err := s.cfg.Broker.OrdersToday(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Time.Before(list[j].Time) })
	out := ordersJSON{Orders: make([]orderJSON, 0, len(list)), Awaiting: []orderJSON{}}
	for _, o := range list {
		out.Orders = append(out.Orders, orderOut(o))
	}
	awaiting := s.book.awaitingList(s.cfg.ConfirmGrace)
	sort.Slice(awaiting, func(i, j int) bool { return awaiting[i].asked.Before(awaiting[j].asked) })
	for _, it := range awaiting {
		// Ones the owner has pressed are in the journal, and soon in the
		// broker's list: show them once, there.
		if s.journaled(r.Context(), it.req.ClientID) {
			continue
		}
		out.Awaiting = append(out.Awaiting, s.awaitingOut(it))
	}
	s.writeJSON(w, http.StatusOK, out)
}

// journaled reports whether the journal has clientID (false when unsure).
func (s *Server) journaled(ctx context.Context, clientID string) bool {
	if s.cfg.Orders == nil {
		return false
	}
	_, err := s.cfg.Orders.OrderByClientID(ctx, clientID)
	return err == nil
}

func (s *Server) awaitingOut(it intent) orderJSON {
	o := requestOut(it.req, StateAwaiting)
	o.Time = kst(it.asked)
	if it.declined {
		o.State = StateDeclined
	} else if !s.clock.Now().Before(it.expires.Add(s.cfg.ConfirmGrace)) {
		o.State = StateExpired
	} else {
		o.ExpiresAt = kst(it.expires)
	}
	return o
}

// validID reports whether an order id from a URL is plausible: client ids
// and broker numbers are short runs of letters, digits, '-' and '_'.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// handleOrder answers GET /orders/{id}, id being hoga's client order id
// or the broker's order number.
func (s *Server) handleOrder(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		s.writeError(w, http.StatusBadRequest, apiError{Kind: broker.Invalid.String(), Message: s.msg("bad_id", id)})
		return
	}
	o, found, err := s.findOrder(r.Context(), id)
	if err != nil {
		s.fail(w, err)
		return
	}
	if !found {
		s.writeError(w, http.StatusNotFound, apiError{Kind: broker.NotFound.String(), Message: s.msg("order_not_found", id)})
		return
	}
	s.writeJSON(w, http.StatusOK, o)
}

// findOrder looks id up, most authoritative first: the journal by client
// id (it records a confirmed live order under the id the confirmation
// carried); a live order still awaiting confirmation, or expired; the
// journal by today's broker number; the broker's list of today's orders
// (orders placed outside hoga are only there). A journaled order that may
// still trade is brought up to date from the broker's list (fills).
func (s *Server) findOrder(ctx context.Context, id string) (orderJSON, bool, error) {
	if s.cfg.Orders != nil {
		e, err := s.cfg.Orders.OrderByClientID(ctx, id)
		if err == nil {
			return s.withBrokerView(ctx, e), true, nil
		}
		if broker.KindOf(err) != broker.NotFound {
			return orderJSON{}, false, &broker.Error{Kind: broker.Internal, Msg: "journal lookup", Err: err}
		}
	}
	if it, ok := s.book.awaited(id); ok {
		return s.awaitingOut(it), true, nil
	}
	// A broker's number is compared in the broker's written form, as the
	// guard's /cancel does: "6555" is KIS's "0000006555" (issue 12.5).
	bid := broker.NormalizeOrderID(s.cfg.Broker, id)
	if s.cfg.Orders != nil {
		e, err := s.cfg.Orders.OrderByBrokerID(ctx, s.clock.Now(), bid)
		if err == nil {
			return s.withBrokerView(ctx, e), true, nil
		}
		if broker.KindOf(err) != broker.NotFound {
			return orderJSON{}, false, &broker.Error{Kind: broker.Internal, Msg: "journal lookup", Err: err}
		}
	}
	list, err := s.cfg.Broker.OrdersToday(ctx)
	if err != nil {
		return orderJSON{}, false, err
	}
	for _, o := range list {
		if o.ID == id || broker.NormalizeOrderID(s.cfg.Broker, o.ID) == bid || (o.ClientID != "" && o.ClientID == id) {
			return orderOut(o), true, nil
		}
	}
	return orderJSON{}, false, nil
}

// withBrokerView renders a journal entry, with fills and the broker's
// state from today's order list when the order may still trade. The list
// is best effort: when the broker cannot be asked, the journal's view is
// shown.
func (s *Server) withBrokerView(ctx context.Context, e broker.JournalEntry) orderJSON {
	out := s.entryOut(e)
	if e.BrokerID == "" || broker.Day(e.Created) != broker.Day(s.clock.Now()) ||
		(e.State != broker.StatusAccepted && e.State != broker.StatusPartial) {
		return out
	}
	list, err := s.cfg.Broker.OrdersToday(ctx)
	if err != nil {
		s.log.Debug("order lookup without the broker's view", "client_id", e.ClientID, "err", err)
		return out
	}
	for _, o := range list {
		if o.ID == e.BrokerID {
			out.State, out.Name = string(o.Status), o.Name
			out.FilledQty, out.AvgFillPrice = o.FilledQty, o.AvgFillPrice
			if out.State == "" {
				out.State = string(e.State)
			}
			break
		}
	}
	return out
}

// decodeOrder reads POST /orders strictly: JSON only, within the size
// limit, no unknown fields, nothing after the object. On failure it has
// answered and returns false.
func (s *Server) decodeOrder(w http.ResponseWriter, r *http.Request) (broker.OrderRequest, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			s.writeError(w, http.StatusUnsupportedMediaType, apiError{Kind: kindMediaType, Message: s.msg("media_type")})
			return broker.OrderRequest{}, false
		}
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var in orderBody
	bad := func(msg string) (broker.OrderRequest, bool) {
		s.writeError(w, http.StatusBadRequest, apiError{Kind: broker.Invalid.String(), Message: msg})
		return broker.OrderRequest{}, false
	}
	if err := dec.Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			s.writeError(w, http.StatusRequestEntityTooLarge, apiError{Kind: kindTooLarge, Message: s.msg("too_large", s.cfg.MaxBodyBytes)})
			return broker.OrderRequest{}, false
		case errors.Is(err, io.EOF):
			return bad(s.msg("empty_body"))
		}
		return bad(s.msg("bad_json", strings.TrimPrefix(err.Error(), "json: ")))
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.writeError(w, http.StatusRequestEntityTooLarge, apiError{Kind: kindTooLarge, Message: s.msg("too_large", s.cfg.MaxBodyBytes)})
			return broker.OrderRequest{}, false
		}
		return bad(s.msg("trailing"))
	}
	req := broker.OrderRequest{Qty: in.Qty, Price: in.Price, Source: "http", User: "http"}
	var err error
	if req.Code, err = broker.ParseCode(in.Code); err == nil {
		if req.Side, err = broker.ParseSide(in.Side); err == nil {
			typ := in.Type
			if strings.EqualFold(strings.TrimSpace(typ), "close") {
				// A closing-price order (시간외 종가), as /buy … close:
				// KRX's close, no price; the guard checks the session.
				req.AtClose, typ = true, "market"
			}
			if req.Type, err = broker.ParseOrderType(typ); err == nil {
				if in.Venue != "" {
					req.Venue, err = broker.ParseVenue(in.Venue)
				}
				if err == nil {
					err = req.Validate()
				}
			}
		}
	}
	if err != nil {
		s.fail(w, err)
		return broker.OrderRequest{}, false
	}
	return req, true
}

// handlePlace answers POST /orders.
//
// Without Live the order goes to the guarded broker at once: 201 with the
// order; 202 with state "unknown" when it was sent and no answer came
// (poll GET /orders/{client_id}; never resend); an error otherwise.
//
// With Live the owner is asked in the chat: 202 with state
// awaiting_confirmation and the client id the order will carry; GET
// /orders/{client_id} then shows accepted/rejected once pressed, or
// expired.
//
// An Idempotency-Key header makes the request safe to retry: the same key
// with the same order answers the first result and never places a second
// order, also across restarts (the key maps to the guard's client id, and
// the journal keeps it); with a different order it is 422; while the first
// is still running, 409.
func (s *Server) handlePlace(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !validKey(key) {
		s.writeError(w, http.StatusBadRequest, apiError{Kind: broker.Invalid.String(), Message: s.msg("bad_key")})
		return
	}
	req, ok := s.decodeOrder(w, r)
	if !ok {
		return
	}
	// The order runs to its end even if the client hangs up: a cancelled
	// context mid-send would only turn it into an unknown outcome.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), s.cfg.OrderTimeout)
	defer cancel()

	it := &intent{req: req}
	if key != "" {
		var res beginResult
		it, res = s.book.begin(key, fingerprint(req))
		switch res {
		case beginReused:
			s.writeError(w, http.StatusUnprocessableEntity, apiError{Kind: kindKeyReused, Message: s.msg("idem.reused")})
			return
		case beginInFlight:
			w.Header().Set("Retry-After", "1")
			s.writeError(w, http.StatusConflict, apiError{Kind: kindInFlight, Message: s.msg("idem.inflight")})
			return
		case beginReplay:
			w.Header().Set("Idempotent-Replayed", "true")
			s.send(w, it.resp)
			return
		case beginAwaiting:
			s.send(w, s.stateResponse(ctx, it.req.ClientID))
			return
		}
		var resp *response
		defer func() { s.book.finish(it, resp) }()
		id, row, journaled, err := s.resolveKey(ctx, key)
		if err != nil {
			s.fail(w, err)
			return
		}
		req.ClientID = id
		it.req = req
		if journaled && (!row.SameOrder(req) || req.Venue != "" && req.Venue != row.Venue.Or(broker.VenueKRX)) {
			// The journal has the key's order (placed before a restart)
			// and this is another: refused by the guard's own rule, here
			// because a live retry never reaches the guard, and for a
			// venue the body names (the guard compares none: it sees the
			// default filled in, which HOGA_VENUE may have changed since).
			// The memory forgets this body, or the key's own order,
			// retried next, would be refused as the reuse.
			s.book.forget(it)
			s.writeError(w, http.StatusUnprocessableEntity, apiError{Kind: kindKeyReused, Message: s.msg("idem.reused")})
			return
		}
		if journaled && s.cfg.Live {
			// Confirmed before a restart: show what became of it rather
			// than asking the owner again.
			s.send(w, s.stateResponse(ctx, id))
			return
		}
		var final bool
		if s.cfg.Live {
			resp, final = s.askOwner(ctx, it)
		} else {
			resp, final = s.place(ctx, req)
		}
		s.send(w, resp)
		if !final {
			resp = nil
		}
		return
	}
	req.ClientID = newClientID()
	it.req = req
	var resp *response
	if s.cfg.Live {
		resp, _ = s.askOwner(ctx, it)
	} else {
		resp, _ = s.place(ctx, req)
	}
	s.send(w, resp)
}

// resolveKey picks the client id for key's order: the first attempt id
// the guard has not journaled, or the last one it has, skipping attempts
// journaled as a RetryableRefusal (nothing was done, so a retry must
// really retry; the guard would replay the refusal for the same id).
// journaled reports that the id is in the journal already, as row.
func (s *Server) resolveKey(ctx context.Context, key string) (id string, row broker.JournalEntry, journaled bool, err error) {
	if s.cfg.Orders == nil {
		return keyClientID(key, 0), row, false, nil
	}
	for n := 0; n < maxAttempts; n++ {
		id = keyClientID(key, n)
		e, err := s.cfg.Orders.OrderByClientID(ctx, id)
		if broker.KindOf(err) == broker.NotFound {
			return id, row, false, nil
		}
		if err != nil {
			return "", row, false, &broker.Error{Kind: broker.Internal, Msg: "the order journal could not be read, so the order was not sent", Err: err}
		}
		row = e
		if !e.RetryableRefusal() {
			return id, row, true, nil
		}
	}
	return id, row, true, nil
}

// retryable kinds promise the broker did nothing.
func retryable(k broker.Kind) bool { return k == broker.RateLimited || k == broker.Transient }

// place sends req through the guarded broker. final reports whether the
// answer is the order's fate (to replay for the same key) rather than a
// refusal a retry may get past.
func (s *Server) place(ctx context.Context, req broker.OrderRequest) (resp *response, final bool) {
	o, err := s.cfg.Broker.PlaceOrder(ctx, req)
	if o.ClientID == "" && (err == nil || broker.KindOf(err) == broker.UnknownOutcome) {
		o.ClientID = req.ClientID
	}
	fillFromRequest(&o, req)
	loc := http.Header{"Location": {"/orders/" + o.ClientID}}
	switch {
	case err == nil:
		if o.Status == "" {
			o.Status = broker.StatusAccepted
		}
		s.log.Info("HTTP order placed", "client_id", o.ClientID, "order", o.ID, "code", req.Code, "side", req.Side, "qty", req.Qty)
		return s.jsonResponse(http.StatusCreated, loc, orderOut(o)), true
	case broker.KindOf(err) == broker.UnknownOutcome:
		out := orderOut(o)
		out.State = string(broker.StatusUnknown)
		_, _, body := s.describe(err)
		out.Error = &body
		return s.jsonResponse(http.StatusAccepted, loc, out), true
	}
	status, h, body := s.brokerError(err)
	body.ClientID = o.ClientID // set when the guard journaled the refusal
	return s.jsonResponse(status, h, errorEnvelope{Error: body}), o.ClientID != "" && !retryable(broker.KindOf(err))
}

// fillFromRequest completes an order the broker answered sparsely.
func fillFromRequest(o *broker.Order, req broker.OrderRequest) {
	if o.Code == "" {
		o.Code, o.Side, o.Type, o.Qty, o.Price = req.Code, req.Side, req.Type, req.Qty, req.Price
	}
	if o.Source == "" {
		o.Source, o.User = req.Source, req.User
	}
}

// askOwner asks the owner to confirm it.req; the Confirmer runs the
// guard's checks, and its refusal is answered like the guard's own. final
// is false when nobody was asked (a retry may ask).
func (s *Server) askOwner(ctx context.Context, it *intent) (resp *response, final bool) {
	req := it.req
	if !s.book.await(it, s.cfg.ConfirmTTL, s.cfg.MaxAwaiting) {
		return s.jsonResponse(http.StatusTooManyRequests, http.Header{"Retry-After": {"60"}}, errorEnvelope{Error: apiError{
			Kind: broker.RateLimited.String(), Message: s.msg("too_many_waiting", s.cfg.MaxAwaiting), RetryAfter: 60,
		}}), false
	}
	if err := s.cfg.Confirmer.AskConfirm(ctx, req); err != nil {
		s.book.unawait(it)
		s.log.Info("HTTP order not put to the owner", "client_id", req.ClientID, "err", err)
		status, h, body := s.brokerError(err)
		return s.jsonResponse(status, h, errorEnvelope{Error: body}), false
	}
	s.log.Info("HTTP order awaiting confirmation", "client_id", req.ClientID, "code", req.Code, "side", req.Side, "qty", req.Qty)
	it2, _ := s.book.awaited(req.ClientID)
	return s.jsonResponse(http.StatusAccepted, http.Header{"Location": {"/orders/" + req.ClientID}}, s.awaitingOut(it2)), false
}

// stateResponse answers a retried POST of a live order with where it
// stands now: 202 while unresolved, 200 once it has an outcome.
func (s *Server) stateResponse(ctx context.Context, clientID string) *response {
	o, found, err := s.findOrder(ctx, clientID)
	if err != nil {
		status, h, body := s.brokerError(err)
		return s.jsonResponse(status, h, errorEnvelope{Error: body})
	}
	if !found {
		return s.jsonResponse(http.StatusNotFound, nil, errorEnvelope{Error: apiError{Kind: broker.NotFound.String(), Message: s.msg("order_not_found", clientID)}})
	}
	status := http.StatusOK
	switch o.State {
	case StateAwaiting, string(broker.StatusPending), string(broker.StatusUnknown):
		status = http.StatusAccepted
	}
	return s.jsonResponse(status, http.Header{"Location": {"/orders/" + clientID}}, o)
}

// jsonResponse encodes v as a response to send (and maybe keep).
func (s *Server) jsonResponse(status int, h http.Header, v any) *response {
	b, err := marshal(v)
	if err != nil {
		s.log.Error("encode response", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"error":{"kind":"internal","message":"internal error"}}`+"\n")
	}
	if h == nil {
		h = http.Header{}
	}
	return &response{status: status, header: h, body: b}
}

// send writes a response built by jsonResponse.
func (s *Server) send(w http.ResponseWriter, resp *response) {
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(resp.status)
	w.Write(resp.body)
}

// Declined tells the server an owner declined the live order journaled
// (had it been confirmed) under clientID: GET /orders/{id} answers
// "declined" at once. Wire bot.Confirmer.OnDecline to it.
func (s *Server) Declined(clientID string) {
	if s.book.decline(clientID) {
		s.log.Info("live order declined by the owner", "client_id", clientID)
	}
}

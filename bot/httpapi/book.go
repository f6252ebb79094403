package httpapi

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// maxKeys bounds the Idempotency-Keys kept in memory. Forgetting one early
// is safe: the key's client id is derived from the key, and the guard's
// journal refuses to place a journaled client id twice. Memory only adds
// the exact replay of the first response, the different-body check
// before the journal has the order, and the in-flight check.
const maxKeys = 10_000

// maxAttempts bounds how many client ids one key may go through (see
// Server.resolveKey).
const maxAttempts = 10

// keyClientID is the guard ClientID for an Idempotency-Key's attempt n:
// "http-" and 16 hex digits of the key's SHA-256, with "-n" after the
// first attempt. Deterministic, so a retry after a restart finds the same
// journal row; hashed, so the key (which may be anything the client
// likes) never reaches the journal or the broker.
func keyClientID(key string, attempt int) string {
	sum := sha256.Sum256([]byte(key))
	id := "http-" + hex.EncodeToString(sum[:])[:16]
	if attempt > 0 {
		id += "-" + strconv.Itoa(attempt)
	}
	return id
}

// newClientID is the ClientID of an order posted without a key.
func newClientID() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails (Go 1.24+)
	return "http-" + hex.EncodeToString(b)
}

// validKey reports whether an Idempotency-Key is 1–255 visible ASCII
// characters.
func validKey(k string) bool {
	if k == "" || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// fingerprint identifies an order's content, to tell a retry from a
// different order under the same key. AtClose is part of it: "close" and
// "market" are both Market with no price.
func fingerprint(r broker.OrderRequest) [32]byte {
	return sha256.Sum256(fmt.Appendf(nil, "%s|%d|%d|%d|%d|%s|%t", r.Code, r.Side, r.Type, r.Qty, r.Price, r.Venue, r.AtClose))
}

// response is a finished answer, kept to replay it for a retried key.
type response struct {
	status int
	header http.Header
	body   []byte
}

// intent is one POST /orders the server remembers: under its
// Idempotency-Key, and/or (live) as an order awaiting confirmation.
type intent struct {
	key         string
	fingerprint [32]byte
	req         broker.OrderRequest // ClientID set once resolved
	created     time.Time           // when the key was first seen
	inflight    bool
	// resp is the first answer to replay, when it is final.
	resp *response
	// awaiting: the owner was asked at asked; the confirmation lapses at
	// expires.
	awaiting bool
	asked    time.Time
	expires  time.Time
	queued   bool // in book.asked
	// declined: an owner pressed [주문 안 함]; final, nothing was sent.
	declined bool
}

// queue holds intents oldest first, so retention and eviction take from
// the front in O(1) instead of scanning the maps.
type queue struct {
	items []*intent
	head  int
}

func (q *queue) push(it *intent) { q.items = append(q.items, it) }
func (q *queue) len() int        { return len(q.items) - q.head }
func (q *queue) front() *intent  { return q.items[q.head] }

func (q *queue) pop() *intent {
	it := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	if q.head > 1024 && q.head*2 > len(q.items) {
		q.items = append([]*intent(nil), q.items[q.head:]...)
		q.head = 0
	}
	return it
}

// book is the in-memory side of POST /orders: keys and confirmations.
// Both maps are bounded (maxKeys) and forget entries older than ttl.
type book struct {
	clock clock.Clock
	ttl   time.Duration

	mu       sync.Mutex
	byKey    map[string]*intent
	keys     queue              // byKey's intents by created
	byClient map[string]*intent // live orders the owner was asked about
	asked    queue              // byClient's intents by (first) asked
}

func newBook(c clock.Clock, ttl time.Duration) *book {
	return &book{clock: c, ttl: ttl, byKey: map[string]*intent{}, byClient: map[string]*intent{}}
}

// beginResult says what to do with a keyed request.
type beginResult int

const (
	beginNew      beginResult = iota // run it
	beginReplay                      // answer it.resp again
	beginAwaiting                    // live: the owner was already asked; answer the state
	beginReused                      // the key belongs to a different order: 422
	beginInFlight                    // the first request with the key is still running: 409
)

// begin claims key for a request with fingerprint fp. On beginNew the
// intent is marked in flight and the caller must call finish.
func (b *book) begin(key string, fp [32]byte) (*intent, beginResult) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.sweepLocked(now)
	it := b.byKey[key]
	switch {
	case it == nil:
		if b.keys.len() >= maxKeys {
			// Safe to forget: the journal still knows the key's order.
			delete(b.byKey, b.keys.pop().key)
		}
		it = &intent{key: key, fingerprint: fp, created: now, inflight: true}
		b.byKey[key] = it
		b.keys.push(it)
		return it, beginNew
	case it.fingerprint != fp:
		return it, beginReused
	case it.inflight:
		return it, beginInFlight
	case it.resp != nil:
		return it, beginReplay
	case it.awaiting, it.declined:
		return it, beginAwaiting
	}
	// The earlier attempt ended in a refusal nothing was journaled for
	// (halted, market closed, a limit): run it again.
	it.inflight = true
	return it, beginNew
}

// finish ends a request begun with begin, keeping resp to replay when it
// is final (nil: a retry runs again).
func (b *book) finish(it *intent, resp *response) {
	b.mu.Lock()
	defer b.mu.Unlock()
	it.inflight = false
	it.resp = resp
}

// forget drops it, begun for a key whose journaled order is another, so
// the next request with the key is judged afresh rather than against this
// body. Its queue slot stays until swept; the map no longer points to it.
func (b *book) forget(it *intent) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byKey[it.key] == it {
		delete(b.byKey, it.key)
	}
}

// await records that the owner is being asked about it.req, unless
// maxAwaiting confirmations are already open.
func (b *book) await(it *intent, ttl time.Duration, maxAwaiting int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.sweepLocked(now)
	open := 0
	for _, o := range b.byClient {
		if o.awaiting && now.Before(o.expires) {
			open++
		}
	}
	if open >= maxAwaiting {
		return false
	}
	for len(b.byClient) >= maxKeys && b.asked.len() > 0 {
		old := b.asked.pop()
		old.queued = false
		if b.byClient[old.req.ClientID] == old {
			delete(b.byClient, old.req.ClientID)
		}
	}
	it.awaiting, it.asked, it.expires = true, now, now.Add(ttl)
	b.byClient[it.req.ClientID] = it
	if !it.queued {
		it.queued = true
		b.asked.push(it)
	}
	return true
}

// unawait forgets a confirmation that could not be asked. Its queue slot
// stays until swept; the map no longer points to it.
func (b *book) unawait(it *intent) {
	b.mu.Lock()
	defer b.mu.Unlock()
	it.awaiting = false
	if b.byClient[it.req.ClientID] == it {
		delete(b.byClient, it.req.ClientID)
	}
}

// decline records that an owner declined the order asked about under
// clientID; false if the book does not know it.
func (b *book) decline(clientID string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	it, ok := b.byClient[clientID]
	if !ok {
		return false
	}
	it.awaiting, it.declined = false, true
	return true
}

// awaited returns the live order asked about under clientID.
func (b *book) awaited(clientID string) (intent, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	it, ok := b.byClient[clientID]
	if !ok {
		return intent{}, false
	}
	return *it, true
}

// awaitingList returns the confirmations not yet expired (with grace).
func (b *book) awaitingList(grace time.Duration) []intent {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	var out []intent
	for _, it := range b.byClient {
		if it.awaiting && now.Before(it.expires.Add(grace)) {
			out = append(out, *it)
		}
	}
	return out
}

// sweepLocked forgets what is older than the retention.
func (b *book) sweepLocked(now time.Time) {
	for b.keys.len() > 0 && now.Sub(b.keys.front().created) > b.ttl {
		it := b.keys.pop()
		if b.byKey[it.key] == it {
			delete(b.byKey, it.key)
		}
	}
	for b.asked.len() > 0 && now.Sub(b.asked.front().asked) > b.ttl {
		it := b.asked.pop()
		it.queued = false
		if b.byClient[it.req.ClientID] == it {
			delete(b.byClient, it.req.ClientID)
		}
	}
}

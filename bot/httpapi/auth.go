package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// authResult says why a request is or is not let through.
type authResult int

const (
	authOK         authResult = iota
	authNoToken               // hoga has no token configured: control routes are off
	authMissing               // no Authorization header
	authBadScheme             // not "Bearer …"
	authWrongToken            // wrong token
)

// authorize checks the bearer token. Both sides are hashed to a fixed
// length and compared with subtle.ConstantTimeCompare, so neither the
// token's content nor its length leaks through timing. The token is only
// read from the header, never from the URL, where it would end up in
// browser history and proxy logs.
func (s *Server) authorize(r *http.Request) authResult {
	if s.cfg.Token == "" {
		return authNoToken
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return authMissing
	}
	scheme, cred, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return authBadScheme
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(cred)))
	if subtle.ConstantTimeCompare(got[:], s.tokenHash[:]) != 1 {
		return authWrongToken
	}
	return authOK
}

// auth lets a request through to next only with the right bearer token.
// Failures answer 401 with a WWW-Authenticate challenge (RFC 6750), or 403
// when no token is configured at all.
func (s *Server) auth(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := s.authorize(r)
		if res == authOK {
			next(w, r)
			return
		}
		if res == authNoToken {
			s.writeError(w, http.StatusForbidden, apiError{Kind: kindForbidden, Message: s.msg("no_token")})
			return
		}
		challenge, key := `Bearer realm="hoga"`, "unauthorized"
		switch res {
		case authBadScheme:
			challenge, key = `Bearer realm="hoga", error="invalid_request"`, "bad_scheme"
		case authWrongToken:
			challenge, key = `Bearer realm="hoga", error="invalid_token"`, "bad_token"
		}
		// Warn on a wrong token (someone is guessing, or a client is
		// misconfigured); a missing header is routine for probes.
		level := s.log.Info
		if res == authWrongToken {
			level = s.log.Warn
		}
		level("HTTP API request refused", "reason", key, "method", r.Method, "route", r.Pattern, "remote", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", challenge)
		s.writeError(w, http.StatusUnauthorized, apiError{Kind: kindUnauthorized, Message: s.msg(key)})
	})
}

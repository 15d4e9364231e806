package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// TokenCookie is the cookie the web page of a private server keeps the
// token in (SameSite=Strict), so its form posts and export links carry
// it; API clients send Authorization: Bearer instead.
const TokenCookie = "elib_token"

// needsToken reports whether a private server guards the route of p:
// every API endpoint and /metrics; not /healthz (load balancers) nor the
// page's static files (the page asks for the token).
func needsToken(p string) bool {
	p = path.Clean("/" + p)
	return p == "/v1" || strings.HasPrefix(p, "/v1/") || p == "/metrics"
}

// checkToken reports whether r carries the server's token: as a bearer
// token, or — when cookie is true (reads of a private server) — as the
// page's TokenCookie. Otherwise it answers 401 and returns false.
func (s *Server) checkToken(w http.ResponseWriter, r *http.Request, cookie bool) bool {
	const prefix = "Bearer "
	var got string
	auth := r.Header.Get("Authorization")
	switch {
	case len(auth) > len(prefix) && equalFoldASCII(auth[:len(prefix)], prefix):
		got = auth[len(prefix):]
	case cookie && auth == "":
		if c, err := r.Cookie(TokenCookie); err == nil {
			got = c.Value
			if v, err := url.PathUnescape(c.Value); err == nil {
				got = v // the page encodes it with encodeURIComponent
			}
		}
	}
	if got == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="elib"`)
		writeError(w, r, http.StatusUnauthorized, codeUnauthorized, "missing bearer token: send Authorization: Bearer $ELIB_TOKEN")
		return false
	}
	sum := sha256.Sum256([]byte(got))
	if s.opts.Token == "" || subtle.ConstantTimeCompare(sum[:], s.tokenSum[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="elib", error="invalid_token"`)
		writeError(w, r, http.StatusUnauthorized, codeUnauthorized, "invalid bearer token")
		return false
	}
	return true
}

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"

	"golang.org/x/text/language"

	"elib/check"
	"elib/check/report"
	"elib/internal/i18n"
	"elib/internal/i18n/msg"
	"elib/library/kit"
)

// writeJSON writes v with status. HTML-significant characters are escaped
// (\u003c…) so a response sniffed as HTML cannot run script.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// errorBody is every error response: Code is stable (clients and the
// page switch on it), Error says what happened in the request's language
// (see printerOf).
type errorBody struct {
	Code  string `json:"code"`
	Error string `json:"error"`
}

// The codes of errorBody. A code never changes; its message may.
const (
	codeBadRequest         = "bad_request"
	codeInvalidInput       = "invalid_input"
	codeTooLarge           = "too_large"
	codeNotFound           = "not_found"
	codeUnauthorized       = "unauthorized"
	codeForbidden          = "forbidden"
	codeReadOnly           = "read_only"
	codeWritesDisabled     = "writes_disabled"
	codeHostRefused        = "host_refused"
	codeCrossOrigin        = "cross_origin"
	codeBusy               = "busy"
	codeTimeout            = "timeout"
	codeCancelled          = "cancelled"
	codeReplicaBehind      = "replica_behind"
	codeLibraryUnavailable = "library_unavailable"
	codeInternal           = "internal"
)

// writeError answers status with code and the message key (an English
// format, a key of internal/i18n's catalogs) in the request's language.
func writeError(w http.ResponseWriter, r *http.Request, status int, code, key string, args ...any) {
	writeJSON(w, status, errorBody{Code: code, Error: printerOf(r).Message(msg.Errorf(key, args...))})
}

// writeErrorOf answers status with code and err in the request's language.
func writeErrorOf(w http.ResponseWriter, r *http.Request, status int, code string, err error) {
	writeJSON(w, status, errorBody{Code: code, Error: printerOf(r).Message(err)})
}

// writeInputError answers 400 for an input that could not be read: its
// file, line and cause in the request's language.
func writeInputError(w http.ResponseWriter, r *http.Request, fe report.FileError) {
	writeJSON(w, http.StatusBadRequest, errorBody{Code: codeInvalidInput, Error: fe.In(printerOf(r)).String()})
}

// printerKey is the context key of a request's message printer.
type printerKey struct{}

// withPrinter is r with the printer of its language: ?lang=zh|en, else
// the first language of Accept-Language elib speaks (the page sends its
// own), else the
// server's (Options.Lang: `elib serve`'s --lang or locale, as SPEC §3
// says of every message; English when nothing says Chinese).
func (s *Server) withPrinter(r *http.Request) *http.Request {
	tag := s.opts.Lang
	if l := r.URL.Query().Get("lang"); l == "zh" || l == "en" {
		// A form posted to a new tab (the page's printable report)
		// cannot set a header.
		return r.WithContext(context.WithValue(r.Context(), printerKey{}, i18n.New(language.Make(l))))
	}
	if tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language")); err == nil {
		for _, t := range tags {
			if b, _ := t.Base(); b.String() == "zh" || b.String() == "en" {
				tag = t
				break
			}
		}
	}
	return r.WithContext(context.WithValue(r.Context(), printerKey{}, i18n.New(tag)))
}

// printerOf is the request's message printer (English for a request
// that did not pass through ServeHTTP).
func printerOf(r *http.Request) *i18n.Printer {
	if r != nil {
		if p, ok := r.Context().Value(printerKey{}).(*i18n.Printer); ok {
			return p
		}
	}
	return i18n.New(i18n.English)
}

// reply writes v like writeJSON, encoded first into a buffer bounded by
// Options.MaxReplyBytes: a reply past it is a 500 (logged), never an
// unbounded write.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, v any) {
	buf := &cappedBuffer{max: s.opts.MaxReplyBytes}
	enc := json.NewEncoder(buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		s.writeErr(w, r, "reply", fmt.Errorf("encode %s reply: %w", r.URL.Path, err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeErr maps err to a status: 413 over the body limit, 400 for client
// errors, 403 for a write the library refused as read-only (a replica),
// 503 with Retry-After when the check slots stayed busy, the request's
// deadline passed or the library's replica trails its primary beyond the
// bound, 503 for cancellations, else 500. A 500 says only what
// failed; the details (paths, causes) go to the log.
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, what string, err error) {
	var mbe *http.MaxBytesError
	var tle *errTooLarge
	var bre *requestError
	switch {
	case errors.As(err, &mbe):
		writeError(w, r, http.StatusRequestEntityTooLarge, codeTooLarge, "request body is over the limit of %d bytes", mbe.Limit)
	case errors.As(err, &tle):
		writeErrorOf(w, r, http.StatusRequestEntityTooLarge, codeTooLarge, tle)
	case errors.As(err, &bre):
		writeErrorOf(w, r, http.StatusBadRequest, codeBadRequest, bre.err)
	case errors.Is(err, errMediaBusy):
		writeBusy(w, r, codeBusy, "%s: the server is busy (every media slot stayed taken for %s); retry shortly", what, s.opts.QueueTimeout)
	case errors.Is(err, errStatsBusy):
		writeBusy(w, r, codeBusy, "%s: stats for another period are being computed; retry shortly", what)
	case errors.Is(err, errBusy):
		writeBusy(w, r, codeBusy, "%s: the server is busy (every check slot stayed taken for %s); retry shortly", what, s.opts.QueueTimeout)
	case errors.Is(err, context.DeadlineExceeded):
		s.opts.Logger.Warn(what+": deadline passed", "path", r.URL.Path, "timeout", s.opts.CheckTimeout)
		writeBusy(w, r, codeTimeout, "%s: not done within %s; retry shortly", what, s.opts.CheckTimeout)
	case r.Context().Err() != nil:
		writeError(w, r, http.StatusServiceUnavailable, codeCancelled, "%s: request cancelled", what)
	case errors.Is(err, kit.ErrReadOnly):
		// The library refused the write although this server takes
		// writes: its PostgreSQL database is a streaming replica (or it
		// was opened read-only).
		writeError(w, r, http.StatusForbidden, codeReadOnly, "%s: refused: this server's library is read-only (a PostgreSQL library on a streaming replica takes no writes): send writes to a server on the primary", what)
	case errors.Is(err, errReplicaBehind):
		s.opts.Logger.Warn(what+": replica behind its primary", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		writeErrorOf(w, r, http.StatusServiceUnavailable, codeReplicaBehind, msg.Errorf("%s: %w", what, err))
	case errors.Is(err, check.ErrLibraryUnavailable), errors.Is(err, check.ErrRead):
		// A check whose reads failed twice, or a library read outside a
		// check (the allowlist read while a checker is built).
		s.opts.Logger.Error(what, "err", err, "path", r.URL.Path)
		writeBusy(w, r, codeLibraryUnavailable, "%s: the library's database could not be read; retry shortly", what)
	default:
		s.opts.Logger.Error(what, "err", err, "path", r.URL.Path)
		writeError(w, r, http.StatusInternalServerError, codeInternal, "%s: internal error (details are in the server log)", what)
	}
}

// unavailable is a failed library read outside a check: a 503 with
// Retry-After, as a check whose reads failed twice
// (check.ErrLibraryUnavailable).
func unavailable(err error) error {
	return fmt.Errorf("%w: %w", check.ErrLibraryUnavailable, err)
}

// isNotFound reports whether err means "no such element or asset".
func isNotFound(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, kit.ErrNotFound)
}

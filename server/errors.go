package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"elib/check"
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

// errorBody is every error response.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
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
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is over the limit of %d bytes", mbe.Limit))
	case errors.As(err, &tle):
		writeError(w, http.StatusRequestEntityTooLarge, tle.Error())
	case errors.Is(err, errBadRequest):
		writeError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), errBadRequest.Error()+": "))
	case errors.Is(err, errMediaBusy):
		writeBusy(w, fmt.Sprintf("%s: the server is busy (every media slot stayed taken for %s); retry shortly", what, s.opts.QueueTimeout))
	case errors.Is(err, errStatsBusy):
		writeBusy(w, what+": stats for another period are being computed; retry shortly")
	case errors.Is(err, errBusy):
		writeBusy(w, fmt.Sprintf("%s: the server is busy (every check slot stayed taken for %s); retry shortly", what, s.opts.QueueTimeout))
	case errors.Is(err, context.DeadlineExceeded):
		s.opts.Logger.Warn(what+": deadline passed", "path", r.URL.Path, "timeout", s.opts.CheckTimeout)
		writeBusy(w, fmt.Sprintf("%s: not done within %s; retry shortly", what, s.opts.CheckTimeout))
	case r.Context().Err() != nil:
		writeError(w, http.StatusServiceUnavailable, what+": request cancelled")
	case errors.Is(err, kit.ErrReadOnly):
		// The library refused the write although this server takes
		// writes: its PostgreSQL database is a streaming replica (or it
		// was opened read-only).
		writeError(w, http.StatusForbidden, what+": refused: this server's library is read-only (a PostgreSQL library on a streaming replica takes no writes): send writes to a server on the primary")
	case errors.Is(err, errReplicaBehind):
		s.opts.Logger.Warn(what+": replica behind its primary", "path", r.URL.Path, "err", err)
		writeBusy(w, what+": "+strings.TrimPrefix(err.Error(), errReplicaBehind.Error()+": "))
	case errors.Is(err, check.ErrLibraryUnavailable):
		s.opts.Logger.Error(what, "err", err, "path", r.URL.Path)
		writeBusy(w, what+": the library's database could not be read; retry shortly")
	default:
		s.opts.Logger.Error(what, "err", err, "path", r.URL.Path)
		writeError(w, http.StatusInternalServerError, what+": internal error (details are in the server log)")
	}
}

// isNotFound reports whether err means "no such element or asset".
func isNotFound(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, kit.ErrNotFound)
}

package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"elib/check/report"
	"elib/history"
	"elib/insight"
)

// The check history over HTTP: every check the server makes (POST
// /v1/check, /v1/report, /v1/export) is appended to the library's history
// with who made it; GET /v1/history lists it.

// UserHeader names the person behind a request that carries no token (the
// page sends the name the user gave it, percent-encoded); at most 64
// characters. A "user" query parameter does the same for form posts.
const UserHeader = "X-Elib-User"

// historyReply is GET /v1/history: the shape of `elib history --format
// json`.
type historyReply struct {
	Total   int             `json:"total"`
	Entries []history.Entry `json:"entries"`
}

// who names the requester for the history: the token's name (Options.
// TokenName, default "token") for a request with the server's bearer
// token, else the X-Elib-User header, else the client's address.
func (s *Server) who(r *http.Request) string {
	if s.opts.Token != "" {
		const prefix = "Bearer "
		if auth := r.Header.Get("Authorization"); len(auth) > len(prefix) && equalFoldASCII(auth[:len(prefix)], prefix) {
			got := sha256.Sum256([]byte(auth[len(prefix):]))
			if subtle.ConstantTimeCompare(got[:], s.tokenSum[:]) == 1 {
				if s.opts.TokenName != "" {
					return s.opts.TokenName
				}
				return "token"
			}
		}
	}
	if u := cleanUser(unescapeUser(r.Header.Get(UserHeader))); u != "" {
		return u
	}
	// The page's printable report is a form posted to a new tab, which
	// cannot carry a header: it names the user in the URL.
	if u := cleanUser(r.URL.Query().Get("user")); u != "" {
		return u
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// unescapeUser decodes a percent-encoded header value: browsers send only
// Latin-1 in headers, so the page encodes a name like 小王 as
// %E5%B0%8F%E7%8E%8B. Anything else is taken as it is.
func unescapeUser(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// cleanUser keeps a user name printable and short.
func cleanUser(s string) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return ""
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > 64 {
		s = string([]rune(s)[:64])
	}
	return s
}

// finishReport stamps a check report with when, who and what library,
// names its sources, and appends it to the library's check history (a
// history that cannot be written is logged; the check still answers).
func (s *Server) finishReport(ctx context.Context, r *http.Request, rep *report.Report, format string) {
	rep.Checked, rep.Checker = s.opts.Now(), s.who(r)
	if rep.Library == "" {
		rep.Library = s.opts.LibraryName
	}
	if rep.Library == "" {
		rep.Library = s.opts.LibraryDesc
	}
	if format == "json" {
		rep.DescribeByTitle() // no asset read on the hot path
	} else {
		rep.Describe(s.opts.Library)
	}
	if len(rep.Results) == 0 {
		return
	}
	if err := s.opts.Library.AppendHistory(context.WithoutCancel(ctx), rep.HistoryEntries(rep.Checker, "serve")); err != nil {
		s.opts.Logger.Error("record check in history", "err", err)
	}
}

// handleHistory is GET /v1/history?since=7d&until=…&verdict=reject&limit=N:
// the recorded checks, oldest first (the newest limit of them; default
// 500).
func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	store := s.opts.Library
	q := r.URL.Query()
	now := s.opts.Now()
	var f history.Filter
	var err error
	if f.Since, err = insight.ParseSince(q.Get("since"), now); err != nil {
		s.writeErr(w, r, "history", badRequest("since: %v", err))
		return
	}
	if u := q.Get("until"); u != "" {
		if f.Until, err = insight.ParseUntil(u, now); err != nil {
			s.writeErr(w, r, "history", badRequest("until: %v", err))
			return
		}
	}
	f.Verdict = q.Get("verdict")
	if err := f.Validate(); err != nil {
		s.writeErr(w, r, "history", badRequest("%v", err))
		return
	}
	f.Limit = 500
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 10000 {
			s.writeErr(w, r, "history", badRequest("limit %q must be 1…10000", l))
			return
		}
		f.Limit = n
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	entries, err := store.History(ctx, f)
	if err != nil {
		s.writeErr(w, r, "history", err)
		return
	}
	writeJSON(w, http.StatusOK, historyReply{Total: len(entries), Entries: entries})
}

// handleExport is POST /v1/export: the check of POST /v1/check answered
// as the Excel workbook of `elib check --format xlsx` (the page's 导出
// Excel).
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) { s.serveCheck(w, r, "xlsx") }

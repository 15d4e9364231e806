package server

import (
	"bytes"
	"context"
	"elib/internal/i18n/msg"
	"errors"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Limits of the API that hold whatever the options (issue 15).
const (
	// MaxQueryChars is the longest search query accepted (code points): a
	// query becomes one disjunct per token, so its cost grows with it.
	MaxQueryChars = 400
	// MaxSearchFilters is the most where= filters of one search (400
	// beyond, never silently fewer).
	MaxSearchFilters = 64
	// DefaultMaxCheckBytes caps the body of /v1/check and /v1/split: a
	// script is kilobytes.
	DefaultMaxCheckBytes = 1 << 20
	// DefaultCheckTimeout is the deadline of a check, split or search
	// request, queueing included; shorter than the 60 s write timeout so
	// the answer (or the 503) is always delivered.
	DefaultCheckTimeout = 30 * time.Second
	// DefaultQueueTimeout is how long a request waits for a busy check
	// slot before it is answered 503 with Retry-After.
	DefaultQueueTimeout = 5 * time.Second
	// DefaultMaxReplyBytes bounds one JSON reply; a larger one is a 500
	// (logged) instead of gigabytes on the wire.
	DefaultMaxReplyBytes = 32 << 20
	// retryAfterSeconds is the Retry-After of a 503 for busy slots.
	retryAfterSeconds = 2
)

// errBusy is returned when no check slot frees up within the queue timeout.
var errBusy = errors.New("server busy: every check slot stayed taken")

// hostAllowed reports whether the request's Host is one the server answers
// for: an IP literal (a DNS-rebinding page can only reach the server
// through a name it controls, never through an address), localhost and
// *.localhost, and Options.AllowedHosts.
func (s *Server) hostAllowed(r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" {
		return r.ProtoMajor < 2 && r.Host == "" // HTTP/1.0 without Host
	}
	if net.ParseIP(host) != nil || host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	for _, a := range s.opts.AllowedHosts {
		if strings.EqualFold(strings.TrimSuffix(a, "."), host) {
			return true
		}
	}
	return false
}

// guard refuses requests for hosts the server does not serve (DNS
// rebinding) and cross-origin browser POSTs and DELETEs (CSRF: checked
// with Sec-Fetch-Site, else Origin against Host, by
// http.CrossOriginProtection). GETs of the API and /metrics are held to
// the same test: a page on another site must not make the server spend
// minutes on /v1/stats, nor read the library through a user's browser.
// The page's static files stay reachable from anywhere (a link to the
// page is a cross-site navigation). It returns false when it answered.
func (s *Server) guard(w http.ResponseWriter, r *http.Request) bool {
	if !s.hostAllowed(r) {
		s.opts.Logger.Warn("refused a request for a host this server does not serve", "host", r.Host, "remote", r.RemoteAddr)
		writeError(w, r, http.StatusMisdirectedRequest, codeHostRefused, "host %q is not served here: use http://127.0.0.1 or localhost, or start `elib serve` with --allowed-host NAME", r.Host)
		return false
	}
	checked := r
	if needsToken(r.URL.Path) && (r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions) {
		// CrossOriginProtection lets safe methods through; ask it
		// about the same request as if it wrote.
		post := *r
		post.Method = http.MethodPost
		checked = &post
	}
	if err := s.csrf.Check(checked); err != nil {
		writeError(w, r, http.StatusForbidden, codeCrossOrigin, "cross-origin request refused: the API answers its own page and non-browser clients")
		return false
	}
	return true
}

// readCheckInputs reads a check or split request. A script (a JSON or
// text body, a file part) is held in memory up to Options.MaxCheckBytes; a
// multipart upload may carry videos up to Options.MaxBodyBytes, streamed
// to temporary files while they arrive, and is given
// Options.UploadTimeout to arrive. The check's deadline
// (Options.CheckTimeout) starts once the body is in, and the uploads are
// parsed under it. The caller defers cancel and req.Close (both are safe
// after an error).
func (s *Server) readCheckInputs(w http.ResponseWriter, r *http.Request) (req *requestInputs, ctx context.Context, cancel context.CancelFunc, err error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	upload := ct == "multipart/form-data"
	if !upload && r.ContentLength > s.opts.MaxCheckBytes {
		ctx, cancel = context.WithCancel(r.Context())
		return nil, ctx, cancel, &errTooLarge{what: msg.Errorf("request body of %d bytes (a script is kilobytes; upload a video as a file)", r.ContentLength), limit: s.opts.MaxCheckBytes}
	}
	rc := http.NewResponseController(w)
	if upload {
		_ = rc.SetReadDeadline(time.Now().Add(s.opts.UploadTimeout))
	}
	req, err = readInputs(r, uploadLimits{Text: s.opts.MaxCheckBytes, Dir: s.opts.UploadDir})
	ctx, cancel = s.withDeadline(r)
	if err != nil {
		return req, ctx, cancel, err
	}
	if upload {
		// The answer is due within the check's deadline from now, however
		// long the upload took (the server's write timeout counts from the
		// request's headers).
		_ = rc.SetWriteDeadline(time.Now().Add(s.opts.CheckTimeout + uploadWriteSlack))
	}
	return req, ctx, cancel, req.parse(s.uploadParser(ctx))
}

// uploadWriteSlack is the time an upload's answer has to be written
// after the check's deadline.
const uploadWriteSlack = 30 * time.Second

// withDeadline is r's context bounded by Options.CheckTimeout.
func (s *Server) withDeadline(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.opts.CheckTimeout)
}

// Requests past these sizes are heavy: they may hold a check slot for
// seconds, so at most Options' slots minus one of them run at once and a
// slot stays free for ordinary checks (a script of a few hundred
// characters) and short searches.
const (
	heavyCheckChars    = 4_000
	heavyQueryChars    = 64
	reservedLightSlots = 1
)

// acquire takes a check slot — a heavy request first one of the heavy
// slots — waiting at most Options.QueueTimeout in all (and never past
// ctx); errBusy when none freed up. release(heavy) gives them back. A
// library trailing its primary beyond the bound gets no slot (current).
func (s *Server) acquire(ctx context.Context, heavy bool) error {
	if err := s.current(ctx); err != nil {
		return err
	}
	t := time.NewTimer(s.opts.QueueTimeout)
	defer t.Stop()
	take := func(slots chan struct{}) error {
		select {
		case slots <- struct{}{}:
			return nil
		default:
		}
		s.waiting.Add(1)
		defer s.waiting.Add(-1)
		select {
		case slots <- struct{}{}:
			return nil
		case <-t.C:
			return errBusy
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if heavy {
		if err := take(s.heavySlots); err != nil {
			return err
		}
	}
	if err := take(s.checkSlots); err != nil {
		if heavy {
			<-s.heavySlots
		}
		return err
	}
	return nil
}

func (s *Server) release(heavy bool) {
	<-s.checkSlots
	if heavy {
		<-s.heavySlots
	}
}

// Background work — an API import's search-index batches and
// fingerprinting, its stored check outcomes — runs outside the check
// slots, on the cores the checks use. Left to Go's scheduler it takes
// an even share of them whether checks queue or not, and the checks
// sent while an import ran were the load's tail (RESULTS, the import
// window). yieldToChecks is the pace (package pace) of that work: before
// each step it waits until no check or search runs or waits for a slot,
// polling every yieldPoll, at most maxYield, so that the work still
// progresses under a load that never lets up.
const (
	yieldPoll = time.Millisecond
	maxYield  = 50 * time.Millisecond
)

// yieldToChecks waits until the checks can spare a core (see above).
func (s *Server) yieldToChecks(ctx context.Context) {
	if s.idle() {
		return
	}
	deadline := time.Now().Add(maxYield)
	t := time.NewTicker(yieldPoll)
	defer t.Stop()
	for !s.idle() && time.Now().Before(deadline) {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// idle reports whether no request holds or waits for a check slot.
func (s *Server) idle() bool {
	return s.waiting.Load() == 0 && len(s.checkSlots) == 0
}

// writeBusy answers 503 with Retry-After.
func writeBusy(w http.ResponseWriter, r *http.Request, code, key string, args ...any) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	writeError(w, r, http.StatusServiceUnavailable, code, key, args...)
}

// cappedBuffer collects a reply up to max bytes; past it, writes fail.
type cappedBuffer struct {
	bytes.Buffer
	max int64
}

// errReplyTooLarge is a reply past Options.MaxReplyBytes.
var errReplyTooLarge = errors.New("reply too large")

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if int64(b.Len()+len(p)) > b.max {
		return 0, errReplyTooLarge
	}
	return b.Buffer.Write(p)
}

// IsLoopbackAddr reports whether the listen address addr ("host:port")
// binds loopback only; an empty host or 0.0.0.0 binds every interface.
func IsLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

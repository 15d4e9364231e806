package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"elib/check"
	"elib/fingerprint"
	"elib/internal/i18n/msg"
	"elib/library/kit"

	"golang.org/x/text/language"
)

// Defaults of Options.
const (
	DefaultAddr = "127.0.0.1:7420"
	// DefaultMaxBodyBytes is the largest request body: a video upload
	// (real 30 s shorts are 5–50 MB), streamed to disk as it arrives.
	DefaultMaxBodyBytes = 200 << 20
	// DefaultMaxTextBytes is the largest body or file held in memory by an
	// import (a JSON library, a script).
	DefaultMaxTextBytes = 8 << 20
	// DefaultUploadTimeout is how long a multipart upload may take to
	// arrive (200 MB at 3 Mbit/s is about 9 minutes).
	DefaultUploadTimeout = 10 * time.Minute
	DefaultThreshold     = check.DefaultThreshold
	DefaultSearchLimit   = 20
	MaxSearchLimit       = 200
	// DefaultRefreshInterval is how often a read-only library is checked
	// for changes other processes committed.
	DefaultRefreshInterval = 2 * time.Second
)

// Options configure New. Library and Engine are required.
type Options struct {
	// Library is the library checks and searches run against.
	Library kit.Library
	// Engine fingerprints checked material (its tokenizer is loaded once,
	// by the caller, before the server starts).
	Engine *fingerprint.Engine
	// Token enables the write endpoints (import, delete) for requests
	// carrying "Authorization: Bearer <Token>". Empty: writes refused (403).
	Token string
	// TokenName is who a request with the token is in the check history.
	// The default value is "token".
	TokenName string
	// ReadOnly refuses writes (403) whatever the token: a library opened
	// read-only or the embedded sample library.
	ReadOnly bool
	// LibraryDesc describes the library for the web page and logs.
	LibraryDesc string
	// Zone is the time zone the dashboard's weeks and months begin in
	// (`elib serve --tz`). The default value is nil (UTC).
	Zone *time.Location
	// Lang is the language of error messages for requests whose
	// Accept-Language names no language elib speaks (`elib serve`
	// passes its --lang or locale). The default value (the zero Tag) is
	// English.
	Lang language.Tag
	// MediaRoot is the folder the library's videos are kept in under
	// their asset ids (`elib serve`: the library's root, where `elib
	// import` read them): a footage check's matched frames of library
	// videos are cut from there, never from elsewhere. The default value
	// is "" (only the checked video's frames are shown).
	MediaRoot string
	// LibraryName is the library's bare name (its folder's, or its
	// PostgreSQL database's), which the page shows in its own language
	// ("元件库：copy.elib（12 个素材）"). The default value is "" (the
	// page shows LibraryDesc).
	LibraryName string
	// Sample marks the embedded sample library (shown on the page).
	Sample bool
	// Threshold is the rejection threshold of a request that gives none;
	// 0 means 0. The default value (nil) is check.DefaultThreshold.
	Threshold *float64
	// MaxBodyBytes caps request bodies (413 beyond): the largest video
	// upload, streamed to a temporary file in UploadDir, never held in
	// memory (the media limits of package media apply to it too). The
	// default value is DefaultMaxBodyBytes (200 MiB).
	MaxBodyBytes int64
	// MaxTextBytes caps what an import holds in memory: a JSON body or an
	// uploaded script (413 beyond). The default value is
	// DefaultMaxTextBytes (8 MiB), at most MaxBodyBytes.
	MaxTextBytes int64
	// UploadDir is where uploaded videos are spooled while they are
	// checked or imported (removed after). The default value is "" (the
	// system's temp dir).
	UploadDir string
	// UploadTimeout is how long a multipart upload may take to arrive,
	// whatever the server's read timeout. The default value is
	// DefaultUploadTimeout (10 minutes).
	UploadTimeout time.Duration
	// Logger receives access logs (debug level) and errors; default
	// slog.Default().
	Logger *slog.Logger
	// Version is reported by /v1/info.
	Version string
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// RefreshInterval is how often Watch brings a library opened
	// read-only up to date with the imports, removals, reindexes and
	// allowlist edits of other processes (default 2 s; negative: never).
	RefreshInterval time.Duration
	// AllowedHosts are the host names (Host header) served besides IP
	// literals, localhost and *.localhost; any other name is refused (421)
	// so a DNS-rebinding page cannot read the API. The default value is
	// none.
	AllowedHosts []string
	// MaxCheckBytes caps the body of /v1/check and /v1/split (413
	// beyond). The default value is DefaultMaxCheckBytes (1 MiB).
	MaxCheckBytes int64
	// CheckTimeout is the deadline of one check, split or search request,
	// waiting for a slot included (503 beyond); keep it below the write
	// timeout. The default value is DefaultCheckTimeout (30 s).
	CheckTimeout time.Duration
	// QueueTimeout is how long a request waits for a check slot before
	// it is answered 503 with Retry-After. The default value is
	// DefaultQueueTimeout (5 s).
	QueueTimeout time.Duration
	// MaxReplicaLag, when positive, bounds how far a library on a
	// streaming replica may trail its primary: beyond it checks and
	// searches are answered 503 with Retry-After and /healthz reports
	// "lagging" (503), so a load balancer sends them elsewhere. Zero: no
	// bound (the lag is still reported by /healthz).
	MaxReplicaLag time.Duration
	// MaxReplyBytes bounds one JSON reply (500, logged, beyond). The
	// default value is DefaultMaxReplyBytes (32 MiB).
	MaxReplyBytes int64
	// MediaSlots is how many uploaded videos are parsed at once (their
	// own pool, apart from the check slots); a video waits at most
	// QueueTimeout for one, then the request is answered 503 with
	// Retry-After. The default value is DefaultMediaSlots() (one per two
	// cores, at least one).
	MediaSlots int
	// Private requires the token (Authorization: Bearer, or the page's
	// cookie) on every endpoint except /healthz and the page's static
	// files: reads, checks and stats included. `elib serve` sets it with
	// --private and whenever it listens beyond loopback. The default value
	// is false (reads are open, writes need the token).
	Private bool
	// StatsTimeout bounds one computation of /v1/stats (it runs checks
	// over the period); the result is cached per library generation and
	// period. The default value is DefaultStatsTimeout (5 minutes).
	StatsTimeout time.Duration
}

// EnsureDefaults fills zero fields.
func (o *Options) EnsureDefaults() {
	if o.Threshold == nil {
		t := DefaultThreshold
		o.Threshold = &t
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RefreshInterval == 0 {
		o.RefreshInterval = DefaultRefreshInterval
	}
	if o.MaxTextBytes <= 0 {
		o.MaxTextBytes = min(DefaultMaxTextBytes, o.MaxBodyBytes)
	}
	if o.UploadTimeout <= 0 {
		o.UploadTimeout = DefaultUploadTimeout
	}
	if o.MaxCheckBytes <= 0 {
		o.MaxCheckBytes = min(DefaultMaxCheckBytes, o.MaxBodyBytes)
	}
	if o.CheckTimeout <= 0 {
		o.CheckTimeout = DefaultCheckTimeout
	}
	if o.QueueTimeout <= 0 {
		o.QueueTimeout = DefaultQueueTimeout
	}
	if o.MaxReplyBytes <= 0 {
		o.MaxReplyBytes = DefaultMaxReplyBytes
	}
	if o.MediaSlots <= 0 {
		o.MediaSlots = DefaultMediaSlots()
	}
	if o.StatsTimeout <= 0 {
		o.StatsTimeout = DefaultStatsTimeout
	}
}

// Server serves the API and the web page. It is an http.Handler.
type Server struct {
	opts Options
	// notifier and lagger are the library's optional abilities (nil when
	// it has none), asked for once in New.
	notifier kit.Notifier
	lagger   kit.Lagger
	mux      *http.ServeMux
	metrics  *metrics
	// tokenSum is the SHA-256 of the token; compared in constant time.
	tokenSum [32]byte

	// writeMu serialises imports and removals: one writer at a time.
	writeMu sync.Mutex

	// checkerMu guards checker: built on first use, dropped when the
	// library refreshes (its allowlist may be new). Thresholds are applied
	// per result (check.Result.Judge), so one checker serves them all.
	checkerMu sync.Mutex
	checkr    *check.Checker
	checkrEx  *check.Checker // with ExcludeSelf

	// fatigue caches the library's current fatigue for check warnings.
	fatigue fatigueCache
	// lag caches the replica lag reading (see current).
	lag lagCache

	// checkSlots bounds the checks and searches running at once to the
	// CPUs: a check is CPU-bound (gojieba through cgo), and more in flight
	// only adds thread hand-offs around the cgo calls.
	checkSlots chan struct{}
	// heavySlots bounds the heavy checks and searches (see acquire) to
	// one less than checkSlots, so light ones always find a slot.
	heavySlots chan struct{}
	// waiting counts the requests waiting for a check slot (acquire):
	// background work yields while any does (yieldToChecks).
	waiting atomic.Int32

	// csrf refuses cross-origin browser POSTs and DELETEs.
	csrf *http.CrossOriginProtection

	// mediaSlots bounds the uploaded videos parsed at once.
	mediaSlots chan struct{}
	// stats caches /v1/stats results.
	stats statsCache
}

// New builds a Server.
func New(opts Options) (*Server, error) {
	opts.EnsureDefaults()
	if opts.Library == nil {
		return nil, errors.New("server: no library")
	}
	if opts.Engine == nil {
		return nil, errors.New("server: no fingerprint engine")
	}
	if err := check.ValidThreshold(*opts.Threshold); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	if opts.Private && opts.Token == "" {
		return nil, errors.New("server: private without a token: every request would be refused")
	}
	s := &Server{opts: opts, mux: http.NewServeMux(), metrics: newMetrics(),
		notifier: ability[kit.Notifier](opts.Library), lagger: ability[kit.Lagger](opts.Library),
		checkSlots: make(chan struct{}, runtime.GOMAXPROCS(0)), csrf: http.NewCrossOriginProtection(),
		heavySlots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-reservedLightSlots)),
		mediaSlots: make(chan struct{}, opts.MediaSlots)}
	if opts.Token != "" {
		s.tokenSum = sha256.Sum256([]byte(opts.Token))
	}
	if _, err := s.checker(); err != nil {
		return nil, err
	}
	web, err := fs.Sub(webFS, "web")
	if err != nil {
		return nil, fmt.Errorf("server: embedded web page: %w", err)
	}
	s.routes(web)
	return s, nil
}

func (s *Server) routes(web fs.FS) {
	m := s.mux
	m.HandleFunc("POST /v1/check", s.handleCheck)
	m.HandleFunc("POST /v1/split", s.handleSplit)
	m.HandleFunc("GET /v1/search", s.handleSearch)
	m.HandleFunc("GET /v1/elements/{id...}", s.handleElement)
	m.HandleFunc("DELETE /v1/elements/{id...}", s.requireToken(s.handleDelete))
	m.HandleFunc("POST /v1/import", s.requireToken(s.handleImport))
	m.HandleFunc("GET /v1/info", s.handleInfo)
	m.HandleFunc("GET /v1/stats", s.handleStats)
	m.HandleFunc("POST /v1/report", s.handleReport)
	m.HandleFunc("POST /v1/export", s.handleExport)
	m.HandleFunc("GET /v1/history", s.handleHistory)
	m.HandleFunc("GET /v1/packs", s.handlePacks)
	m.HandleFunc("GET /v1/packs/{id}", s.handlePack)
	m.HandleFunc("GET /v1/packs/{id}/export", s.handlePackExport)
	m.HandleFunc("POST /v1/packs", s.requireToken(s.handlePackCreate))
	m.HandleFunc("DELETE /v1/packs/{id}", s.requireToken(s.handlePackDelete))
	m.HandleFunc("GET /healthz", s.handleHealth)
	m.HandleFunc("GET /metrics", s.handleMetrics)
	files := http.FileServerFS(web)
	m.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			writeError(w, r, http.StatusNotFound, codeNotFound, "no API endpoint %s %s", r.Method, r.URL.Path)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// ServeHTTP adds security headers, the body limit, metrics and access logs
// around the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.opts.Now()
	r = s.withPrinter(r)
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	if !s.guard(rec, r) {
		// refused: wrong Host or a cross-origin browser request
	} else if s.opts.Private && needsToken(r.URL.Path) && !s.checkToken(rec, r, true) {
		// refused: a private server's endpoint without the token
	} else if r.ContentLength > s.opts.MaxBodyBytes {
		writeError(rec, r, http.StatusRequestEntityTooLarge, codeTooLarge, "request body of %d bytes is over the limit of %d bytes", r.ContentLength, s.opts.MaxBodyBytes)
	} else {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(rec, r.Body, s.opts.MaxBodyBytes)
		}
		s.mux.ServeHTTP(rec, r)
	}
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	s.metrics.request(route, rec.status)
	s.opts.Logger.LogAttrs(r.Context(), slog.LevelDebug, "http",
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", route),
		slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
		slog.Duration("took", s.opts.Now().Sub(start)), slog.String("remote", r.RemoteAddr))
}

// statusRecorder remembers the status code and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// requireToken guards a write endpoint: 403 when the server has no token,
// 401 when the request's bearer token is missing or wrong.
func (s *Server) requireToken(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.ReadOnly {
			if s.opts.Sample {
				writeError(w, r, http.StatusForbidden, codeReadOnly, "the embedded sample library is read-only: start `elib serve` on a library (elib init) with ELIB_TOKEN set to import")
			} else {
				writeError(w, r, http.StatusForbidden, codeReadOnly, "the library is open read-only: writes are disabled")
			}
			return
		}
		if s.opts.Token == "" {
			writeError(w, r, http.StatusForbidden, codeWritesDisabled, "writes are disabled: start `elib serve` with ELIB_TOKEN set to allow import and delete")
			return
		}
		if !s.checkToken(w, r, false) {
			return
		}
		next(w, r)
	}
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// checker returns the server's checker, building it on first use.
func (s *Server) checker() (*check.Checker, error) { return s.checkerFor(false) }

// checkerFor returns the server's checker, or its --exclude-self twin,
// building it on first use.
func (s *Server) checkerFor(excludeSelf bool) (*check.Checker, error) {
	s.checkerMu.Lock()
	defer s.checkerMu.Unlock()
	slot := &s.checkr
	if excludeSelf {
		slot = &s.checkrEx
	}
	if *slot != nil {
		return *slot, nil
	}
	c, err := check.New(s.opts.Engine, check.Options{ExcludeSelf: excludeSelf}, s.opts.Library)
	if errors.Is(err, check.ErrRead) {
		// The Session's rule for failed reads: after a database restart
		// the first read on each pooled connection fails, so read once
		// more before answering 503.
		c, err = check.New(s.opts.Engine, check.Options{ExcludeSelf: excludeSelf}, s.opts.Library)
	}
	if err != nil {
		return nil, fmt.Errorf("build checker: %w", err)
	}
	*slot = c
	return c, nil
}

// Refresh brings the library up to date with what other processes
// committed since it was opened or last refreshed (see
// kit.Library.Refresh) and reports whether it changed. On a change the
// checker is dropped, since the allowlist may be new. A library
// that cannot refresh (in memory, or opened by this process as the
// writer, which is always current) reports no change.
func (s *Server) Refresh() (bool, error) {
	changed, err := s.opts.Library.Refresh()
	if err != nil || !changed {
		return false, err
	}
	s.checkerMu.Lock()
	s.checkr, s.checkrEx = nil, nil
	s.checkerMu.Unlock()
	return true, nil
}

// Watch calls Refresh every Options.RefreshInterval, and whenever a
// library that announces commits (PostgreSQL) announces one, until ctx is done,
// logging a change at Info ("library refreshed") and a failure at Warn;
// after a failure the server keeps serving the state it has. It returns at
// once when the interval is negative or the library has no Refresh. Run
// calls Watch when its handler is a *Server; call it yourself when serving
// the Server another way.
func (s *Server) Watch(ctx context.Context) {
	if s.opts.RefreshInterval < 0 {
		return
	}
	t := time.NewTicker(s.opts.RefreshInterval)
	defer t.Stop()
	var changes <-chan struct{} // nil (never ready) without notifications
	if s.notifier != nil {
		changes = s.notifier.Changes(ctx)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case _, open := <-changes:
			if !open {
				changes = nil
				continue
			}
		}
		changed, err := s.Refresh()
		switch {
		case err != nil:
			s.opts.Logger.Warn("library refresh failed; serving the state loaded before", "err", err)
		case changed:
			gen, err1 := s.opts.Library.Generation()
			assets, err2 := s.opts.Library.AssetCount()
			elements, err3 := s.opts.Library.ElementCount()
			if err := errors.Join(err1, err2, err3); err != nil {
				s.opts.Logger.Warn("library refreshed; its counts could not be read", "err", err)
				break
			}
			s.opts.Logger.Info("library refreshed", "generation", gen, "assets", assets, "elements", elements)
		}
	}
}

// RunOptions configure Run.
type RunOptions struct {
	// Addr is the listen address (default 127.0.0.1:7420).
	Addr string
	// Listener, when set, is used instead of listening on Addr.
	Listener net.Listener
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout bound a
	// connection (defaults 10 s, 60 s, 60 s, 120 s).
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// ShutdownTimeout bounds the graceful shutdown (default 10 s).
	ShutdownTimeout time.Duration
	// Ready is called with the bound address once the server listens.
	Ready func(addr net.Addr)
}

// Run serves h until ctx is cancelled (SIGTERM/SIGINT through the command's
// context), then shuts down gracefully: in-flight requests finish, new
// connections are refused. When h is a *Server, Run also keeps its library
// current (Server.Watch) while it serves.
func Run(ctx context.Context, h http.Handler, opts RunOptions) error {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	dur := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	dur(&opts.ReadHeaderTimeout, 10*time.Second)
	dur(&opts.ReadTimeout, 60*time.Second)
	dur(&opts.WriteTimeout, 60*time.Second)
	dur(&opts.IdleTimeout, 120*time.Second)
	dur(&opts.ShutdownTimeout, 10*time.Second)
	ln := opts.Listener
	if ln == nil {
		var err error
		ln, err = net.Listen("tcp", opts.Addr)
		if err != nil {
			return msg.Errorf("listen on %s: %w", opts.Addr, err)
		}
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: opts.ReadHeaderTimeout,
		ReadTimeout:       opts.ReadTimeout,
		WriteTimeout:      opts.WriteTimeout,
		IdleTimeout:       opts.IdleTimeout,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if s, ok := h.(*Server); ok {
		wctx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Watch(wctx)
		}()
		// Stop watching before returning: the caller closes the library next.
		defer wg.Wait()
		defer stop()
	}
	if opts.Ready != nil {
		opts.Ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), opts.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// ability returns lib as T, or T's zero value (nil) when lib lacks it.
func ability[T any](lib kit.Library) T {
	t, _ := lib.(T)
	return t
}

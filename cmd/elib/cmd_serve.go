package main

import (
	"context"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"elib/index"
	"elib/internal/i18n"

	"github.com/spf13/cobra"

	"elib/check"
	"elib/fulltext"
	"elib/library"
	"elib/library/kit"
	"elib/server"
)

// serveOptions are the flags of `elib serve`.
type serveOptions struct {
	addr      string
	threshold float64
	maxBody   int64
	sample    bool
	// refresh is how often a read-only library is checked for commits of
	// other processes; 0 turns it off.
	refresh time.Duration
	// token enables writes; from $ELIB_TOKEN (never a flag, so it does not
	// show in the process list).
	token string
	// allowedHosts are host names served besides IP literals and
	// localhost (--allowed-host).
	allowedHosts []string
	// public allows a non-loopback --addr without ELIB_TOKEN.
	public bool
	// private requires the token on every endpoint but /healthz and
	// the page (--private; implied beyond loopback with a token).
	private bool
	// mediaSlots is how many uploaded videos are parsed at once.
	mediaSlots int
	// maxReplicaLag bounds how far a PostgreSQL replica may trail its
	// primary while serving checks (0: no bound).
	maxReplicaLag time.Duration
	// listener and ready are for tests: serve on an existing listener and
	// learn the bound address.
	listener net.Listener
	ready    func(net.Addr)
}

func newServeCommand(g *globalOptions) *cobra.Command {
	opts := serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API and the web page (default 127.0.0.1:7420)",
		Long: `Serve runs the JSON API (POST /v1/check, POST /v1/split, GET /v1/search,
GET /v1/elements/{id}, POST /v1/import, DELETE /v1/elements/{id}), /healthz,
Prometheus /metrics and the web page at /.

The library is --library, $ELIB_LIBRARY or ./.elib. With none on disk (and
none named) the embedded sample library is served, read-only.

Writes (import, delete) need ELIB_TOKEN in the server's environment and
"Authorization: Bearer $ELIB_TOKEN" on the request; with ELIB_TOKEN set the
server opens the library as its writer, so imports are visible to checks and
searches at once. Without it the library is opened read-only and writes are
refused with 403; the server then picks up what other processes commit
(elib import, remove, reindex, allowlist) within --refresh (default 2s).

Requests are answered for IP addresses and localhost; serving under a host
name needs --allowed-host NAME (DNS-rebinding protection). Cross-site browser
POSTs are refused. Checks and searches share one slot per CPU and answer 503
with Retry-After when the slots stay busy for 5 s; check bodies are capped at
1 MiB, search queries at 400 characters. ELIB_TOKEN must be at least 16
characters; a non-loopback --addr without it needs --public.

--private (implied when --addr listens beyond loopback with ELIB_TOKEN
set) requires the token on every endpoint except /healthz and the web
page's files: searches, checks, stats and exports too. The page asks for
the token once and keeps it in the browser. Cross-site browser GETs of the
API are refused like cross-site POSTs.

Uploaded videos are untrusted: only MP4/MOV and Matroska/WebM files
within the --media-max-* limits are read, by ffmpeg restricted to local
files, under the request's deadline, --media-slots at a time.

On a PostgreSQL streaming replica, checks see an import once the replica has
replayed it; /healthz reports replica_lag_seconds. --max-replica-lag makes
that a bound: while the replica trails its primary by more, checks and
searches are answered 503 with Retry-After and /healthz says "lagging" (503).

The server stops gracefully on SIGINT or SIGTERM.`,
		Example: `  elib serve
  ELIB_TOKEN=$(openssl rand -hex 16) elib serve --library /srv/elib --addr :7420
  curl -s localhost:7420/v1/check -d '{"text":"【钩子】你是不是还在……","format":"txt"}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.token = os.Getenv("ELIB_TOKEN")
			return runServe(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.addr, "addr", server.DefaultAddr, "listen address")
	f.Float64Var(&opts.threshold, "threshold", check.DefaultThreshold, "default rejection threshold (requests may override)")
	f.Int64Var(&opts.maxBody, "max-body", server.DefaultMaxBodyBytes, "request body limit in bytes (413 beyond)")
	f.BoolVar(&opts.sample, "sample", false, "serve the embedded sample library even if a library exists")
	f.DurationVar(&opts.refresh, "refresh", server.DefaultRefreshInterval, "without ELIB_TOKEN: how often to pick up commits of other processes (0: never)")
	f.StringArrayVar(&opts.allowedHosts, "allowed-host", nil, "also answer requests for this host name (repeatable); IP addresses and localhost are always answered, other names refused against DNS rebinding")
	f.DurationVar(&opts.maxReplicaLag, "max-replica-lag", 0, "PostgreSQL replica: refuse checks and searches (503) while it trails its primary by more than this (0: no bound)")
	f.BoolVar(&opts.private, "private", false, "require ELIB_TOKEN (Authorization: Bearer) on every endpoint except /healthz and the web page: reads, checks and stats too (implied when --addr listens beyond loopback)")
	f.IntVar(&opts.mediaSlots, "media-slots", server.DefaultMediaSlots(), "uploaded videos parsed at once (ffmpeg jobs); more wait up to 5 s, then 503")
	f.BoolVar(&opts.public, "public", false, "allow a non-loopback --addr without ELIB_TOKEN: anyone who reaches it can read and check against the library")
	return cmd
}

// minTokenLength is the shortest ELIB_TOKEN accepted: 16 characters (e.g.
// openssl rand -hex 16 gives 32).
const minTokenLength = 16

// runServe is `elib serve` without cobra.
func runServe(ctx context.Context, g *globalOptions, opts serveOptions) error {
	if check.ValidThreshold(opts.threshold) != nil {
		return withCode(exitError, i18n.Errorf("--threshold %v must be between 0 and 1", opts.threshold))
	}
	if opts.refresh < 0 {
		return withCode(exitError, i18n.Errorf("--refresh %v must not be negative", opts.refresh))
	}
	if opts.maxReplicaLag < 0 {
		return withCode(exitError, i18n.Errorf("--max-replica-lag %v must not be negative", opts.maxReplicaLag))
	}
	if opts.token != "" && len(opts.token) < minTokenLength {
		return withCode(exitError, i18n.Errorf("ELIB_TOKEN is %d characters: use at least %d (e.g. ELIB_TOKEN=$(openssl rand -hex 16))", len(opts.token), minTokenLength))
	}
	if opts.addr == "" {
		opts.addr = server.DefaultAddr
	}
	remote := opts.listener == nil && !server.IsLoopbackAddr(opts.addr)
	if remote && opts.token == "" && !opts.public {
		return withCode(exitError, i18n.Errorf("--addr %s listens beyond this machine without ELIB_TOKEN: anyone who reaches it could read the library; pass --public to mean it, or listen on 127.0.0.1", opts.addr))
	}
	if opts.private && opts.token == "" {
		return withCode(exitError, i18n.Errorf("--private needs ELIB_TOKEN (e.g. ELIB_TOKEN=$(openssl rand -hex 16)): every request must carry it"))
	}
	if opts.mediaSlots < 0 {
		return withCode(exitError, i18n.Errorf("--media-slots %d must be at least 1 (0: one per two cores)", opts.mediaSlots))
	}
	// Beyond loopback with a token, everything needs it; --public without
	// a token is the one way to publish the library.
	private := opts.private || (remote && opts.token != "")
	refresh := opts.refresh
	if refresh == 0 {
		refresh = -1 // server.Options: negative turns refreshing off
	}
	// The tokenizer is loaded once, here, and shared by every request.
	loader := newEngineLoader()
	engine, err := loader.Engine()
	if err != nil {
		return withCode(exitError, err)
	}
	lib, desc, sample, err := openServeLibrary(ctx, g, opts, loader)
	name := "" // the page names the sample library in its own words
	if !sample {
		// desc is "library NAME": the page shows NAME in its language.
		name = strings.TrimPrefix(desc, "library ")
	}
	if err != nil {
		return withCode(exitError, err)
	}
	defer lib.Close()
	mediaRoot := "" // where a footage match's library video is read for its frames
	if !sample {
		mediaRoot = g.libraryRoot("")
	}

	// Info for imports and shutdown; access logs are debug (-v).
	level := slog.LevelInfo
	if g.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level}))
	srv, err := server.New(server.Options{
		Library: lib, Engine: engine, Token: opts.token, TokenName: os.Getenv("ELIB_TOKEN_NAME"),
		ReadOnly: sample, Sample: sample, LibraryDesc: desc, LibraryName: name, Zone: g.zone, Lang: g.printer().Tag(),
		Threshold: &opts.threshold, MaxBodyBytes: opts.maxBody, RefreshInterval: refresh,
		Logger: logger, Version: version(), AllowedHosts: opts.allowedHosts, MaxReplicaLag: opts.maxReplicaLag,
		Private: private, MediaSlots: opts.mediaSlots, MediaRoot: mediaRoot,
	})
	if err != nil {
		return withCode(exitError, err)
	}
	p := g.printer()
	writes := p.T("writes disabled (set ELIB_TOKEN to enable import/delete)")
	switch {
	case sample:
		writes = p.T("read-only sample library")
	case opts.token != "":
		writes = p.T("writes enabled with bearer token")
	}
	if private {
		writes += p.T("; private: every endpoint but /healthz needs the token")
	}
	err = server.Run(ctx, srv, server.RunOptions{
		Addr: opts.addr, Listener: opts.listener,
		Ready: func(addr net.Addr) {
			what := desc
			if n, err := lib.AssetCount(); !sample && err == nil {
				what = p.T("library %s (%d assets)", name, n)
			} else if !sample {
				what = p.T("library %s (its assets could not be counted: %s)", name, p.Message(err))
			}
			p.F(g.stderr, "elib: serving %s on http://%s (%s)\n", what, addr, writes)
			if remote {
				p.F(g.stderr, "elib: warning: listening beyond this machine (%s); requests by host name need --allowed-host NAME\n", opts.addr)
			}
			if opts.ready != nil {
				opts.ready(addr)
			}
		},
	})
	if err != nil {
		return withCode(exitError, err)
	}
	p.F(g.stderr, "elib: server stopped\n")
	return nil
}

// openServeLibrary opens the library on disk — writable when a token is
// set, so this process is the library's writer — or builds the embedded
// sample library when there is none and none was named.
func openServeLibrary(ctx context.Context, g *globalOptions, opts serveOptions, loader *engineLoader) (lib kit.Library, desc string, sample bool, err error) {
	dir := g.libraryDir()
	if !opts.sample && g.libraryExists() {
		engine, err := loader.Engine()
		if err != nil {
			return nil, "", false, err
		}
		// Imports through the API fingerprint and analyse for search on
		// one worker each: the other core stays with the checks, whose
		// latency is what users feel (benchmarks/RESULTS.md, ## Serve).
		// bleve's analysis queue is process-wide: this process is the
		// server, so it sets it, before opening any index.
		fulltext.SetAnalysisWorkers(1)
		lib, err := library.Open(ctx, dir, library.Options{ReadOnly: opts.token == "", Engine: engine, Workers: 1,
			File: index.Options{MergeAfterWrites: true, WarmSegments: true}})
		if err != nil {
			return nil, "", false, i18n.Errorf("open library %s: %w", library.Describe(dir), err)
		}
		// The page and /v1/info show the library's name, not where it
		// lives on the server.
		return lib, "library " + library.ShortName(dir), false, nil
	}
	if !opts.sample && g.libraryExplicit() {
		return nil, "", false, i18n.Errorf("no library at %s (create one with `elib init` and `elib import`)", dir)
	}
	lib, desc, err = openCheckLibrary(ctx, g, checkOptions{sample: true}, loader)
	if err != nil {
		return nil, "", false, err
	}
	if !opts.sample {
		g.printer().F(g.stderr, "elib: no library at %s — serving the %s read-only\n", dir, desc)
	}
	return lib, desc, true, nil
}

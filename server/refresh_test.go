package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/index"
	"elib/index/manifest"
	"elib/internal/elibtest"
)

// newScript is imported by another process while the server runs.
const newScript = `# 折叠营地灯
【钩子】露营的时候千万别忘了带这盏折叠营地灯，充一次电能亮整整七个晚上。
【转化】点击左下角链接下单，今晚直播间第二盏半价，限时两小时。`

// lockedBuffer is a log sink the watcher goroutine and the test share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// readOnlyFixture builds the fixture library on disk and returns its
// writer (standing in for `elib import` in another process) and a
// read-only view of it, as `elib serve` opens it without a token.
func readOnlyFixture(t *testing.T) (writer, reader *index.Library, dir string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "lib")
	require.NoError(t, index.Init(dir))
	w, err := index.Open(index.Options{Dir: dir, Engine: elibtest.Engine(t)})
	require.NoError(t, err)
	t.Cleanup(func() { w.Close() })
	_, err = w.Import(context.Background(), fixtureAssets(t))
	require.NoError(t, err)
	r, err := index.Open(index.Options{Dir: dir, ReadOnly: true, Engine: elibtest.Engine(t)})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return w, r, dir
}

// runServer serves s with Run on a loopback port until the test ends.
func runServer(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, s, RunOptions{Listener: ln}) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
	})
	return "http://" + ln.Addr().String()
}

// eventually polls cond every 20 ms until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReadOnlyServerFollowsImports(t *testing.T) {
	w, r, _ := readOnlyFixture(t)
	var logs lockedBuffer
	s, err := New(Options{Library: r, Engine: elibtest.Engine(t), LibraryDesc: "read-only test library",
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), RefreshInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	base := runServer(t, s)

	elementURL := base + "/v1/elements/" + url.PathEscape("camp/lamp.txt#1")
	status, _, body := do(t, "GET", elementURL, "", "")
	require.Equal(t, http.StatusNotFound, status, body)

	_, err = w.Import(context.Background(), []element.Asset{parseScript(t, "camp/lamp.txt", newScript)})
	require.NoError(t, err)

	eventually(t, 10*time.Second, "the server finds the imported element", func() bool {
		status, _, _ := do(t, "GET", elementURL, "", "")
		return status == http.StatusOK
	})
	status, _, body = do(t, "GET", elementURL, "", "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "折叠营地灯")

	status, _, body = do(t, "POST", base+"/v1/check", "application/json", checkBody(t, newScript, "draft.txt"))
	require.Equal(t, http.StatusOK, status, body)
	var res checkJSON
	require.NoError(t, json.Unmarshal([]byte(body), &res), body)
	require.Len(t, res.Results, 1)
	assert.Equal(t, "reject", res.Results[0].Verdict)
	found := false
	for _, e := range res.Results[0].Elements {
		for _, m := range e.Matches {
			found = found || m.AssetID == "camp/lamp.txt"
		}
	}
	assert.True(t, found, "the check matches the new asset: %s", body)

	// An import commits two generations (the segment, then the search
	// index's progress); the server may have seen only the first so far.
	var health struct {
		Assets     int    `json:"assets"`
		Elements   int    `json:"elements"`
		Generation uint64 `json:"generation"`
	}
	eventually(t, 10*time.Second, "/healthz reports the writer's generation", func() bool {
		status, _, body := do(t, "GET", base+"/healthz", "", "")
		require.Equal(t, http.StatusOK, status)
		require.NoError(t, json.Unmarshal([]byte(body), &health))
		return health.Generation == elibtest.Must(w.Generation())
	})
	assert.Equal(t, 5, health.Assets)
	assert.Equal(t, elibtest.Must(w.ElementCount()), health.Elements)

	status, _, body = do(t, "GET", base+"/v1/search?q="+url.QueryEscape("营地灯"), "", "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "camp/lamp.txt#1")

	eventually(t, 5*time.Second, "refresh logged", func() bool {
		return strings.Contains(logs.String(), "library refreshed")
	})
	assert.Contains(t, logs.String(), "level=INFO")
	assert.Contains(t, logs.String(), "assets=5")
}

func TestRefreshDropsTheChecker(t *testing.T) {
	w, r, _ := readOnlyFixture(t)
	s, err := New(Options{Library: r, Engine: elibtest.Engine(t), Logger: slog.New(slog.NewTextHandler(&lockedBuffer{}, nil)),
		RefreshInterval: -1})
	require.NoError(t, err)
	before, err := s.checker()
	require.NoError(t, err)

	changed, err := s.Refresh()
	require.NoError(t, err)
	assert.False(t, changed)
	again, err := s.checker()
	require.NoError(t, err)
	assert.Same(t, before, again, "kept while nothing changed")

	require.NoError(t, w.AllowlistAdd("本视频仅供参考"))
	changed, err = s.Refresh()
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Nil(t, s.checkr, "the allowlist may have changed")
	assert.Equal(t, []string{"本视频仅供参考"}, elibtest.Must(r.Allowlist()))
}

func TestRefreshFailureKeepsServing(t *testing.T) {
	_, r, dir := readOnlyFixture(t)
	var logs lockedBuffer
	s, err := New(Options{Library: r, Engine: elibtest.Engine(t), Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		RefreshInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	base := runServer(t, s)

	// A newer generation whose manifest fails its checksum (a disk
	// fault, a bad copy).
	path := filepath.Join(dir, manifest.FileName)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	m["generation"] = m["generation"].(float64) + 1
	b, err = json.Marshal(m)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))

	eventually(t, 5*time.Second, "refresh failure logged", func() bool {
		return strings.Contains(logs.String(), "library refresh failed")
	})
	assert.Contains(t, logs.String(), "level=WARN")
	status, _, body := do(t, "GET", base+"/v1/elements/"+url.PathEscape("lib/wardrobe.txt#1"), "", "")
	assert.Equal(t, http.StatusOK, status, body)
	status, _, body = do(t, "POST", base+"/v1/check", "application/json", checkBody(t, rejectScript, "draft.txt"))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"verdict": "reject"`)
}

func TestWatchStopsWithContext(t *testing.T) {
	_, r, _ := readOnlyFixture(t)
	s, err := New(Options{Library: r, Engine: elibtest.Engine(t), RefreshInterval: time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		s.Watch(ctx)
		close(done)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return after cancel")
	}
	// Disabled: Watch returns at once.
	s.opts.RefreshInterval = -1
	s.Watch(context.Background())
}

// TestTokenServerOnReadOnlyLibrary: a server that takes writes (a token)
// on a library that refuses them — a PostgreSQL library on a streaming
// replica, here a file library opened read-only — answers a write with 403
// and says why, never a 500, and the library is unchanged.
func TestTokenServerOnReadOnlyLibrary(t *testing.T) {
	_, r, _ := readOnlyFixture(t)
	const token = "test-token-0123456789abcdef"
	s, err := New(Options{Library: r, Engine: elibtest.Engine(t), Token: token, LibraryDesc: "read-only test library",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	base := runServer(t, s)
	auth := []string{"Authorization", "Bearer " + token}
	before := elibtest.Must(r.AssetCount())

	asset := `{"id":"api/new.txt","title":"新素材","elements":[{"type":"hook","text":"这款折叠晾衣架装在阳台上一点都不占地方。"}]}`
	for _, w := range []struct{ method, path, body string }{
		{"POST", "/v1/import", asset},
		{"DELETE", "/v1/elements/" + url.PathEscape(elibtest.Must(r.AssetIDs())[0]), ""},
	} {
		status, _, body := do(t, w.method, base+w.path, "application/json", w.body, auth...)
		require.Equal(t, http.StatusForbidden, status, "%s %s: %s", w.method, w.path, body)
		var e errorBody
		require.NoError(t, json.Unmarshal([]byte(body), &e), body)
		assert.Contains(t, e.Error, "read-only", w.method)
		assert.Contains(t, e.Error, "primary", w.method)
	}
	assert.Equal(t, before, elibtest.Must(r.AssetCount()))
	status, _, body := do(t, "GET", base+"/v1/elements/"+url.PathEscape("api/new.txt#1"), "", "")
	assert.Equal(t, http.StatusNotFound, status, body)
}

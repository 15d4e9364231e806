package server

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/library/kit"
	"elib/media/synth"
)

// The tests of this file are issue 20: uploads are untrusted media with a
// budget, expensive reads are bounded, a private server opens nothing
// without its token.

// needMedia skips (loudly) without ffmpeg and bpm-tools.
func needMedia(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe", "bpm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIP: %s not found — install the Debian packages ffmpeg and bpm-tools", tool)
		}
	}
}

// upload is a multipart body with one file.
func upload(t testing.TB, name string, data []byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(t, err)
	_, _ = fw.Write(data)
	require.NoError(t, mw.Close())
	return mw.FormDataContentType(), buf.String()
}

// tmpdir points os.TempDir at a fresh directory for the test and
// returns it: whatever the server leaves behind shows there.
func tmpdir(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	return dir
}

func leftovers(dir string) []string {
	left, _ := filepath.Glob(filepath.Join(dir, "elib-*"))
	return left
}

// High 1: a 20 KB Matroska file claiming a 1×65535 frame is refused by
// /v1/split, /v1/check and /v1/report with the limit named; the server
// stays up and leaves nothing in /tmp.
func TestUploadHugeClaimedFrame(t *testing.T) {
	needMedia(t)
	tmp := tmpdir(t)
	p := filepath.Join(t.TempDir(), "huge.mkv")
	require.NoError(t, synth.HugeFrameMKV(context.Background(), "ffmpeg", p))
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	_, ts := newTestServer(t, nil)
	for _, route := range []string{"/v1/split", "/v1/check", "/v1/report"} {
		ct, body := upload(t, "huge.mkv", data)
		status, _, reply := do(t, "POST", ts.URL+route, ct, body)
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", route, reply)
		assert.Contains(t, reply, "huge.mkv")
		assert.Contains(t, reply, "over 8192 pixels per side", route)
	}
	status, _, _ := do(t, "GET", ts.URL+"/healthz", "", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Empty(t, leftovers(tmp))
}

// High 2: an HLS or ffconcat playlist uploaded as .mp4 is refused, not
// followed, and the answer is the same whether the file it names exists.
func TestUploadPlaylistsAreNotFollowed(t *testing.T) {
	needMedia(t)
	secret := filepath.Join(t.TempDir(), "private.mkv")
	require.NoError(t, synth.Make(context.Background(), "ffmpeg", secret, synth.Spec{Width: 160, Height: 90, BPM: 120, Subtitles: "ass",
		Segments: []synth.Segment{{Camera: element.CameraStatic, Seconds: 2, Text: "服务器上的私有文案"}}}))
	missing := filepath.Join(filepath.Dir(secret), "nowhere.mkv")
	_, ts := newTestServer(t, nil)
	exists, gone := synth.Playlists(secret), synth.Playlists(missing)
	for name := range exists {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			ct, body := upload(t, name, []byte(exists[name]))
			status, _, reply := do(t, "POST", ts.URL+"/v1/split", ct, body)
			assert.Equal(t, http.StatusBadRequest, status, reply)
			assert.Contains(t, reply, "not a supported video container")
			assert.NotContains(t, reply, "私有")
			assert.NotContains(t, reply, "private.mkv")
			assert.Less(t, time.Since(start), 10*time.Second)
			ct, body = upload(t, name, []byte(gone[name]))
			status2, _, reply2 := do(t, "POST", ts.URL+"/v1/split", ct, body)
			assert.Equal(t, status, status2)
			assert.Equal(t, reply, reply2, "the reply tells whether the named file exists")
		})
	}
	// Posted text is never a video (no temporary file for ffprobe).
	status, _, reply := do(t, "POST", ts.URL+"/v1/split", "application/json", `{"text":"#EXTM3U\n`+secret+`\n","format":"video"}`)
	assert.Equal(t, http.StatusBadRequest, status, reply)
	assert.Contains(t, reply, "posted text is not a video")
}

// High 3: a video waits for a media slot at most QueueTimeout (503 +
// Retry-After), a text check meanwhile is answered; a video runs under
// the request's deadline, its ffmpeg killed and its files removed.
func TestUploadMediaPoolAndDeadline(t *testing.T) {
	needMedia(t)
	tmp := tmpdir(t)
	still := filepath.Join(t.TempDir(), "still.mp4")
	require.NoError(t, synth.StillMP4(context.Background(), "ffmpeg", still, 3840, 2160, 500, 0.1))
	data, err := os.ReadFile(still)
	require.NoError(t, err)
	require.Less(t, len(data), DefaultMaxCheckBytes)

	s, ts := newTestServer(t, func(o *Options) {
		o.MediaSlots, o.QueueTimeout, o.CheckTimeout = 1, 300*time.Millisecond, 2*time.Second
	})
	assert.Equal(t, 1, cap(s.mediaSlots))
	s.mediaSlots <- struct{}{} // a job is running
	ct, body := upload(t, "still.mp4", data)
	start := time.Now()
	status, hdr, reply := do(t, "POST", ts.URL+"/v1/check", ct, body)
	assert.Equal(t, http.StatusServiceUnavailable, status, reply)
	assert.Equal(t, "2", hdr.Get("Retry-After"))
	assert.Contains(t, reply, "media slot")
	assert.Less(t, time.Since(start), 2*time.Second)
	status, _, reply = do(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, passScript, ""))
	assert.Equal(t, http.StatusOK, status, "a text check does not wait for media: %s", reply)
	<-s.mediaSlots

	// 500 s of 4K sampled at 10 frames a second is far more than 2 s of
	// work: the deadline ends it.
	start = time.Now()
	status, hdr, reply = do(t, "POST", ts.URL+"/v1/split", ct, body)
	took := time.Since(start)
	assert.Equal(t, http.StatusServiceUnavailable, status, reply)
	assert.Equal(t, "2", hdr.Get("Retry-After"))
	assert.Less(t, took, 6*time.Second)
	assert.Empty(t, leftovers(tmp), "temporary files left behind")
	assert.Eventually(t, func() bool {
		out, _ := exec.Command("pgrep", "-f", filepath.Join(tmp, "elib-upload-")).Output()
		return len(bytes.TrimSpace(out)) == 0
	}, 3*time.Second, 100*time.Millisecond, "ffmpeg still runs on the upload")
	assert.Len(t, s.mediaSlots, 0, "the slot is given back")

	// A client that goes away cancels the job the same way.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", ts.URL+"/v1/split", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", ct)
	_, err = http.DefaultClient.Do(req)
	require.Error(t, err)
	assert.Eventually(t, func() bool { return len(leftovers(tmp)) == 0 && len(s.mediaSlots) == 0 }, 4*time.Second, 50*time.Millisecond)
}

// countingLibrary counts the period reads of /v1/stats.
type countingLibrary struct {
	kit.Library
	reads atomic.Int32
}

func (c *countingLibrary) AssetIDs() ([]string, error) {
	c.reads.Add(1)
	return c.Library.AssetIDs()
}

// Medium 5: /v1/stats runs under a heavy check slot and a deadline, once
// per library generation and period; its result is cached.
func TestStatsBoundedAndCached(t *testing.T) {
	lib := &countingLibrary{Library: fixtureLibrary(t)}
	s, ts := newTestServer(t, func(o *Options) {
		o.Library, o.CheckTimeout = lib, 300*time.Millisecond
	})
	fillSlots(s)
	start := time.Now()
	status, hdr, reply := do(t, "GET", ts.URL+"/v1/stats?since=30d", "", "")
	assert.Equal(t, http.StatusServiceUnavailable, status, "stats ran without a slot: %s", reply)
	assert.Equal(t, "2", hdr.Get("Retry-After"))
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Zero(t, lib.reads.Load(), "nothing computed without a slot")
	// Another period meanwhile is refused, not queued.
	status, _, reply = do(t, "GET", ts.URL+"/v1/stats?since=7d", "", "")
	assert.Equal(t, http.StatusServiceUnavailable, status, reply)
	drainSlots(s)
	require.Eventually(t, func() bool {
		status, _, _ := do(t, "GET", ts.URL+"/v1/stats?since=30d", "", "")
		return status == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond)
	reads := lib.reads.Load()
	require.Positive(t, reads)
	for i := 0; i < 3; i++ {
		status, _, reply = do(t, "GET", ts.URL+"/v1/stats?since=30d", "", "")
		require.Equal(t, http.StatusOK, status, reply)
	}
	assert.Equal(t, reads, lib.reads.Load(), "the cached result is served")
	// Another period is computed once the pause after the first (as long
	// as it took) is over.
	assert.Eventually(t, func() bool {
		status, _, _ := do(t, "GET", ts.URL+"/v1/stats?since=7d", "", "")
		return status == http.StatusOK && lib.reads.Load() > reads
	}, 10*time.Second, 50*time.Millisecond, "another period is computed")
}

// Medium 5: a page on another site cannot make the browser GET the API
// (nor read it); the page itself stays reachable by a link.
func TestCrossSiteGETsRefused(t *testing.T) {
	_, ts := newTestServer(t, nil)
	for _, path := range []string{"/v1/stats", "/v1/search?q=%E9%94%85", "/v1/info", "/v1/packs", "/metrics"} {
		status, _, reply := do(t, "GET", ts.URL+path, "", "", "Sec-Fetch-Site", "cross-site")
		assert.Equal(t, http.StatusForbidden, status, "%s: %s", path, reply)
		assert.Contains(t, reply, "cross-origin request refused")
		status, _, reply = do(t, "GET", ts.URL+path, "", "", "Origin", "https://evil.example")
		assert.Equal(t, http.StatusForbidden, status, "%s: %s", path, reply)
		status, _, reply = do(t, "GET", ts.URL+path, "", "", "Sec-Fetch-Site", "same-origin")
		assert.NotEqual(t, http.StatusForbidden, status, "%s: %s", path, reply)
		status, _, reply = do(t, "GET", ts.URL+path, "", "")
		assert.NotEqual(t, http.StatusForbidden, status, "curl: %s: %s", path, reply)
	}
	status, _, _ := do(t, "GET", ts.URL+"/", "", "", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusOK, status, "a link to the page works")
}

// Medium 6: a private server answers nothing but /healthz and the page
// without its token; the page's cookie carries it for forms and links.
func TestPrivateServer(t *testing.T) {
	const token = "private-token-0123456789"
	_, err := New(Options{Library: fixtureLibrary(t), Engine: nil, Private: true})
	require.Error(t, err)
	s, ts := newTestServer(t, func(o *Options) { o.Token, o.Private = token, true })
	_, err = New(Options{Library: s.opts.Library, Engine: s.opts.Engine, Private: true})
	assert.ErrorContains(t, err, "private without a token")

	open := []string{"/healthz", "/", "/app.js", "/style.css"}
	for _, p := range open {
		status, _, reply := do(t, "GET", ts.URL+p, "", "")
		assert.Equal(t, http.StatusOK, status, "%s: %s", p, reply)
	}
	guarded := []struct{ method, path, ct, body string }{
		{"GET", "/v1/search?q=%E9%94%85", "", ""},
		{"GET", "/v1/info", "", ""},
		{"GET", "/v1/stats", "", ""},
		{"GET", "/v1/packs", "", ""},
		{"GET", "/v1/elements/hit-1.txt", "", ""},
		{"GET", "/metrics", "", ""},
		{"POST", "/v1/check", "application/json", checkBody(t, passScript, "")},
		{"POST", "/v1/split", "text/plain", passScript},
		{"POST", "/v1/report", "text/plain", passScript},
		{"GET", "/v1/../v1/info", "", ""},
	}
	for _, g := range guarded {
		status, hdr, reply := do(t, g.method, ts.URL+g.path, g.ct, g.body)
		assert.Equal(t, http.StatusUnauthorized, status, "%s %s: %s", g.method, g.path, reply)
		assert.Contains(t, hdr.Get("WWW-Authenticate"), "Bearer")
		status, _, _ = do(t, g.method, ts.URL+g.path, g.ct, g.body, "Authorization", "Bearer wrong-token-0123456789")
		assert.Equal(t, http.StatusUnauthorized, status, "%s %s", g.method, g.path)
		status, _, reply = do(t, g.method, ts.URL+g.path, g.ct, g.body, "Authorization", "Bearer "+token)
		assert.NotEqual(t, http.StatusUnauthorized, status, "%s %s: %s", g.method, g.path, reply)
		status, _, reply = do(t, g.method, ts.URL+g.path, g.ct, g.body, "Cookie", TokenCookie+"="+token)
		assert.NotEqual(t, http.StatusUnauthorized, status, "cookie: %s %s: %s", g.method, g.path, reply)
	}
	// Without Private, reads stay open and writes need the token as before.
	_, ts2 := newTestServer(t, func(o *Options) { o.Token = token })
	status, _, _ := do(t, "GET", ts2.URL+"/v1/info", "", "")
	assert.Equal(t, http.StatusOK, status)
	status, _, _ = do(t, "POST", ts2.URL+"/v1/import", "application/json", `[]`, "Cookie", TokenCookie+"="+token)
	assert.Equal(t, http.StatusUnauthorized, status, "a cookie never authorises a write")
}

// Low: more where= filters than a search takes are refused (400), never
// silently dropped (40,000 non-matching filters returned everything).
func TestSearchWhereFiltersBounded(t *testing.T) {
	_, ts := newTestServer(t, nil)
	many := func(n int) string {
		return "/v1/search?q=" + "%E9%94%85" + strings.Repeat("&where=platform%3Dnowhere", n)
	}
	status, _, reply := do(t, "GET", ts.URL+many(MaxSearchFilters+1), "", "")
	assert.Equal(t, http.StatusBadRequest, status, reply)
	assert.Contains(t, reply, "at most 64 filters")
	status, _, reply = do(t, "GET", ts.URL+many(40_000), "", "")
	assert.Equal(t, http.StatusBadRequest, status, reply)
	status, _, reply = do(t, "GET", ts.URL+many(3), "", "")
	assert.Equal(t, http.StatusOK, status, reply)
	assert.Contains(t, reply, `"total": 0`, "the filters apply")
}

// Medium 6: the real page works against a private server: it asks for
// the token on the first 401 (here declined), and once the token is
// stored it sends it with every request and keeps it in the cookie the
// report form and export links carry.
func TestBrowserPrivateServer(t *testing.T) {
	const token = "private-token-0123456789"
	_, ts := newTestServer(t, func(o *Options) { o.Token, o.Private = token, true })
	ctx, dialogs := browser(t)
	steps(t, ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
	)
	assert.Positive(t, dialogs.Load(), "the page asked for the token")
	steps(t, ctx,
		chromedp.Evaluate[chromedp.Void](`saveToken(`+"'"+token+"'"+`)`),
		chromedp.SetValue(css(`#script`), rejectScript),
		chromedp.Click(css(`#check-btn`)),
		chromedp.WaitVisible(css(`#results .result .verdict`)),
	)
	verdict := run(t, ctx, chromedp.AttributeValue(css(`#results .result`), "data-verdict"))
	assert.Equal(t, "reject", verdict.Value)
	cookie := run(t, ctx, chromedp.Evaluate[string](`document.cookie`))
	assert.Contains(t, cookie, TokenCookie+"="+token)
	// A reload renews the cookie from localStorage and needs no prompt.
	before := dialogs.Load()
	steps(t, ctx,
		chromedp.Reload(),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
	)
	info := run(t, ctx, chromedp.Text(css(`#library-info`)))
	assert.Contains(t, info, "test library")
	assert.Equal(t, before, dialogs.Load())
}

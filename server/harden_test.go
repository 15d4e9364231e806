package server

import (
	"bytes"
	"context"
	"elib/internal/elibtest"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/fulltext"
	"elib/library/kit"
)

// Issue 15: no request can exhaust the server. Every test runs a real
// server on loopback.

// hreq sends a request with extra headers (and Host when given) and
// returns status, headers and body; the client gives up after 20 s.
func hreq(t *testing.T, method, u, contentType, body string, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

func deepMetaJSON(depth int) string {
	return strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
}

// Finding 1: deep meta is refused where assets are parsed, so a split or
// an import never turns 72 KB into a 162 MB reply; replies are bounded.
func TestHardenDeepMetaRefused(t *testing.T) {
	const token = "tok-0123456789ab"
	_, ts := newTestServer(t, func(o *Options) { o.Token = token })
	asset := `{"id":"d","meta":` + deepMetaJSON(9000) + `,"text":"你是不是还在为皮肤干燥烦恼"}`
	body, err := json.Marshal(map[string]string{"format": "json", "text": asset})
	require.NoError(t, err)
	status, _, reply := hreq(t, "POST", ts.URL+"/v1/split", "application/json", string(body), nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, reply, "input.json:1: over the limit: meta nests 9000 levels deep (limit 8)")
	assert.Less(t, len(reply), 1024)

	status, _, reply = hreq(t, "POST", ts.URL+"/v1/import", "application/json", asset, map[string]string{"Authorization": "Bearer " + token})
	assert.Equal(t, http.StatusBadRequest, status, reply)
	assert.Contains(t, reply, "meta nests 9000 levels deep")

	// Wide meta too.
	wide := `{"id":"w","meta":{"a":"` + strings.Repeat("x", 70_000) + `"},"text":"你好"}`
	status, _, reply = hreq(t, "POST", ts.URL+"/v1/import", "application/json", wide, map[string]string{"Authorization": "Bearer " + token})
	assert.Equal(t, http.StatusBadRequest, status, reply)
	assert.Contains(t, reply, "(limit 65536)")

	// A reply past MaxReplyBytes is a 500, not an unbounded write.
	_, small := newTestServer(t, func(o *Options) { o.MaxReplyBytes = 256 })
	status, _, reply = hreq(t, "POST", small.URL+"/v1/split", "application/json", checkBody(t, passScript, ""), nil)
	assert.Equal(t, http.StatusInternalServerError, status, reply)
	assert.Contains(t, reply, "internal error")
}

// Finding 2: a search query is limited to 400 characters and runs under
// the check slots.
func TestHardenSearchQuery(t *testing.T) {
	s, ts := newTestServer(t, func(o *Options) { o.QueueTimeout = 200 * time.Millisecond })
	long := strings.Repeat("钩", MaxQueryChars+1)
	status, _, body := hreq(t, "GET", ts.URL+"/v1/search?q="+url.QueryEscape(long), "", "", nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "query of 401 characters is over the limit of 400")
	status, _, body = hreq(t, "GET", ts.URL+"/v1/search?q="+url.QueryEscape(long[:len(long)-len("钩")]), "", "", nil)
	assert.Equal(t, http.StatusOK, status, body)

	fillSlots(s)
	defer drainSlots(s)
	start := time.Now()
	status, hdr, body := hreq(t, "GET", ts.URL+"/v1/search?q="+url.QueryEscape("锅铲"), "", "", nil)
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
	assert.Equal(t, "2", hdr.Get("Retry-After"))
	assert.Less(t, time.Since(start), 5*time.Second)
}

func fillSlots(s *Server) {
	for i := 0; i < cap(s.checkSlots); i++ {
		s.checkSlots <- struct{}{}
	}
}

func drainSlots(s *Server) {
	for i := 0; i < cap(s.checkSlots); i++ {
		<-s.checkSlots
	}
}

// Finding 3: a check waits for a slot at most QueueTimeout (503 +
// Retry-After), never past its deadline, and its body is capped.
func TestHardenCheckDeadline(t *testing.T) {
	s, ts := newTestServer(t, func(o *Options) { o.QueueTimeout = 300 * time.Millisecond })
	fillSlots(s)
	start := time.Now()
	status, hdr, body := hreq(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, passScript, ""), nil)
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
	assert.Equal(t, "2", hdr.Get("Retry-After"))
	assert.Contains(t, body, "busy")
	assert.Less(t, time.Since(start), 5*time.Second)
	drainSlots(s)
	status, _, body = hreq(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, passScript, ""), nil)
	assert.Equal(t, http.StatusOK, status, body)

	// The deadline bounds the whole request, queueing included.
	s2, ts2 := newTestServer(t, func(o *Options) { o.CheckTimeout = 100 * time.Millisecond })
	fillSlots(s2)
	status, hdr, body = hreq(t, "POST", ts2.URL+"/v1/check", "application/json", checkBody(t, passScript, ""), nil)
	drainSlots(s2)
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
	assert.Equal(t, "2", hdr.Get("Retry-After"))
	assert.Contains(t, body, "not done within 100ms")

	// 8 MiB is an import's limit, not a check's.
	big := checkBody(t, strings.Repeat("你是不是还在熬夜", 50_000), "")
	require.Greater(t, len(big), DefaultMaxCheckBytes)
	status, _, body = hreq(t, "POST", ts.URL+"/v1/check", "application/json", big, nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status, body)
	assert.Contains(t, body, "a script is kilobytes")
}

// Finding 4: ids that are not valid UTF-8 or hold control characters are
// refused at every API entry, and nothing is stored.
func TestHardenAssetIDs(t *testing.T) {
	const token = "tok-0123456789ab"
	s, ts := newTestServer(t, func(o *Options) { o.Token = token })
	auth := map[string]string{"Authorization": "Bearer " + token}
	before := elibtest.Must(s.opts.Library.AssetCount())

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", "form-data; name=\"file\"; filename=\"\xff\xfe.txt\"")
	fw, err := mw.CreatePart(h)
	require.NoError(t, err)
	_, _ = io.WriteString(fw, passScript)
	require.NoError(t, mw.Close())
	status, _, body := hreq(t, "POST", ts.URL+"/v1/import", mw.FormDataContentType(), buf.String(), auth)
	assert.Equal(t, http.StatusBadRequest, status, body)
	assert.Contains(t, body, "not valid UTF-8")

	for _, tc := range []struct{ name, ct, body string }{
		{"json control char", "application/json", `{"id":"a\u0007b","text":"你是不是还在为皮肤干燥烦恼"}`},
		{"jsonl newline", "application/x-ndjson", `{"id":"a\nb","text":"你是不是还在为皮肤干燥烦恼"}`},
	} {
		status, _, body := hreq(t, "POST", ts.URL+"/v1/import", tc.ct, tc.body, auth)
		assert.Equal(t, http.StatusBadRequest, status, tc.name+": "+body)
		assert.Contains(t, body, "invalid asset id", tc.name)
	}
	assert.Equal(t, before, elibtest.Must(s.opts.Library.AssetCount()), "nothing stored")

	// check and split apply the same rule to the id they are given.
	status, _, body = hreq(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, passScript, "x\x00y"), nil)
	assert.Equal(t, http.StatusBadRequest, status, body)
	assert.Contains(t, body, "control character U+0000")
}

// Finding 7: Host names other than IP literals, localhost and the allowed
// ones are refused (DNS rebinding); cross-site browser POSTs are refused
// (CSRF), same-origin ones and non-browser clients are not.
func TestHardenHostAndOrigin(t *testing.T) {
	_, ts := newTestServer(t, func(o *Options) { o.AllowedHosts = []string{"elib.internal"} })
	u, err := url.Parse(ts.URL)
	require.NoError(t, err)
	port := u.Port()
	for _, tc := range []struct {
		host   string
		status int
	}{
		{"rebind.attacker.example:" + port, http.StatusMisdirectedRequest},
		{"rebind.attacker.example", http.StatusMisdirectedRequest},
		{"127.0.0.1:" + port, http.StatusOK},
		{"localhost:" + port, http.StatusOK},
		{"[::1]:" + port, http.StatusOK},
		{"elib.internal:" + port, http.StatusOK},
		{"ELIB.internal.", http.StatusOK},
	} {
		for _, path := range []string{"/v1/search?q=锅铲", "/v1/info", "/metrics", "/v1/elements/lib%2Fspatula.txt%231"} {
			status, _, body := hreq(t, "GET", ts.URL+path, "", "", map[string]string{"Host": tc.host})
			assert.Equal(t, tc.status, status, "%s %s: %.200s", tc.host, path, body)
		}
	}

	plain := map[string]string{"Sec-Fetch-Site": "cross-site"}
	status, _, body := hreq(t, "POST", ts.URL+"/v1/check", "text/plain", rejectScript, plain)
	assert.Equal(t, http.StatusForbidden, status, body)
	assert.Contains(t, body, "cross-origin request refused")
	status, _, body = hreq(t, "POST", ts.URL+"/v1/split", "text/plain", rejectScript, map[string]string{"Origin": "http://attacker.example"})
	assert.Equal(t, http.StatusForbidden, status, body)
	status, _, body = hreq(t, "POST", ts.URL+"/v1/check", "text/plain", rejectScript, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": ts.URL})
	assert.Equal(t, http.StatusOK, status, body)
	status, _, body = hreq(t, "POST", ts.URL+"/v1/check", "text/plain", rejectScript, nil)
	assert.Equal(t, http.StatusOK, status, "curl sends neither header: %s", body)
}

// failingLibrary fails searches with an error holding a server path.
type failingLibrary struct{ kit.Library }

func (failingLibrary) Search(context.Context, fulltext.Query) (*fulltext.Result, error) {
	return nil, fmt.Errorf("open search index /srv/secret/lib/fulltext: %w", errors.New("permission denied"))
}

// Finding 8: a 500 says what failed, not where the library lives; the
// details are logged.
func TestHardenGenericErrors(t *testing.T) {
	var log bytes.Buffer
	_, ts := newTestServer(t, func(o *Options) {
		o.Library = failingLibrary{o.Library}
		o.Logger = slog.New(slog.NewTextHandler(&log, nil))
	})
	status, _, body := hreq(t, "GET", ts.URL+"/v1/search?q=x", "", "", nil)
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.NotContains(t, body, "/srv/secret")
	assert.Contains(t, body, "search: internal error")
	assert.Contains(t, log.String(), "/srv/secret/lib/fulltext")
}

// Heavy checks (over 4,000 characters) and long searches leave one slot
// to ordinary checks: with the heavy slots taken, a 300-character check
// is still served and another heavy one waits (503 after QueueTimeout).
func TestHardenHeavyRequestsLeaveALightSlot(t *testing.T) {
	s, ts := newTestServer(t, func(o *Options) { o.QueueTimeout = 300 * time.Millisecond })
	if cap(s.checkSlots) < 2 {
		t.Skip("needs GOMAXPROCS >= 2 for a reserved slot")
	}
	for i := 0; i < cap(s.heavySlots); i++ {
		s.heavySlots <- struct{}{}
		s.checkSlots <- struct{}{}
	}
	defer func() {
		for i := 0; i < cap(s.heavySlots); i++ {
			<-s.heavySlots
			<-s.checkSlots
		}
	}()
	status, _, body := hreq(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, passScript, ""), nil)
	assert.Equal(t, http.StatusOK, status, body)
	heavy := "【故事】" + strings.Repeat("那天凌晨两点我一个人开车在高速上，", 300)
	status, hdr, body := hreq(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, heavy, ""), nil)
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
	assert.Equal(t, "2", hdr.Get("Retry-After"))
	status, _, body = hreq(t, "GET", ts.URL+"/v1/search?q="+url.QueryEscape(strings.Repeat("链接 ", 30)), "", "", nil)
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
	status, _, body = hreq(t, "GET", ts.URL+"/v1/search?q="+url.QueryEscape("锅铲"), "", "", nil)
	assert.Equal(t, http.StatusOK, status, body)
}

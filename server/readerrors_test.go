package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/library/kit"
)

// errDatabaseDown is what downLibrary's reads return while it is down.
var errDatabaseDown = errors.New("read library postgres://x: database unreachable")

// downLibrary is a library whose reads fail while down is set, as a
// PostgreSQL library's do while its database restarts.
type downLibrary struct {
	kit.Library
	down atomic.Bool
}

func (l *downLibrary) err() error {
	if l.down.Load() {
		return errDatabaseDown
	}
	return nil
}

func (l *downLibrary) AssetCount() (int, error) {
	if err := l.err(); err != nil {
		return 0, err
	}
	return l.Library.AssetCount()
}

func (l *downLibrary) ElementCount() (int, error) {
	if err := l.err(); err != nil {
		return 0, err
	}
	return l.Library.ElementCount()
}

func (l *downLibrary) Generation() (uint64, error) {
	if err := l.err(); err != nil {
		return 0, err
	}
	return l.Library.Generation()
}

func (l *downLibrary) Packs() ([]kit.Pack, error) {
	if err := l.err(); err != nil {
		return nil, err
	}
	return l.Library.Packs()
}

func (l *downLibrary) Allowlist() ([]string, error) {
	if err := l.err(); err != nil {
		return nil, err
	}
	return l.Library.Allowlist()
}

func (l *downLibrary) CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) error {
	if err := l.err(); err != nil {
		return err
	}
	return l.Library.CandidateCounts(keys, fn)
}

// TestLibraryReadErrors: while the library cannot be read, a check (read
// twice) and the reads of info, packs and stats answer 503
// library_unavailable with Retry-After, /healthz "unavailable"; once it
// is back, they answer as before.
func TestLibraryReadErrors(t *testing.T) {
	lib := &downLibrary{Library: fixtureLibrary(t)}
	_, ts := newTestServer(t, func(o *Options) { o.Library = lib })
	check := func() (int, http.Header, string) {
		return do(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, fixtureScripts["lib/spatula.txt"], "draft.txt"))
	}
	status, _, body := check()
	require.Equal(t, http.StatusOK, status, body)

	lib.down.Store(true)
	for _, tc := range []struct{ method, path string }{
		{"POST", "/v1/check"}, {"GET", "/v1/info"}, {"GET", "/v1/packs"}, {"GET", "/v1/stats?since=30d"},
	} {
		var hdr http.Header
		if tc.method == "POST" {
			status, hdr, body = check()
		} else {
			status, hdr, body = do(t, tc.method, ts.URL+tc.path, "", "")
		}
		assert.Equal(t, http.StatusServiceUnavailable, status, "%s %s: %s", tc.method, tc.path, body)
		assert.NotEmpty(t, hdr.Get("Retry-After"), tc.path)
		var e errorBody
		require.NoError(t, json.Unmarshal([]byte(body), &e), body)
		assert.Equal(t, codeLibraryUnavailable, e.Code, tc.path)
	}
	status, _, body = do(t, "GET", ts.URL+"/healthz", "", "")
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
	var health map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &health), body)
	assert.Equal(t, "unavailable", health["status"])

	lib.down.Store(false)
	status, _, body = check()
	assert.Equal(t, http.StatusOK, status, body)
	status, _, body = do(t, "GET", ts.URL+"/v1/info", "", "")
	assert.Equal(t, http.StatusOK, status, body)
}

// TestCheckerBuiltWhileLibraryDown: a checker built while the library is
// down (its allowlist unreadable: the first exclude_self check, or the
// first check after a refresh) answers 503 library_unavailable, not 500,
// and checks once the library is back.
func TestCheckerBuiltWhileLibraryDown(t *testing.T) {
	lib := &downLibrary{Library: fixtureLibrary(t)}
	_, ts := newTestServer(t, func(o *Options) { o.Library = lib })
	body := `{"text":` + strconv.Quote(fixtureScripts["lib/spatula.txt"]) + `,"id":"draft.txt","exclude_self":true}`
	lib.down.Store(true)
	status, hdr, reply := do(t, "POST", ts.URL+"/v1/check", "application/json", body)
	assert.Equal(t, http.StatusServiceUnavailable, status, reply)
	assert.NotEmpty(t, hdr.Get("Retry-After"))
	var e errorBody
	require.NoError(t, json.Unmarshal([]byte(reply), &e), reply)
	assert.Equal(t, codeLibraryUnavailable, e.Code)
	lib.down.Store(false)
	status, _, reply = do(t, "POST", ts.URL+"/v1/check", "application/json", body)
	assert.Equal(t, http.StatusOK, status, reply)
}

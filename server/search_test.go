package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/corpus"
	"elib/index"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// sampleServers serves the embedded sample library twice: on disk (bleve)
// and in memory (as `elib serve` with no library does).
func sampleServers(t *testing.T) map[string]*httptest.Server {
	t.Helper()
	disk := sampleDiskLibrary(t)
	assets, err := corpus.SampleAssets()
	require.NoError(t, err)
	mem, err := index.Memory(context.Background(), elibtest.Engine(t), assets)
	require.NoError(t, err)
	out := map[string]*httptest.Server{}
	for name, lib := range map[string]kit.Library{"disk": disk, "memory": mem} {
		s, err := New(Options{Library: lib, Engine: elibtest.Engine(t), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		require.NoError(t, err)
		ts := httptest.NewServer(s)
		t.Cleanup(ts.Close)
		out[name] = ts
	}
	return out
}

func TestSearchFiltersAPI(t *testing.T) {
	servers := sampleServers(t)
	queries := []string{
		"q=" + url.QueryEscape("camera:推近"),
		"where=" + url.QueryEscape("camera=推近"),
		"where=" + url.QueryEscape("platform=抖音") + "&type=hook&sort=plays",
		"bpm=120-130",
		"since=2025-09-01&until=2025-10-31&sort=created",
		"q=" + url.QueryEscape("小黄车") + "&where=" + url.QueryEscape("platform=抖音"),
	}
	for _, q := range queries {
		results := map[string][]string{}
		for name, ts := range servers {
			status, _, body := do(t, "GET", ts.URL+"/v1/search?limit=200&"+q, "", "")
			require.Equal(t, http.StatusOK, status, body)
			var got struct {
				Total   int      `json:"total"`
				Filters []string `json:"filters"`
				Hits    []struct {
					ID string `json:"id"`
				} `json:"hits"`
				Facets map[string][]struct {
					Term  string `json:"term"`
					Count int    `json:"count"`
				} `json:"facets"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &got))
			require.NotEmpty(t, got.Filters, q)
			require.NotEmpty(t, got.Hits, "%s %s", name, q)
			ids := []string{}
			for _, h := range got.Hits {
				ids = append(ids, h.ID)
			}
			if q[:2] != "q=" || name == "disk" { // text matching differs between the two by design
				sort.Strings(ids)
			}
			results[name] = ids
			assert.Contains(t, got.Facets, "camera", "%s %s", name, q)
		}
		if q[:2] != "q=" || q == queries[0] {
			assert.Equal(t, results["disk"], results["memory"], "disk and memory libraries filter alike: %s", q)
		}
	}
	for _, bad := range []string{"where=camera", "bpm=x", "sort=random", "since=soon"} {
		status, _, body := do(t, "GET", servers["disk"].URL+"/v1/search?"+bad, "", "")
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", bad, body)
	}
}

// TestSearchHitsCarryAttributes (issue 24 item 8): a hit found by
// where=camera=推近 shows 推近 (the element's attributes ride along), on
// disk and in memory; an unknown where key is a 400 naming the known
// keys.
func TestSearchHitsCarryAttributes(t *testing.T) {
	for name, ts := range sampleServers(t) {
		status, _, body := do(t, "GET", ts.URL+"/v1/search?limit=50&where="+url.QueryEscape("camera=推近"), "", "")
		require.Equal(t, http.StatusOK, status, body)
		var got struct {
			Hits []struct {
				ID         string         `json:"id"`
				Attributes map[string]any `json:"attributes"`
			} `json:"hits"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &got))
		require.NotEmpty(t, got.Hits, name)
		for _, h := range got.Hits {
			assert.Equal(t, "推近", h.Attributes["camera"], "%s %s", name, h.ID)
		}
		status, _, body = do(t, "GET", ts.URL+"/v1/search?where="+url.QueryEscape("cmaera=推近"), "", "")
		assert.Equal(t, http.StatusBadRequest, status, body)
		assert.Contains(t, body, "known keys")
		assert.Contains(t, body, "camera")
	}
}

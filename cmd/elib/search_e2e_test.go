package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type searchJSON struct {
	Total   int      `json:"total"`
	Filters []string `json:"filters"`
	Hits    []struct {
		ID        string   `json:"id"`
		Type      string   `json:"type"`
		Plays     *float64 `json:"plays"`
		Published string   `json:"published"`
	} `json:"hits"`
	Facets map[string][]struct {
		Term  string `json:"term"`
		Count int    `json:"count"`
	} `json:"facets"`
}

// importedSample imports the repository's sample library into a new
// library and returns its directory.
func importedSample(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib")
	_, stderr, code := runElib(t, dir, nil, "--library", lib, "init")
	require.Equal(t, 0, code, stderr)
	_, stderr, code = runElib(t, dir, nil, "--library", lib, "import", repoPath(t, "corpus/library"))
	require.Equal(t, 0, code, stderr)
	return lib
}

func searchE2E(t *testing.T, lib string, args ...string) searchJSON {
	t.Helper()
	out, stderr, code := runElib(t, filepath.Dir(lib), nil, append([]string{"--library", lib, "--format", "json", "search", "--limit", "100"}, args...)...)
	require.Equal(t, 0, code, stderr)
	var got searchJSON
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	return got
}

func TestSearchByAttributesE2E(t *testing.T) {
	lib := importedSample(t)

	// The example: the attribute is indexed and now found.
	got := searchE2E(t, lib, "camera:推近")
	require.NotEmpty(t, got.Hits)
	assert.Equal(t, []string{"camera=推近"}, got.Filters)
	ids := map[string]bool{}
	for _, h := range got.Hits {
		ids[h.ID] = true
	}
	assert.True(t, ids["beauty/sunscreen-02.txt#1"], "%v", ids)
	assert.Equal(t, []struct {
		Term  string `json:"term"`
		Count int    `json:"count"`
	}{{"推近", got.Total}}, got.Facets["camera"])

	// Empty query, filters and sort by plays: most played first.
	got = searchE2E(t, lib, "--where", "platform=抖音", "--type", "hook", "--sort", "plays")
	require.GreaterOrEqual(t, len(got.Hits), 2)
	last := 1e18
	for _, h := range got.Hits {
		if h.Plays == nil {
			last = -1
			continue
		}
		require.GreaterOrEqual(t, last, *h.Plays, "plays descending, unknown last")
		last = *h.Plays
		assert.Equal(t, "hook", h.Type)
	}

	// A period of published times and a BPM range.
	got = searchE2E(t, lib, "--since", "2025-09-01", "--until", "2025-10-31", "--sort", "created")
	require.NotEmpty(t, got.Hits)
	for _, h := range got.Hits {
		assert.True(t, h.Published >= "2025-09-01" && h.Published <= "2025-10-31T23:59:59Z", h.Published)
	}
	got = searchE2E(t, lib, "--bpm", "120-130")
	require.NotEmpty(t, got.Hits)
	assert.NotEmpty(t, got.Facets["bpm"])

	// Bad filters are errors that say what is wrong.
	for _, bad := range [][]string{{"--where", "camera"}, {"--bpm", "fast"}, {"--sort", "random", "x"}, {"--since", "soon", "x"}} {
		_, stderr, code := runElib(t, filepath.Dir(lib), nil, append([]string{"--library", lib, "search"}, bad...)...)
		assert.Equal(t, 2, code, "%v", bad)
		assert.Contains(t, stderr, "search", "%v", bad)
	}
}

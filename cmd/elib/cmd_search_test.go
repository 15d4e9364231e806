package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/fulltext"
	"elib/index"
)

// searchLibraryForTest makes a library directory whose full-text index holds
// a few elements.
func searchLibraryForTest(t *testing.T) string {
	t.Helper()
	lib := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, index.Init(lib))
	// The full-text index is filled directly: this tests the command, not
	// import (the library's manifest names "fulltext" as its directory).
	x, err := fulltext.Open(filepath.Join(lib, "fulltext"), fulltext.Options{})
	require.NoError(t, err)
	require.NoError(t, x.Apply([]fulltext.Doc{
		{ID: "a.md#0", AssetID: "a.md", Type: "hook", Title: "防晒霜", Text: "你是不是还在为晒黑烦恼？这款防晒霜真的<好用>", Campaign: "618", Platform: "douyin"},
		{ID: "a.md#1", AssetID: "a.md", Type: "conversion", Title: "防晒霜", Text: "点击下方链接，限时立减", Campaign: "618", Platform: "douyin"},
		{ID: "b.srt#0", AssetID: "b.srt", Type: "hook", Title: "保温杯", Text: "千万别再买错防晒霜了", Platform: "xhs"},
	}, nil))
	require.NoError(t, x.Close())
	return lib
}

func runSearchForTest(t *testing.T, lib, format string, opts searchOptions, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	g := &globalOptions{library: lib, format: format, stdout: &out, stderr: &errOut}
	if opts.limit == 0 {
		opts.limit = 10
	}
	err := runSearch(context.Background(), g, opts, args)
	return out.String(), err
}

func TestRunSearchJSON(t *testing.T) {
	lib := searchLibraryForTest(t)
	out, err := runSearchForTest(t, lib, "json", searchOptions{}, "防晒霜")
	require.NoError(t, err)
	var got struct {
		Total uint64 `json:"total"`
		Hits  []struct {
			ID        string   `json:"id"`
			AssetID   string   `json:"asset_id"`
			Type      string   `json:"type"`
			Title     string   `json:"title"`
			Score     float64  `json:"score"`
			Text      string   `json:"text"`
			Fragments []string `json:"fragments"`
		} `json:"hits"`
		Facets map[string][]struct {
			Term  string `json:"term"`
			Count int    `json:"count"`
		} `json:"facets"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	assert.EqualValues(t, 3, got.Total)
	require.Len(t, got.Hits, 3)
	ids := []string{got.Hits[0].ID, got.Hits[1].ID, got.Hits[2].ID}
	assert.ElementsMatch(t, []string{"a.md#0", "a.md#1", "b.srt#0"}, ids)
	for _, h := range got.Hits {
		assert.NotEmpty(t, h.AssetID)
		assert.NotEmpty(t, h.Type)
		assert.Greater(t, h.Score, 0.0)
		if h.ID == "a.md#0" {
			require.NotEmpty(t, h.Fragments)
			assert.Contains(t, h.Fragments[0], "<mark>防晒霜</mark>真的&lt;好用&gt;")
		}
	}
	require.Contains(t, got.Facets, "type")
	assert.Equal(t, "hook", got.Facets["type"][0].Term)
	assert.Equal(t, 2, got.Facets["type"][0].Count)

	out, err = runSearchForTest(t, lib, "json", searchOptions{typ: "转化"}, "防晒霜")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Len(t, got.Hits, 1)
	assert.Equal(t, "a.md#1", got.Hits[0].ID)
}

func TestRunSearchText(t *testing.T) {
	lib := searchLibraryForTest(t)
	out, err := runSearchForTest(t, lib, "text", searchOptions{typ: "hook", limit: 1}, "防晒霜")
	require.NoError(t, err)
	assert.Contains(t, out, "2 element(s) match")
	assert.Contains(t, out, "【防晒霜】", "matches bracketed when not a terminal")
	assert.NotContains(t, out, "\x1b[", "no colour when not a terminal")
	assert.Contains(t, out, "<好用>", "HTML entities unescaped for the terminal")
	assert.Contains(t, out, "type:")

	out, err = runSearchForTest(t, lib, "text", searchOptions{typ: "story"})
	require.NoError(t, err)
	assert.Contains(t, out, "0 element(s) match")
}

func TestRenderFragment(t *testing.T) {
	tests := []struct {
		in    string
		color bool
		want  string
	}{
		{"这款<mark>防晒霜</mark>&lt;真的&gt;", false, "这款【防晒霜】<真的>"},
		{"<mark>a</mark>\n<mark>b</mark>", true, ansiMark + "a" + ansiReset + " ⏎ " + ansiMark + "b" + ansiReset},
		{"no marks &amp; more", false, "no marks & more"},
		{"<mark>unterminated", false, "【unterminated】"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, renderFragment(tc.in, tc.color), tc.in)
	}
}

func TestRunSearchErrors(t *testing.T) {
	lib := searchLibraryForTest(t)
	tests := []struct {
		name   string
		lib    string
		format string
		opts   searchOptions
		args   []string
		msg    string
	}{
		{"no library", filepath.Join(t.TempDir(), "missing"), "text", searchOptions{}, []string{"x"}, "no library at"},
		{"no query", lib, "text", searchOptions{}, nil, "give a QUERY"},
		{"bad type", lib, "text", searchOptions{typ: "banana"}, []string{"x"}, "unknown --type"},
		{"bad format", lib, "junit", searchOptions{}, []string{"x"}, "unknown --format"},
		{"bad limit", lib, "text", searchOptions{limit: -1}, []string{"x"}, "--limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runSearchForTest(t, tc.lib, tc.format, tc.opts, tc.args...)
			require.Error(t, err)
			var ce *exitCodeError
			require.True(t, errors.As(err, &ce))
			assert.Equal(t, exitError, ce.code)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}

	empty := filepath.Join(t.TempDir(), "lib") // a library with nothing imported yet
	require.NoError(t, index.Init(empty))
	out, err := runSearchForTest(t, empty, "json", searchOptions{}, "防晒")
	require.NoError(t, err)
	assert.Contains(t, out, `"total": 0`)
}

type searchJSON struct {
	Total   int      `json:"total"`
	Filters []string `json:"filters"`
	Hits    []struct {
		ID        string   `json:"id"`
		AssetID   string   `json:"asset_id"`
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

	// Hits carry their element's attributes (issue 24 item 8): in JSON,
	// and labelled in text.
	out, stderr, code := runElib(t, filepath.Dir(lib), nil, "--library", lib, "--format", "json", "search", "--where", "camera=推近")
	require.Equal(t, 0, code, stderr)
	var withAttrs struct {
		Hits []struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"hits"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &withAttrs))
	require.NotEmpty(t, withAttrs.Hits)
	for _, h := range withAttrs.Hits {
		assert.Equal(t, "推近", h.Attributes["camera"])
	}
	out, stderr, code = runElib(t, filepath.Dir(lib), nil, "--library", lib, "search", "--where", "camera=推近")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "镜头 camera：推近")
	// An unknown key is an error naming the known ones.
	_, stderr, code = runElib(t, filepath.Dir(lib), nil, "--library", lib, "search", "--where", "cmaera=推近")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `unknown key "cmaera"`)
	assert.Contains(t, stderr, "camera, ")

	// Bad filters are errors that say what is wrong.
	for _, bad := range [][]string{{"--where", "camera"}, {"--bpm", "fast"}, {"--sort", "random", "x"}, {"--since", "soon", "x"}} {
		_, stderr, code := runElib(t, filepath.Dir(lib), nil, append([]string{"--library", lib, "search"}, bad...)...)
		assert.Equal(t, 2, code, "%v", bad)
		assert.Contains(t, stderr, "search", "%v", bad)
	}
}

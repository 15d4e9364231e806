package fulltext_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/fulltext"
)

var testDocs = []fulltext.Doc{
	{ID: "a1#0", AssetID: "a1", Type: "hook", Title: "防晒霜爆款", Text: "你是不是还在为晒黑烦恼？这款防晒霜真的好用", Campaign: "618", Platform: "douyin",
		Attributes: map[string]string{"camera": "推近"}},
	{ID: "a1#1", AssetID: "a1", Type: "conversion", Title: "防晒霜爆款", Text: "点击下方链接，限时立减50元，直播间下单", Campaign: "618", Platform: "douyin"},
	{ID: "a2#0", AssetID: "a2", Type: "testimonial", Title: "保温杯", Text: "我用了三个月，<b>保温</b>效果真的好，已经回购", Campaign: "双11", Platform: "xhs"},
	{ID: "a3#0", AssetID: "a3", Type: "story", Title: "檔案收納", Text: "我們用這個軟體整理檔案，網路再慢也不怕", Platform: "douyin"},
	{ID: "a4#0", AssetID: "a4", Type: "hook", Title: "", Text: "千万别再买错防晒了", Campaign: "618"},
}

func openTemp(t *testing.T, opts fulltext.Options) (*fulltext.Index, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fulltext")
	x, err := fulltext.Open(dir, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = x.Close() })
	return x, dir
}

func hitIDs(r *fulltext.Result) []string {
	out := []string{}
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

func TestApplyAndSearch(t *testing.T) {
	x, _ := openTemp(t, fulltext.Options{BatchSize: 2}) // several batches per Apply
	require.NoError(t, x.Apply(testDocs, nil))
	n, err := x.DocCount()
	require.NoError(t, err)
	require.EqualValues(t, len(testDocs), n)

	ctx := context.Background()
	tests := []struct {
		name string
		q    fulltext.Query
		want []string // IDs, best first
	}{
		{"phrase ranks first", fulltext.Query{Text: "防晒霜"}, []string{"a1#0", "a1#1", "a4#0"}},
		{"type filter", fulltext.Query{Text: "防晒", Type: "hook"}, []string{"a1#0", "a4#0"}},
		{"type filter in Chinese", fulltext.Query{Text: "防晒", Type: "钩子"}, []string{"a1#0", "a4#0"}},
		{"traditional query", fulltext.Query{Text: "限時立減"}, []string{"a1#1"}},
		{"simplified query finds traditional text", fulltext.Query{Text: "文件软件"}, []string{"a3#0"}},
		{"no match", fulltext.Query{Text: "火箭发射"}, []string{}},
		{"empty text lists everything of a type", fulltext.Query{Type: "hook"}, []string{"a1#0", "a4#0"}},
		{"limit", fulltext.Query{Text: "防晒霜", Limit: 1}, []string{"a1#0"}},
		{"offset", fulltext.Query{Text: "防晒霜", Limit: 1, Offset: 1}, []string{"a1#1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := x.Search(ctx, tc.q)
			require.NoError(t, err)
			got := hitIDs(r)
			if tc.q.Text == "" { // match-all scores tie: order is not defined
				assert.ElementsMatch(t, tc.want, got)
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestHitFields(t *testing.T) {
	x, _ := openTemp(t, fulltext.Options{})
	require.NoError(t, x.Apply(testDocs, nil))
	r, err := x.Search(context.Background(), fulltext.Query{Text: "保温效果", Facets: true})
	require.NoError(t, err)
	require.Len(t, r.Hits, 1)
	h := r.Hits[0]
	assert.Equal(t, "a2#0", h.ID)
	assert.Equal(t, "a2", h.AssetID)
	assert.Equal(t, "testimonial", h.Type)
	assert.Equal(t, "保温杯", h.Title)
	assert.Equal(t, testDocs[2].Text, h.Text)
	assert.Greater(t, h.Score, 0.0)
	require.NotEmpty(t, h.Fragments)
	assert.Contains(t, h.Fragments[0], "&lt;b&gt;<mark>保温</mark>&lt;/b&gt;<mark>效果</mark>")
	// 我用了三个月，<b>保温</b>效果: 保温 at code points 10-12, 效果 at 16-18.
	assert.Equal(t, [][2]int{{10, 12}, {16, 18}}, h.Locations)
	for _, l := range h.Locations {
		assert.Contains(t, []string{"保温", "效果"}, string([]rune(h.Text)[l[0]:l[1]]))
	}
	assert.Equal(t, []fulltext.FacetCount{{Term: "testimonial", Count: 1}}, r.Facets["type"])

	// A word and its own sub-word both match (防晒霜, 防晒): the whole word
	// is highlighted once (bleve's own merge would shrink it to 防晒).
	r, err = x.Search(context.Background(), fulltext.Query{Text: "防晒霜", Type: "hook"})
	require.NoError(t, err)
	require.NotEmpty(t, r.Hits)
	require.Equal(t, "a1#0", r.Hits[0].ID)
	assert.Equal(t, []string{"你是不是还在为晒黑烦恼？这款<mark>防晒霜</mark>真的好用"}, r.Hits[0].Fragments)
	assert.Equal(t, [][2]int{{14, 17}}, r.Hits[0].Locations)

	all, err := x.Search(context.Background(), fulltext.Query{Facets: true})
	require.NoError(t, err)
	assert.EqualValues(t, 5, all.Total)
	assert.Equal(t, []fulltext.FacetCount{{Term: "hook", Count: 2}, {Term: "conversion", Count: 1}, {Term: "story", Count: 1}, {Term: "testimonial", Count: 1}}, all.Facets["type"])
	assert.Equal(t, []fulltext.FacetCount{{Term: "618", Count: 3}, {Term: "双11", Count: 1}}, all.Facets["campaign"])
	assert.Equal(t, []fulltext.FacetCount{{Term: "douyin", Count: 3}, {Term: "xhs", Count: 1}}, all.Facets["platform"])
}

func TestUpdateDeleteReopen(t *testing.T) {
	x, dir := openTemp(t, fulltext.Options{})
	require.NoError(t, x.Apply(testDocs, nil))
	changed := testDocs[0]
	changed.Text = "全新的开场白"
	require.NoError(t, x.Apply([]fulltext.Doc{changed}, []string{"a1#0", "a2#0", "missing"}))
	require.NoError(t, x.Close())

	ro, err := fulltext.Open(dir, fulltext.Options{ReadOnly: true})
	require.NoError(t, err)
	defer ro.Close()
	n, err := ro.DocCount()
	require.NoError(t, err)
	assert.EqualValues(t, 4, n, "a2#0 deleted, a1#0 replaced")
	r, err := ro.Search(context.Background(), fulltext.Query{Text: "开场白"})
	require.NoError(t, err)
	assert.Equal(t, []string{"a1#0"}, hitIDs(r))
	r, err = ro.Search(context.Background(), fulltext.Query{Text: "保温"})
	require.NoError(t, err)
	assert.Empty(t, r.Hits)
	assert.ErrorIs(t, ro.Apply(testDocs, nil), fulltext.ErrReadOnly)
}

func TestOpenErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nope")
	_, err := fulltext.Open(dir, fulltext.Options{ReadOnly: true})
	assert.ErrorIs(t, err, fs.ErrNotExist)

	notIndex := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(notIndex, "x"), []byte("x"), 0o644))
	_, err = fulltext.Open(notIndex, fulltext.Options{})
	assert.ErrorContains(t, err, "no index_meta.json")

	x, _ := openTemp(t, fulltext.Options{})
	require.NoError(t, x.Close())
	_, err = x.Search(context.Background(), fulltext.Query{Text: "x"})
	assert.ErrorIs(t, err, fulltext.ErrClosed)
}

func TestStoredConfigHasNoPaths(t *testing.T) {
	_, dir := openTemp(t, fulltext.Options{})
	meta, err := os.ReadFile(filepath.Join(dir, "index_meta.json"))
	require.NoError(t, err)
	assert.Contains(t, string(meta), "bolt_timeout")
	m, err := json.Marshal(fulltext.NewMapping())
	require.NoError(t, err)
	s := string(m)
	assert.Contains(t, s, `"analyzer":"elib_zh"`)
	assert.NotContains(t, s, "/", "the stored mapping must not name files")
	assert.NotContains(t, s, ".utf8")
}

// The helper process: ELIB_FT_HELPER=hold holds the index open for writing
// (Exclusive) until killed; =import applies many small Apply calls as an
// import does.
func TestHelperProcess(t *testing.T) {
	mode, dir := os.Getenv("ELIB_FT_HELPER"), os.Getenv("ELIB_FT_DIR")
	if mode == "" {
		t.Skip("helper process only")
	}
	switch mode {
	case "hold":
		x, err := fulltext.Open(dir, fulltext.Options{Exclusive: true})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		fmt.Println("holding")
		time.Sleep(time.Minute)
		_ = x.Close()
	case "import":
		// A generous lock wait: the test's reader searches in a loop, and on a
		// busy CI machine the writer can wait seconds for its turn.
		x, err := fulltext.Open(dir, fulltext.Options{BatchSize: 50, Timeout: time.Minute})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		fmt.Println("importing")
		for i := 0; i < 40; i++ {
			docs := make([]fulltext.Doc, 100)
			for j := range docs {
				docs[j] = fulltext.Doc{ID: fmt.Sprintf("imp-%d-%d", i, j), Type: "hook", Text: fmt.Sprintf("第%d批第%d条：这款防晒霜真的好用，限时立减", i, j)}
			}
			if err := x.Apply(docs, nil); err != nil {
				fmt.Println("error:", err)
				os.Exit(3)
			}
		}
		_ = x.Close()
		fmt.Println("done")
	}
	os.Exit(0)
}

func startHelper(t *testing.T, mode, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "ELIB_FT_HELPER="+mode, "ELIB_FT_DIR="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	buf := make([]byte, 64)
	k, _ := out.Read(buf) // wait for the helper to have the index
	require.NotContains(t, string(buf[:k]), "error", string(buf[:k]))
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	go func() { // drain
		b := make([]byte, 256)
		for {
			if _, err := out.Read(b); err != nil {
				return
			}
		}
	}()
	return cmd
}

func TestLockedByAnotherProcessIsAnError(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	x, dir := openTemp(t, fulltext.Options{})
	require.NoError(t, x.Apply(testDocs[:1], nil))
	startHelper(t, "hold", dir)

	ro, err := fulltext.Open(dir, fulltext.Options{ReadOnly: true, Timeout: 400 * time.Millisecond})
	require.NoError(t, err)
	defer ro.Close()
	start := time.Now()
	_, err = ro.Search(context.Background(), fulltext.Query{Text: "防晒"})
	require.Error(t, err)
	assert.ErrorIs(t, err, fulltext.ErrLocked)
	assert.Contains(t, err.Error(), "is locked by another process")
	assert.Less(t, time.Since(start), 5*time.Second, "must not hang")

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	wr, err := fulltext.Open(dir, fulltext.Options{Timeout: time.Minute})
	require.NoError(t, err)
	defer wr.Close()
	_, err = wr.Search(ctx, fulltext.Query{Text: "防晒"})
	assert.ErrorIs(t, err, context.DeadlineExceeded, "a cancelled context stops the wait")
}

func TestSearchWhileAnotherProcessImports(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	x, dir := openTemp(t, fulltext.Options{})
	require.NoError(t, x.Apply(testDocs, nil))
	cmd := startHelper(t, "import", dir)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	ro, err := fulltext.Open(dir, fulltext.Options{ReadOnly: true})
	require.NoError(t, err)
	defer ro.Close()
	searches, maxWait := 0, time.Duration(0)
	var last uint64
	for running := true; running; {
		select {
		case err := <-done:
			require.NoError(t, err, "import process failed")
			running = false
		default:
		}
		start := time.Now()
		r, err := ro.Search(context.Background(), fulltext.Query{Text: "防晒霜"})
		require.NoError(t, err, "search during import")
		maxWait = max(maxWait, time.Since(start))
		assert.GreaterOrEqual(t, r.Total, last, "results only grow")
		last = r.Total
		searches++
		time.Sleep(time.Millisecond) // a user's pace, not a spin that starves the writer's lock
	}
	n, err := ro.DocCount()
	require.NoError(t, err)
	assert.EqualValues(t, len(testDocs)+40*100, n)
	t.Logf("%d searches during the import, slowest %v", searches, maxWait)
	assert.Greater(t, searches, 1)
}

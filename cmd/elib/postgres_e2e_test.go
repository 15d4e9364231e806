package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/internal/devdata"
	"elib/library/postgres/pgtest"
)

// TestPostgresLibraryThroughBinary runs the commands a user runs on a
// PostgreSQL library (--library postgres://… and ELIB_LIBRARY) and on a
// directory, and compares their answers.
func TestPostgresLibraryThroughBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the elib binary and starts PostgreSQL")
	}
	pg := pgtest.Database(t)
	dir := filepath.Join(t.TempDir(), "lib")
	work := t.TempDir()
	lib := repoPath(t, "corpus/library")
	if _, err := os.Stat(lib); err != nil {
		lib = writeSampleScripts(t, filepath.Join(work, "in"))
	}
	check := filepath.Join(work, "new.md")
	require.NoError(t, os.WriteFile(check, []byte("【钩子】你是不是还在为跑步膝盖疼发愁？每次跑完五公里膝盖就酸得不行\n【转化】点击下方链接，今天下单立减五十元\n"), 0o644))

	outs := map[string]string{}
	for _, loc := range []string{dir, pg} {
		env := []string{"ELIB_LIBRARY=" + loc}
		_, se, code := runElib(t, work, env, "init")
		require.Equal(t, 0, code, se)
		_, se, code = runElib(t, work, env, "init")
		assert.Equal(t, 2, code)
		assert.Contains(t, se, "already exists")
		assert.NotContains(t, se, "password")
		so, se, code := runElib(t, work, env, "--library", loc, "import", "--no-progress", lib)
		require.Equal(t, 0, code, se)
		assert.Contains(t, so, "imported")
		_, se, code = runElib(t, work, env, "allowlist", "add", "理性消费")
		require.Equal(t, 0, code, se)
		so, _, _ = runElib(t, work, env, "allowlist", "list")
		assert.Contains(t, so, "理性消费")
		so, se, code = runElib(t, work, env, "--format", "json", "check", check)
		require.Contains(t, []int{0, 1}, code, se)
		var cj map[string]any
		require.NoError(t, json.Unmarshal([]byte(so), &cj), so)
		delete(cj, "library")
		b, _ := json.Marshal(cj)
		outs["check "+kind(loc)] = string(b)
		so, se, code = runElib(t, work, env, "--format", "json", "stats")
		require.Equal(t, 0, code, se)
		var st map[string]any
		require.NoError(t, json.Unmarshal([]byte(so), &st))
		outs["stats "+kind(loc)] = jsonOf(st["assets"], st["elements"], st["by_type"], st["reuse_rate"])
		so, se, code = runElib(t, work, env, "--format", "json", "search", "下单")
		require.Equal(t, 0, code, se)
		var sr struct {
			Total int `json:"total"`
		}
		require.NoError(t, json.Unmarshal([]byte(so), &sr))
		assert.Positive(t, sr.Total)
		outs["search "+kind(loc)] = jsonOf(sr.Total)
	}
	for _, what := range []string{"check", "stats", "search"} {
		assert.JSONEq(t, outs[what+" file"], outs[what+" postgres"], what)
	}

	// elib migrate both ways: the copies give the same counts and checks.
	pg2 := pgtest.Database(t)
	dir2 := filepath.Join(t.TempDir(), "back")
	for _, hop := range [][2]string{{dir, pg2}, {pg2, dir2}} {
		so, se, code := runElib(t, work, nil, "migrate", "--from", hop[0], "--to", hop[1])
		require.Equal(t, 0, code, se)
		assert.Contains(t, so, "migrated")
		env := []string{"ELIB_LIBRARY=" + hop[1]}
		so, se, code = runElib(t, work, env, "--format", "json", "check", check)
		require.Contains(t, []int{0, 1}, code, se)
		var cj map[string]any
		require.NoError(t, json.Unmarshal([]byte(so), &cj), so)
		delete(cj, "library")
		b, _ := json.Marshal(cj)
		assert.JSONEq(t, outs["check file"], string(b), "check after migrate to %s", kind(hop[1]))
		so, _, _ = runElib(t, work, env, "allowlist", "list")
		assert.Contains(t, so, "理性消费")
		so, se, code = runElib(t, work, env, "--format", "json", "stats")
		require.Equal(t, 0, code, se)
		var st map[string]any
		require.NoError(t, json.Unmarshal([]byte(so), &st))
		assert.JSONEq(t, outs["stats file"], jsonOf(st["assets"], st["elements"], st["by_type"], st["reuse_rate"]))
	}

	// An unreachable database is a clear error, exit 2.
	bad := strings.Replace(pg, "port=", "port=1", 1)
	_, se, code := runElib(t, work, nil, "--library", bad, "stats")
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "library postgres://")
}

func kind(loc string) string {
	if strings.HasPrefix(loc, "postgres://") {
		return "postgres"
	}
	return "file"
}

func jsonOf(v ...any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// writeSampleScripts writes a few labelled scripts to dir.
func writeSampleScripts(t *testing.T, dir string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	files := map[string]string{
		"run.md":  "【钩子】你是不是还在为跑步膝盖疼发愁？每次跑完五公里膝盖就酸得不行\n【证言】我用了三个月，亲测膝盖再也不疼了\n【转化】点击下方链接，今天下单立减五十元，限时三天\n",
		"cook.md": "【钩子】千万别再用普通锅煎牛排了，粘锅又难洗\n【转化】点击链接下单，新人专享价九十九元，送硅胶铲\n",
	}
	for name, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	return dir
}

// TestPostgresDevSetsIdentical: on the development sets (../shared/dev and
// every set of ../shared/dev-real), `elib check --format json` gives the
// same JSON on a PostgreSQL library as on a directory.
func TestPostgresDevSetsIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the elib binary and starts PostgreSQL")
	}
	sets := []string{devdata.DevDir(t)}
	if real, ok := devdata.Find("dev-real"); ok {
		entries, err := os.ReadDir(real)
		require.NoError(t, err)
		for _, e := range entries {
			if _, err := os.Stat(filepath.Join(real, e.Name(), "truth.json")); err == nil {
				sets = append(sets, filepath.Join(real, e.Name()))
			}
		}
	}
	for _, set := range sets {
		t.Run(filepath.Base(set), func(t *testing.T) {
			var outs []string
			for _, loc := range []string{filepath.Join(t.TempDir(), "lib"), pgtest.Database(t)} {
				env := []string{"ELIB_LIBRARY=" + loc}
				_, se, code := runElib(t, set, env, "init")
				require.Equal(t, 0, code, se)
				_, se, code = runElib(t, set, env, "import", "--no-progress", "library")
				require.Equal(t, 0, code, se)
				if _, err := os.Stat(filepath.Join(set, "boilerplate.txt")); err == nil {
					_, se, code = runElib(t, set, env, "allowlist", "add", "--file", "boilerplate.txt")
					require.Equal(t, 0, code, se)
				}
				so, se, code := runElib(t, set, env, "check", "--format", "json", "new")
				require.Contains(t, []int{0, 1}, code, se)
				var cj map[string]any
				require.NoError(t, json.Unmarshal([]byte(so), &cj), so)
				delete(cj, "library")
				b, _ := json.Marshal(cj)
				outs = append(outs, string(b))
			}
			assert.JSONEq(t, outs[0], outs[1], "check JSON, directory vs PostgreSQL")
		})
	}
}

// TestMain stops the private PostgreSQL server the PostgreSQL tests start.
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

// TestPostgresReindexFromThroughBinary: `elib reindex --from DIR` on a
// PostgreSQL library rebuilds it from the files under DIR, names the file
// it could not read (exit 2) and keeps the rest, as on a directory.
func TestPostgresReindexFromThroughBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the elib binary and starts PostgreSQL")
	}
	work := t.TempDir()
	src := writeSampleScripts(t, filepath.Join(work, "src"))
	require.NoError(t, os.WriteFile(filepath.Join(src, "bad.json"), []byte(`{"id": "x", "elements": [`), 0o644))
	old := filepath.Join(work, "old")
	require.NoError(t, os.MkdirAll(old, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(old, "old.md"), []byte("【钩子】这是一份旧素材，讲的是露营帐篷怎么搭\n"), 0o644))
	outs := map[string]string{}
	for _, loc := range []string{filepath.Join(t.TempDir(), "lib"), pgtest.Database(t)} {
		env := []string{"ELIB_LIBRARY=" + loc}
		_, se, code := runElib(t, work, env, "init")
		require.Equal(t, 0, code, se)
		_, se, code = runElib(t, work, env, "import", "--no-progress", old)
		require.Equal(t, 0, code, se)
		so, se, code := runElib(t, work, env, "--format", "json", "reindex", "--no-progress", "--from", src)
		assert.Equal(t, 2, code, "a file under --from did not parse")
		assert.Contains(t, se, "bad.json")
		outs["reindex "+kind(loc)] = so
		so, se, code = runElib(t, work, env, "--format", "json", "search", "露营")
		require.Equal(t, 0, code, se)
		var sr fulltextResponse
		require.NoError(t, json.Unmarshal([]byte(so), &sr))
		assert.Zero(t, sr.Total, "the old assets are gone")
		for i, args := range [][]string{{"下单"}, {"膝盖 下单 牛排"}, {"点击", "--type", "转化"}, {"链接", "--no-facets"}} {
			so, se, code = runElib(t, work, env, append([]string{"--format", "json", "search"}, args...)...)
			require.Equal(t, 0, code, se)
			outs[fmt.Sprintf("search %d %s", i, kind(loc))] = comparableSearch(t, so)
		}
	}
	assert.JSONEq(t, outs["reindex file"], outs["reindex postgres"], "reindex")
	for i := 0; i < 4; i++ {
		assert.JSONEq(t, outs[fmt.Sprintf("search %d file", i)], outs[fmt.Sprintf("search %d postgres", i)], "search %d", i)
	}
	assert.Contains(t, outs["search 0 postgres"], `\u003cmark\u003e下单`, "highlighted")
	assert.Contains(t, outs["reindex postgres"], `"assets":2`)
}

// fulltextResponse is the part of `elib search --format json` the tests compare.
type fulltextResponse struct {
	Total int `json:"total"`
}

// comparableSearch is `elib search --format json` output without what
// differs between backends by design: the time taken, relevance scores and
// the order they make (hits by id), import times.
func comparableSearch(t *testing.T, out string) string {
	t.Helper()
	var r map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	delete(r, "took_ms")
	hits, _ := r["hits"].([]any)
	for _, h := range hits {
		delete(h.(map[string]any), "score")
		delete(h.(map[string]any), "published")
	}
	sort.Slice(hits, func(i, j int) bool {
		return hits[i].(map[string]any)["id"].(string) < hits[j].(map[string]any)["id"].(string)
	})
	b, err := json.Marshal(r)
	require.NoError(t, err)
	return string(b)
}

// TestInitUpgradesOlderPostgresLibrary: `elib init` on a PostgreSQL library
// an older elib made (schema 1: no packs, no search columns) upgrades it —
// and says so — instead of claiming to create an empty one; searches work
// on the upgraded library.
func TestInitUpgradesOlderPostgresLibrary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the elib binary and starts PostgreSQL")
	}
	pg := pgtest.Database(t)
	work := t.TempDir()
	in := writeSampleScripts(t, filepath.Join(work, "in"))
	env := []string{"ELIB_LIBRARY=" + pg}
	_, se, code := runElib(t, work, env, "init")
	require.Equal(t, 0, code, se)
	_, se, code = runElib(t, work, env, "import", "--no-progress", in)
	require.Equal(t, 0, code, se)
	before, se, code := runElib(t, work, env, "--format", "json", "search", "下单")
	require.Equal(t, 0, code, se)

	ctx := context.Background()
	require.NoError(t, pgtest.DowngradeToSchema1(ctx, pg))

	_, se, code = runElib(t, work, env, "search", "下单")
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "elib init")
	so, se, code := runElib(t, work, env, "--format", "json", "init")
	require.Equal(t, 0, code, se)
	var rep map[string]string
	require.NoError(t, json.Unmarshal([]byte(so), &rep), so)
	assert.Equal(t, "upgraded", rep["status"])
	so, se, code = runElib(t, work, env, "init")
	assert.Equal(t, 2, code, so)
	assert.Contains(t, se, "already exists")
	after, se, code := runElib(t, work, env, "--format", "json", "search", "下单")
	require.Equal(t, 0, code, se)
	assert.JSONEq(t, stripTook(t, before), stripTook(t, after), "the upgrade filled the search columns")
}

// stripTook removes the search's timing from its JSON.
func stripTook(t *testing.T, s string) string {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &v), s)
	delete(v, "took")
	delete(v, "took_ms")
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/library/postgres/pgtest"
)

// writeFiles writes name → content under dir, making folders.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

const airfryerBody = `【钩子】你是不是还在为空气炸锅清洗发愁？每次炸完鸡翅都要刷半天。
【冲突】但是内胆上的油渍怎么都刷不掉，钢丝球一刷涂层就花了，烦恼得很。
【证言】我用了这款不粘内胆三个月，亲测一擦就干净，炸薯条也不粘。
【转化】点击下方链接，直播间限时立减五十元，今晚十二点恢复原价。
`

// TestFrontMatterMetadataE2E (issue 24 item 3): scripts with YAML front
// matter or 键：值 header lines import as metadata that search --where and
// stats --by/--since read; the copy keeps only the script's elements.
func TestFrontMatterMetadataE2E(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"scripts/yaml.md": "---\ntitle: 空气炸锅清洗\nplatform: 抖音\naccount: 厨房小能手\ncampaign: 双十一\npublished: 2026-11-03T11:30:00+08:00\nplays: 120000\n---\n" + airfryerBody,
		"scripts/header.txt": "标题：保温杯\n平台：小红书\n账号：通勤日记\n活动：开学季\n发布时间：2026-11-05 09:00\n播放量：3.2万\n\n" +
			"【钩子】千万别再买漏水的保温杯了，通勤路上洒一包。\n【证言】我用了一个月，倒过来摇都不漏，早上的咖啡到中午还烫嘴。\n【转化】点击左下角小黄车，下单立减二十。\n",
	})
	lib := filepath.Join(dir, ".elib")
	_, stderr, code := runElib(t, dir, nil, "init")
	require.Equal(t, 0, code, stderr)
	_, stderr, code = runElib(t, dir, nil, "import", "scripts")
	require.Equal(t, 0, code, stderr)

	// split: 4 and 3 elements, no metadata in the copy.
	out, stderr, code := runElib(t, dir, nil, "--format", "json", "split", "scripts/yaml.md", "scripts/header.txt")
	require.Equal(t, 0, code, stderr)
	var split struct {
		Files []struct {
			Assets []struct {
				Title    string         `json:"title"`
				Meta     map[string]any `json:"meta"`
				Elements []struct {
					Text string `json:"text"`
				} `json:"elements"`
			} `json:"assets"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &split), out)
	require.Len(t, split.Files, 2)
	assert.Len(t, split.Files[0].Assets[0].Elements, 4)
	assert.Len(t, split.Files[1].Assets[0].Elements, 3)
	assert.Equal(t, "抖音", split.Files[0].Assets[0].Meta["platform"])
	assert.Equal(t, "保温杯", split.Files[1].Assets[0].Title)

	got := searchE2E(t, lib, "--where", "platform=抖音")
	require.NotEmpty(t, got.Hits)
	for _, h := range got.Hits {
		assert.Equal(t, "scripts/yaml.md", h.AssetID)
	}
	got = searchE2E(t, lib, "--where", "账号=通勤日记")
	require.NotEmpty(t, got.Hits)
	assert.Equal(t, "scripts/header.txt", got.Hits[0].AssetID)
	got = searchE2E(t, lib, "--since", "2026-11-04", "--where", "type=hook")
	require.Len(t, got.Hits, 1)
	assert.Equal(t, "scripts/header.txt", got.Hits[0].AssetID)

	out, stderr, code = runElib(t, dir, nil, "--format", "json", "stats", "--since", "2026-11-01", "--until", "2026-11-30", "--by", "platform")
	require.Equal(t, 0, code, stderr)
	var st struct {
		Period struct {
			Assets int `json:"assets"`
			Groups []struct {
				Key    string `json:"key"`
				Assets int    `json:"assets"`
			} `json:"groups"`
		} `json:"period"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &st), out)
	assert.Equal(t, 2, st.Period.Assets)
	keys := map[string]int{}
	for _, g := range st.Period.Groups {
		keys[g.Key] = g.Assets
	}
	assert.Equal(t, map[string]int{"抖音": 1, "小红书": 1}, keys)
}

// TestOneAssetPerFileE2E (issue 24 item 4): a file's asset id is its path
// relative to the folder holding the library, whatever argument named it:
// importing a file and then its folder gives one asset, and checking the
// file from another folder names the same id.
func TestOneAssetPerFileE2E(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"drafts/x.md": airfryerBody, "drafts/y.md": "【钩子】千万别再买漏水的保温杯了，通勤路上洒一包。\n"})
	_, stderr, code := runElib(t, dir, nil, "init")
	require.Equal(t, 0, code, stderr)

	var imp struct {
		Imported int      `json:"imported"`
		Replaced int      `json:"replaced"`
		IDs      []string `json:"ids"`
	}
	out, stderr, code := runElib(t, dir, nil, "--format", "json", "import", "drafts/x.md")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &imp), out)
	assert.Equal(t, []string{"drafts/x.md"}, imp.IDs)

	out, stderr, code = runElib(t, dir, nil, "--format", "json", "import", "drafts/")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &imp), out)
	assert.ElementsMatch(t, []string{"drafts/x.md", "drafts/y.md"}, imp.IDs)
	assert.Equal(t, 1, imp.Replaced)

	// From inside drafts/, with the library named by path: same ids.
	out, stderr, code = runElib(t, filepath.Join(dir, "drafts"), nil, "--library", "../.elib", "--format", "json", "import", "x.md")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &imp), out)
	assert.Equal(t, []string{"drafts/x.md"}, imp.IDs)
	assert.Equal(t, 1, imp.Replaced)

	out, stderr, code = runElib(t, dir, nil, "--format", "json", "stats")
	require.Equal(t, 0, code, stderr)
	var st struct {
		Assets int `json:"assets"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &st), out)
	assert.Equal(t, 2, st.Assets)

	out, _, _ = runElib(t, filepath.Join(dir, "drafts"), nil, "--library", "../.elib", "--format", "json", "check", "--no-fatigue", "x.md")
	var chk checkJSON
	require.NoError(t, json.Unmarshal([]byte(out), &chk), out)
	require.Len(t, chk.Results, 1)
	assert.Equal(t, "drafts/x.md", chk.Results[0].AssetID)
}

// sampleLibraryIn imports the repository's sample scripts into dir/.elib
// (ids scripts/…) and returns dir.
func sampleLibraryIn(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	_, stderr, code := runElib(t, dir, nil, "init")
	require.Equal(t, 0, code, stderr)
	_, stderr, code = runElib(t, dir, nil, "import", "--root", repoPath(t, "corpus"), repoPath(t, "corpus/library"))
	require.Equal(t, 0, code, stderr)
	return dir
}

// TestCheckXLSXOpensInLibreOffice (issue 24, Excel out): check --format
// xlsx -o writes a workbook LibreOffice converts cleanly: one row per
// checked file naming its top source by title, and a sheet of spans.
func TestCheckXLSXOpensInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("ELIB_REQUIRE_LIBREOFFICE") != "" {
			t.Fatal("soffice not found (apt-get install libreoffice-calc-nogui)")
		}
		t.Skip("SKIP: soffice not found; install libreoffice-calc-nogui to run the workbook test")
	}
	dir := sampleLibraryIn(t)
	out := filepath.Join(dir, "report.xlsx")
	_, stderr, code := runElib(t, dir, nil, "check", "--no-fatigue", "--format", "xlsx", "-o", out,
		repoPath(t, "corpus/examples/repost.md"), repoPath(t, "corpus/examples/original.md"))
	require.Equal(t, 1, code, "one rejected: %s", stderr)

	profile := filepath.Join(t.TempDir(), "lo-profile")
	// Every sheet to its own CSV (UTF-8, comma, quoted text; the last
	// token -1 asks for all sheets: report-<sheet>.csv).
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+profile, "--headless", "--convert-to",
		"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", dir, out)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	results, err := os.ReadFile(filepath.Join(dir, "report-检查结果.csv"))
	require.NoError(t, err, "soffice said: %s", msg)
	rows, err := csv.NewReader(bytes.NewReader(results)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3, "a header and one row per checked file")
	byFile := map[string][]string{}
	for _, r := range rows[1:] {
		byFile[filepath.Base(r[0])] = r
	}
	rep := byFile["repost.md"]
	require.NotNil(t, rep, "rows: %v", rows)
	assert.Equal(t, "回炉 reject", rep[3])
	assert.Contains(t, rep[4], "%")
	assert.Equal(t, "L5", rep[5])
	assert.Contains(t, rep[8], "降噪蓝牙耳机", "the top source by its title")
	assert.Contains(t, rep[8], "library/digital/earbuds-02.txt")
	assert.Equal(t, "通过 pass", byFile["original.md"][3])

	spans, err := os.ReadFile(filepath.Join(dir, "report-重复片段.csv"))
	require.NoError(t, err)
	srows, err := csv.NewReader(bytes.NewReader(spans)).ReadAll()
	require.NoError(t, err)
	require.Greater(t, len(srows), 2)
	for _, r := range srows[1:] {
		assert.Equal(t, "repost.md", filepath.Base(r[0]))
		assert.NotEmpty(t, r[5], "the checked text of the span")
		assert.NotEmpty(t, r[6], "the library text of the span")
	}
}

// TestCheckRecordAndHistoryE2E (issue 24, history): check --record
// appends to the library's check history; elib history lists it with
// --verdict and --since, and reindex keeps it.
func TestCheckRecordAndHistoryE2E(t *testing.T) {
	dir := sampleLibraryIn(t)
	_, _, code := runElib(t, dir, []string{"ELIB_USER=小王"}, "check", "--no-fatigue", "--record",
		repoPath(t, "corpus/examples/repost.md"), repoPath(t, "corpus/examples/original.md"))
	require.Equal(t, 1, code)
	_, _, code = runElib(t, dir, nil, "check", "--no-fatigue", repoPath(t, "corpus/examples/original.md"))
	require.Equal(t, 0, code, "a check without --record is not recorded")
	_, stderr, code := runElib(t, dir, nil, "reindex")
	require.Equal(t, 0, code, stderr)

	var h struct {
		Total   int `json:"total"`
		Entries []struct {
			Time           string  `json:"time"`
			Who            string  `json:"who"`
			Via            string  `json:"via"`
			File           string  `json:"file"`
			Verdict        string  `json:"verdict"`
			Duplication    float64 `json:"duplication"`
			Level          string  `json:"level"`
			TopSource      string  `json:"top_source"`
			TopSourceTitle string  `json:"top_source_title"`
		} `json:"entries"`
	}
	out, stderr, code := runElib(t, dir, nil, "--format", "json", "history")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &h), out)
	require.Equal(t, 2, h.Total)
	out, stderr, code = runElib(t, dir, nil, "--format", "json", "history", "--verdict", "reject", "--since", "1d")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &h), out)
	require.Len(t, h.Entries, 1)
	e := h.Entries[0]
	assert.Equal(t, "小王", e.Who)
	assert.Equal(t, "cli", e.Via)
	assert.Equal(t, "repost.md", filepath.Base(e.File))
	assert.Equal(t, "L5", e.Level)
	assert.Greater(t, e.Duplication, 0.62)
	assert.Equal(t, "library/digital/earbuds-02.txt", e.TopSource)
	assert.Equal(t, "降噪蓝牙耳机", e.TopSourceTitle)

	out, stderr, code = runElib(t, dir, nil, "history", "--verdict", "pass")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "original.md")
	assert.NotContains(t, out, "repost.md")
	_, stderr, code = runElib(t, dir, nil, "history", "--verdict", "maybe")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "unknown verdict")
}

// TestPostgresRootAndHistoryE2E: a PostgreSQL library has no folder, so
// ids are relative to the current directory (or --root): importing a file
// and then its folder gives one asset; check --record and elib history
// work on it as on a directory.
func TestPostgresRootAndHistoryE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the elib binary and starts PostgreSQL")
	}
	pg := pgtest.Database(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"drafts/x.md": airfryerBody, "drafts/y.md": "【钩子】千万别再买漏水的保温杯了，通勤路上洒一包。\n"})
	env := []string{"ELIB_LIBRARY=" + pg, "ELIB_USER=小李"}
	_, stderr, code := runElib(t, dir, env, "init")
	require.Equal(t, 0, code, stderr)
	var imp struct {
		Replaced int      `json:"replaced"`
		IDs      []string `json:"ids"`
	}
	out, stderr, code := runElib(t, dir, env, "--format", "json", "import", "drafts/x.md")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &imp), out)
	assert.Equal(t, []string{"drafts/x.md"}, imp.IDs)
	out, stderr, code = runElib(t, dir, env, "--format", "json", "import", "drafts")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &imp), out)
	assert.ElementsMatch(t, []string{"drafts/x.md", "drafts/y.md"}, imp.IDs)
	assert.Equal(t, 1, imp.Replaced)
	// From elsewhere, --root names the same folder.
	out, stderr, code = runElib(t, filepath.Join(dir, "drafts"), env, "--format", "json", "import", "--root", "..", "x.md")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &imp), out)
	assert.Equal(t, []string{"drafts/x.md"}, imp.IDs)

	out, _, _ = runElib(t, dir, env, "--format", "json", "check", "--no-fatigue", "--record", "drafts/x.md")
	var chk checkJSON
	require.NoError(t, json.Unmarshal([]byte(out), &chk), out)
	require.Len(t, chk.Results, 1)
	assert.Equal(t, "drafts/x.md", chk.Results[0].AssetID)

	out, stderr, code = runElib(t, dir, env, "history")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "小李")
	assert.Contains(t, out, "drafts/x.md")
}

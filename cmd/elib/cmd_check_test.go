package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/longbridgeapp/opencc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// elibBinary builds the elib binary once per test process.
func elibBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "elib-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "elib")
		if runtime.GOOS == "windows" {
			builtBin += ".exe"
		}
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	require.NoError(t, buildErr)
	return builtBin
}

// runElib runs the binary in dir and returns stdout, stderr and exit code.
func runElib(t *testing.T, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(elibBinary(t), args...)
	cmd.Dir = dir
	// English unless a test says otherwise, whatever the machine's locale.
	cmd.Env = append(os.Environ(), "ELIB_LIBRARY=", "NO_COLOR=1", "LC_ALL=", "LC_MESSAGES=", "LANG=C.UTF-8")
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return stdout.String(), stderr.String(), code
}

func repoPath(t *testing.T, rel string) string {
	p, err := filepath.Abs(filepath.Join("..", "..", rel))
	require.NoError(t, err)
	return p
}

type checkJSON struct {
	Threshold float64 `json:"threshold"`
	Results   []struct {
		File        string  `json:"file"`
		AssetID     string  `json:"asset_id"`
		Duplication float64 `json:"duplication"`
		Verdict     string  `json:"verdict"`
		ReuseRate   float64 `json:"reuse_rate"`
		Elements    []struct {
			Type        string  `json:"type"`
			Start       int     `json:"start"`
			End         int     `json:"end"`
			Duplication float64 `json:"duplication"`
			Matches     []struct {
				ElementID   string  `json:"element_id"`
				AssetID     string  `json:"asset_id"`
				Type        string  `json:"type"`
				Similarity  float64 `json:"similarity"`
				Containment float64 `json:"containment"`
				Spans       []struct {
					Start, End   int
					LibraryStart int `json:"library_start"`
					LibraryEnd   int `json:"library_end"`
				} `json:"spans"`
			} `json:"matches"`
		} `json:"elements"`
	} `json:"results"`
	Errors []struct {
		File  string `json:"file"`
		Error string `json:"error"`
	} `json:"errors"`
}

func TestCheckEmbeddedSampleLibrary(t *testing.T) {
	dir := t.TempDir()
	repost := repoPath(t, "corpus/examples/repost.md")
	original := repoPath(t, "corpus/examples/original.md")
	boiler := repoPath(t, "corpus/examples/boilerplate-only.md")

	stdout, stderr, code := runElib(t, dir, nil, "check", "--format", "json", repost, original, boiler)
	require.Equal(t, 1, code, "one rejected input means exit 1; stderr: %s", stderr)
	assert.Contains(t, stderr, "embedded sample library")
	var got checkJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &got), stdout)
	require.Len(t, got.Results, 3)
	assert.Equal(t, 0.62, got.Threshold)
	byFile := map[string]string{}
	for _, r := range got.Results {
		byFile[filepath.Base(r.File)] = r.Verdict
		for _, e := range r.Elements {
			for _, m := range e.Matches {
				assert.NotEmpty(t, m.ElementID)
				for _, s := range m.Spans {
					assert.Less(t, s.Start, s.End)
					assert.LessOrEqual(t, s.End, e.End-e.Start, "spans are offsets into the element text")
					assert.Less(t, s.LibraryStart, s.LibraryEnd)
				}
			}
		}
	}
	assert.Equal(t, "reject", byFile["repost.md"])
	assert.Equal(t, "pass", byFile["original.md"])
	assert.Equal(t, "pass", byFile["boilerplate-only.md"], "allowlisted disclaimer and slogan do not count")

	// Text output names the verdict and marks spans without colour codes.
	stdout, _, code = runElib(t, dir, nil, "check", repost)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "REJECT")
	assert.Contains(t, stdout, "«")
	assert.NotContains(t, stdout, "\x1b[", "NO_COLOR and a pipe mean no ANSI codes")
}

func TestCheckTraditionalCopyIsRejected(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib")
	scripts := filepath.Join(dir, "scripts")
	require.NoError(t, os.MkdirAll(scripts, 0o755))
	src, err := os.ReadFile(repoPath(t, "corpus/library/digital/earbuds-02.txt"))
	if err != nil {
		entries, _ := filepath.Glob(repoPath(t, "corpus/library/*/*.txt"))
		require.NotEmpty(t, entries)
		src, err = os.ReadFile(entries[0])
		require.NoError(t, err)
	}
	require.NoError(t, os.WriteFile(filepath.Join(scripts, "source.txt"), src, 0o644))

	_, stderr, code := runElib(t, dir, nil, "--library", lib, "init")
	require.Equal(t, 0, code, stderr)
	_, stderr, code = runElib(t, dir, nil, "--library", lib, "import", scripts)
	require.Equal(t, 0, code, stderr)

	conv, err := opencc.New("s2twp")
	require.NoError(t, err)
	trad, err := conv.Convert(string(src))
	require.NoError(t, err)
	require.NotEqual(t, string(src), trad)
	copyPath := filepath.Join(dir, "copy-traditional.txt")
	require.NoError(t, os.WriteFile(copyPath, []byte(trad), 0o644))

	stdout, stderr, code := runElib(t, dir, nil, "--library", lib, "check", "--format", "json", copyPath)
	require.Equal(t, 1, code, "stdout %s stderr %s", stdout, stderr)
	var got checkJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	require.Len(t, got.Results, 1)
	assert.Equal(t, "reject", got.Results[0].Verdict)
	assert.Greater(t, got.Results[0].Duplication, 0.8)

	// Re-checking the imported file itself never matches itself.
	_, _, code = runElib(t, scripts, nil, "--library", lib, "check", "source.txt")
	assert.Equal(t, 0, code, "an imported file re-checked is recognised as itself")
	// Also from another directory, where its path-based id differs from
	// the id it was imported under.
	stdout, _, code = runElib(t, dir, nil, "--library", lib, "check", filepath.Join("scripts", "source.txt"))
	assert.Equal(t, 0, code, "the same file under another id is still itself: %s", stdout)
}

func TestCheckBadInputKeepsGoing(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	binary := filepath.Join(dir, "blob.md")
	require.NoError(t, os.WriteFile(binary, []byte{0x7f, 'E', 'L', 'F', 0, 0, 1, 2, 0xff, 0xfe, 0, 0}, 0o644))
	good := repoPath(t, "corpus/examples/original.md")

	stdout, stderr, code := runElib(t, dir, nil, "check", "--format", "json", empty, binary, good)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "empty.txt")
	assert.Contains(t, stderr, "blob.md")
	var got checkJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	require.Len(t, got.Results, 1, "the good input is still checked")
	assert.Len(t, got.Errors, 2)
}

func TestCheckCIFormats(t *testing.T) {
	dir := t.TempDir()
	repost := repoPath(t, "corpus/examples/repost.md")
	original := repoPath(t, "corpus/examples/original.md")

	stdout, _, code := runElib(t, dir, nil, "check", "--format", "junit", repost, original)
	assert.Equal(t, 1, code)
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	require.NoError(t, xml.Unmarshal([]byte(stdout), &suites), stdout)
	assert.Equal(t, 2, suites.Tests)
	assert.Equal(t, 1, suites.Failures)

	stdout, _, _ = runElib(t, dir, nil, "check", "--format", "sarif", repost)
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					Physical struct {
						Artifact struct{ URI string } `json:"artifactLocation"`
						Region   struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &sarif), stdout)
	assert.Equal(t, "2.1.0", sarif.Version)
	require.NotEmpty(t, sarif.Runs[0].Results)
	for _, r := range sarif.Runs[0].Results {
		assert.Equal(t, "elib/duplication", r.RuleID)
		assert.Greater(t, r.Locations[0].Physical.Region.StartLine, 1, "regions point at element lines, below the title")
	}

	stdout, _, _ = runElib(t, dir, nil, "check", "--format", "github", repost, original)
	assert.Contains(t, stdout, "::error file=")
	assert.Contains(t, stdout, "::notice file=")
}

func TestCheckChangedAndHook(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := t.TempDir()
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@e", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@e")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	git("init", "-q", "-b", "main")
	orig, err := os.ReadFile(repoPath(t, "corpus/examples/original.md"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(repo, "old.md"), orig, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(repo, "notes.log"), []byte("not a script"), 0o644))
	git("add", ".")
	git("commit", "-qm", "first")
	repost, err := os.ReadFile(repoPath(t, "corpus/examples/repost.md"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(repo, "new.md"), repost, 0o644))

	stdout, stderr, code := runElib(t, repo, nil, "check", "--changed", "--format", "json")
	require.Equal(t, 1, code, stderr)
	var got checkJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	require.Len(t, got.Results, 1, "only the untracked new script, not old.md or notes.log")
	assert.Equal(t, "new.md", got.Results[0].AssetID)

	// A committed change on a branch, checked against main with either
	// flag spelling, limited by a path.
	git("checkout", "-q", "-b", "feature")
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "drafts"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo, "drafts", "copy.md"), repost, 0o644))
	git("add", ".")
	git("commit", "-qm", "drafts")
	for _, args := range [][]string{
		{"check", "--changed=main", "--format", "json", "drafts"},
		{"check", "--changed", "main", "--format", "json", "drafts"},
	} {
		stdout, stderr, code = runElib(t, repo, nil, args...)
		require.Equal(t, 1, code, "%v: %s", args, stderr)
		var got checkJSON
		require.NoError(t, json.Unmarshal([]byte(stdout), &got))
		require.Len(t, got.Results, 1, "%v: only drafts/, not the untracked new.md", args)
		assert.Equal(t, "drafts/copy.md", got.Results[0].AssetID)
	}

	stdout, stderr, code = runElib(t, repo, nil, "hook", "install")
	require.Equal(t, 0, code, stderr)
	hook, err := os.ReadFile(filepath.Join(repo, ".git", "hooks", "pre-commit"))
	require.NoError(t, err)
	assert.Contains(t, string(hook), "check --changed")
	assert.True(t, strings.HasPrefix(string(hook), "#!/bin/sh"))
	assert.Contains(t, stdout, "pre-commit")
}

func TestCheckCrossFindsTwinDrafts(t *testing.T) {
	dir := t.TempDir()
	orig, err := os.ReadFile(repoPath(t, "corpus/examples/original.md"))
	require.NoError(t, err)
	a := filepath.Join(dir, "draft-a.md")
	b := filepath.Join(dir, "draft-b.md")
	require.NoError(t, os.WriteFile(a, orig, 0o644))
	twin := strings.Replace(string(orig), "三伏天", "大夏天", 1)
	require.NoError(t, os.WriteFile(b, []byte(twin), 0o644))

	_, _, code := runElib(t, dir, nil, "check", a, b)
	assert.Equal(t, 0, code, "each draft alone is original against the library")

	stdout, _, code := runElib(t, dir, nil, "check", "--cross", "--format", "json", a, b)
	assert.Equal(t, 1, code, "with --cross the two drafts duplicate each other")
	var got checkJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	require.Len(t, got.Results, 2)
	for _, r := range got.Results {
		assert.Equal(t, "reject", r.Verdict, r.File)
		for _, e := range r.Elements {
			for _, m := range e.Matches {
				assert.NotEqual(t, r.AssetID, m.AssetID, "never matched against itself")
			}
		}
	}
}

func TestDictDirOverride(t *testing.T) {
	dir := t.TempDir()
	script := repoPath(t, "corpus/examples/original.md")
	_, stderr, code := runElib(t, dir, nil, "--dict-dir", filepath.Join(dir, "missing"), "split", script)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "jieba.dict.utf8", "the error names the missing dictionary")

	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	require.NoError(t, err)
	dict := filepath.Join(strings.TrimSpace(string(out)), "github.com", "yanyiwu", "gojieba@v1.4.6", "deps", "cppjieba", "dict")
	if _, err := os.Stat(dict); err != nil {
		t.Skip("gojieba's own dictionaries are not in the module cache")
	}
	stdout, stderr, code := runElib(t, dir, nil, "--dict-dir", dict, "split", "--format", "json", script)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, `"copy_verbs"`)
	_, stderr, code = runElib(t, dir, []string{"ELIB_DICT_DIR=" + filepath.Join(dir, "missing")}, "split", script)
	assert.Equal(t, 2, code, "ELIB_DICT_DIR is honoured: %s", stderr)
}

func TestFormatJSONEverywhere(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib")
	for _, args := range [][]string{
		{"init"},
		{"import", repoPath(t, "corpus/library/beauty")},
		{"allowlist", "add", "以上为个人真实使用感受"},
		{"allowlist", "list"},
		{"stats"},
		{"search", "精华"},
		{"split", repoPath(t, "corpus/examples/original.md")},
		{"check", repoPath(t, "corpus/examples/original.md")},
	} {
		stdout, stderr, code := runElib(t, dir, nil, append([]string{"--library", lib, "--format", "json"}, args...)...)
		require.Equal(t, 0, code, "%v: %s", args, stderr)
		assert.True(t, json.Valid([]byte(stdout)), "%v prints JSON: %s", args, stdout)
	}
}

// TestCheckThresholdZero: --threshold 0 means 0 (anything copied is
// rejected) on the CLI and the server alike — `elib serve --threshold 0`
// and POST /v1/check's "threshold": 0 — never the default; collage.md is
// 55.6 % copied, so the default 62 % passes it.
func TestCheckThresholdZero(t *testing.T) {
	collage := repoPath(t, "corpus/examples/collage.md")
	verdict := func(t *testing.T, body string) string {
		t.Helper()
		var got checkJSON
		require.NoError(t, json.Unmarshal([]byte(body), &got), body)
		require.Len(t, got.Results, 1)
		return got.Results[0].Verdict
	}
	t.Run("cli", func(t *testing.T) {
		stdout, stderr, code := runElib(t, t.TempDir(), nil, "check", "--sample", "--format", "json", "--threshold", "0", collage)
		require.Equal(t, 1, code, "stdout %s stderr %s", stdout, stderr)
		assert.Equal(t, "reject", verdict(t, stdout))
		stdout, stderr, code = runElib(t, t.TempDir(), nil, "check", "--sample", "--format", "json", collage)
		require.Equal(t, 0, code, "stdout %s stderr %s", stdout, stderr)
		assert.Equal(t, "pass", verdict(t, stdout), "the default threshold passes it")
		_, stderr, code = runElib(t, t.TempDir(), nil, "check", "--sample", "--threshold", "1.5", collage)
		assert.Equal(t, 2, code)
		assert.Contains(t, stderr, "between 0 and 1")
	})
	text, err := os.ReadFile(collage)
	require.NoError(t, err)
	post := func(t *testing.T, base, extra string) string {
		t.Helper()
		status, body := httpDo(t, "POST", base+"/v1/check", `{"id":"collage.md","format":"md","text":`+quoteJSON(string(text))+extra+`}`)
		require.Equal(t, http.StatusOK, status, body)
		return body
	}
	t.Run("serve --threshold 0", func(t *testing.T) {
		t.Chdir(t.TempDir())
		t.Setenv("ELIB_LIBRARY", "")
		g := &globalOptions{stdout: io.Discard, stderr: io.Discard}
		base, _ := serveInProcess(t, g, serveOptions{threshold: 0, maxBody: 1 << 20})
		assert.Equal(t, "reject", verdict(t, post(t, base, "")))
		assert.Equal(t, "pass", verdict(t, post(t, base, `,"threshold":0.62`)))
	})
	t.Run("request threshold 0", func(t *testing.T) {
		t.Chdir(t.TempDir())
		t.Setenv("ELIB_LIBRARY", "")
		g := &globalOptions{stdout: io.Discard, stderr: io.Discard}
		base, _ := serveInProcess(t, g, serveOptions{threshold: check.DefaultThreshold, maxBody: 1 << 20})
		assert.Equal(t, "pass", verdict(t, post(t, base, "")))
		assert.Equal(t, "reject", verdict(t, post(t, base, `,"threshold":0`)))
	})
	t.Run("serve --threshold 1.5", func(t *testing.T) {
		g := &globalOptions{stdout: io.Discard, stderr: io.Discard}
		err := runServe(context.Background(), g, serveOptions{threshold: 1.5, maxBody: 1 << 20})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "between 0 and 1")
	})
}

// TestMemoryLibraryFromTheCLI: `--library memory:` is a new, empty library
// for the command's lifetime; reading commands open it without loading a
// fingerprint engine and answer as for any empty library.
func TestMemoryLibraryFromTheCLI(t *testing.T) {
	collage := repoPath(t, "corpus/examples/collage.md")
	stdout, stderr, code := runElib(t, t.TempDir(), nil, "--library", "memory:", "check", "--format", "json", collage)
	require.Equal(t, 0, code, "stdout %s stderr %s", stdout, stderr)
	var got checkJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &got), stdout)
	require.Len(t, got.Results, 1)
	assert.Equal(t, "pass", got.Results[0].Verdict)
	assert.Zero(t, got.Results[0].Duplication)

	stdout, stderr, code = runElib(t, t.TempDir(), nil, "--library", "memory:", "stats", "--format", "json")
	require.Equal(t, 0, code, "stdout %s stderr %s", stdout, stderr)
	assert.Contains(t, stdout, `"assets": 0`)
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// interruptGrace is how long a signalled command may take to stop: the
// issue asks for one second; the rest is room for a loaded test machine.
const interruptGrace = 2 * time.Second

// TestInterruptStopsAtOnce: SIGTERM stops a long check, reindex or import
// of the built binary within a second or so, with one line on stderr and
// no report, never one line per file left; the library still opens and
// holds what it held.
func TestInterruptStopsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a library of thousands of assets")
	}
	work := t.TempDir()
	texts := corpusTexts(t)
	variant := func(i int) string {
		return fmt.Sprintf("第%d期：%s", i, texts[i%len(texts)])
	}
	writeJSONL := func(name string, from, n int) string {
		var b bytes.Buffer
		for i := from; i < from+n; i++ {
			line, err := json.Marshal(map[string]string{"id": fmt.Sprintf("gen/%05d", i), "title": fmt.Sprintf("稿件 %d", i), "text": variant(i)})
			require.NoError(t, err)
			b.Write(line)
			b.WriteByte('\n')
		}
		path := filepath.Join(work, name)
		require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
		return path
	}
	lib := filepath.Join(work, "lib")
	_, stderr, code := runElib(t, work, nil, "--library", lib, "init")
	require.Equal(t, 0, code, stderr)
	_, stderr, code = runElib(t, work, nil, "--library", lib, "import", writeJSONL("base.jsonl", 0, 4000))
	require.Equal(t, 0, code, stderr)
	assets := func() int {
		out, stderr, code := runElib(t, work, nil, "--library", lib, "stats", "--format", "json")
		require.Equal(t, 0, code, "the library opens after the interruption: %s", stderr)
		var st struct{ Assets int }
		require.NoError(t, json.Unmarshal([]byte(out), &st), out)
		return st.Assets
	}
	require.Equal(t, 4000, assets())

	files := filepath.Join(work, "drafts")
	require.NoError(t, os.Mkdir(files, 0o755))
	for i := 0; i < 8000; i++ {
		require.NoError(t, os.WriteFile(filepath.Join(files, fmt.Sprintf("d%05d.txt", i)), []byte(variant(i)), 0o644))
	}
	more := writeJSONL("more.jsonl", 4000, 20000)

	for _, tc := range []struct {
		name  string
		args  []string
		after time.Duration // into the run, past reading the inputs on this machine
	}{
		{"check", []string{"check", "drafts"}, 4 * time.Second},
		{"check json", []string{"--format", "json", "check", "drafts"}, 4 * time.Second},
		{"reindex", []string{"reindex"}, 2 * time.Second},
		{"import", []string{"import", more}, 1500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := elibCmd(t, ctx, work, append([]string{"--library", lib}, tc.args...)...)
			cmd.Env = append(cmd.Env, "LC_ALL=", "LC_MESSAGES=", "LANG=C.UTF-8")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())
			time.Sleep(tc.after)
			start := time.Now()
			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			err := cmd.Wait()
			took := time.Since(start)
			t.Logf("stopped %v after SIGTERM; stderr %q", took, stderr.String())
			if code := exitCode(err); code == 0 || code == 1 {
				t.Skipf("%s finished before the signal (exit %d): the machine is faster than this test assumes", tc.name, code)
			}
			assert.Less(t, took, interruptGrace)
			assert.Equal(t, 2, exitCode(err))
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			assert.Len(t, lines, 1, "one line, not one per file left")
			assert.Contains(t, lines[0], "elib: interrupted")
			assert.NotContains(t, stdout.String(), "checked,", "no report of a run cut short")
			if tc.name == "import" {
				assert.GreaterOrEqual(t, assets(), 4000, "batches committed before the signal stay")
			} else {
				assert.Equal(t, 4000, assets())
			}
		})
	}
}

// corpusTexts are the sample library's script texts.
func corpusTexts(t *testing.T) []string {
	t.Helper()
	var texts []string
	root := repoPath(t, "corpus/library")
	require.NoError(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".txt") || strings.HasSuffix(path, ".md")) {
			return err
		}
		data, err := os.ReadFile(path)
		texts = append(texts, strings.ReplaceAll(string(data), "\n", " "))
		return err
	}))
	require.NotEmpty(t, texts)
	return texts
}

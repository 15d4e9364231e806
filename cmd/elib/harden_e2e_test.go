package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/api"
	"elib/element"
	"elib/index"
)

// Issue 15: no file or input can hang the CLI, exhaust its memory or
// silently lose an asset. Each test runs the built binary as a user does.

// elibCmd is the binary with a clean environment, run in dir.
func elibCmd(t *testing.T, ctx context.Context, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, elibBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ELIB_LIBRARY=", "NO_COLOR=1")
	return cmd
}

// exitCode of a finished command.
func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// Finding 6: a named pipe is refused at once (check) and skipped, with a
// message, inside an imported directory; the other files still import.
func TestHardenFIFO(t *testing.T) {
	work := t.TempDir()
	fifo := filepath.Join(work, "fifo.txt")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := elibCmd(t, ctx, work, "check", "--format", "json", "fifo.txt")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "check blocked on a named pipe")
	assert.Equal(t, 2, exitCode(err))
	assert.Contains(t, stderr.String(), "fifo.txt: not a regular file (a named pipe)")

	lib := filepath.Join(work, "lib")
	dir := filepath.Join(work, "scripts")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "f.md"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ok.md"), []byte("【钩子】你是不是还在为皮肤干燥烦恼\n【转化】点击链接立减五十元\n"), 0o644))
	_, se, code := runElib(t, work, nil, "--library", lib, "init")
	require.Equal(t, 0, code, se)
	stdout.Reset()
	stderr.Reset()
	cmd = elibCmd(t, ctx, work, "--library", lib, "import", "--format", "json", "scripts")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	require.NoError(t, ctx.Err(), "import blocked on a named pipe")
	require.NoError(t, err, stderr.String())
	assert.Contains(t, stderr.String(), "scripts/f.md: skipped: not a regular file (a named pipe)")
	var rep api.Import
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep))
	assert.Equal(t, 1, rep.Imported)
}

// Finding 8 (symlink): a symlinked directory given to import is followed;
// one inside a walked directory is reported, not silently ignored.
func TestHardenSymlinkedDirectory(t *testing.T) {
	work := t.TempDir()
	real := filepath.Join(work, "real")
	require.NoError(t, os.MkdirAll(real, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(real, "a.md"), []byte("【钩子】露营的时候千万别忘了带这盏折叠营地灯\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(work, "outer"), 0o755))
	require.NoError(t, os.Symlink(real, filepath.Join(work, "link")))
	require.NoError(t, os.Symlink(real, filepath.Join(work, "outer", "inner")))
	lib := filepath.Join(work, "lib")
	_, se, code := runElib(t, work, nil, "--library", lib, "init")
	require.Equal(t, 0, code, se)
	out, se, code := runElib(t, work, nil, "--library", lib, "import", "--format", "json", "link")
	require.Equal(t, 0, code, se)
	var rep api.Import
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, 1, rep.Imported, "the symlinked directory argument is followed")
	_, se, _ = runElib(t, work, nil, "--library", lib, "import", "outer")
	assert.Contains(t, se, "outer/inner: skipped: symbolic link to a directory, not followed")
}

// Finding 5: stdin is read through the limit: an endless stdin ends in
// "input too large" without reading it all; and Ctrl-C ends a check that
// waits for stdin.
func TestHardenStdin(t *testing.T) {
	work := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := elibCmd(t, ctx, work, "check", "-")
	cmd.Stdin = zeroReader{}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "check - read an endless stdin")
	assert.Equal(t, 2, exitCode(err))
	assert.Contains(t, stdout.String(), "-: input too large: over 67108864 bytes on stdin")

	// Ctrl-C while waiting for stdin.
	cmd = elibCmd(t, ctx, work, "check", "-")
	w := mustPipeStdin(t, cmd)
	defer w.Close()
	require.NoError(t, cmd.Start())
	time.Sleep(time.Second)
	start := time.Now()
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err = cmd.Wait()
	assert.Less(t, time.Since(start), 10*time.Second, "SIGINT ends a check waiting on stdin")
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		// On a busy machine the signal can arrive before elib installed
		// its handler: the default action ends it just as well.
		assert.Equal(t, syscall.SIGINT, ws.Signal())
	} else {
		assert.Equal(t, 2, exitCode(err))
	}
}

// mustPipeStdin gives cmd a stdin pipe that never sends anything.
func mustPipeStdin(t *testing.T, cmd *exec.Cmd) io.Closer {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stdin = r
	t.Cleanup(func() { r.Close() })
	return w
}

// zeroReader is /dev/zero.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Finding 9: 20 MB of one letter on stdin is refused by the per-asset
// character limit with memory linear in the input (it took gigabytes).
func TestHardenLongInputMemory(t *testing.T) {
	work := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := elibCmd(t, ctx, work, "check", "-")
	cmd.Stdin = strings.NewReader(strings.Repeat("a", 20_000_000))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err())
	assert.Equal(t, 2, exitCode(err))
	assert.Contains(t, stdout.String(), "stdin.txt: over the limit: 20000000 characters in one txt asset (at most 50000 characters of copy text per asset")
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	t.Logf("peak RSS %d MB", ru.Maxrss>>10)
	assert.Less(t, ru.Maxrss>>10, int64(700), "peak RSS in MB for 20 MB of input")
}

// Finding 4: a file name that is not valid UTF-8 is refused with a clear
// error; the other files import, and a reindex keeps every asset.
func TestHardenInvalidUTF8FileName(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "scripts")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "\xff\xfe.txt"), []byte("【钩子】你是不是还在为皮肤干燥烦恼\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("【钩子】今天给大家推荐一款好用的洗面奶\n"), 0o644))
	lib := filepath.Join(work, "lib")
	_, se, code := runElib(t, work, nil, "--library", lib, "init")
	require.Equal(t, 0, code, se)
	out, se, code := runElib(t, work, nil, "--library", lib, "import", "--format", "json", "scripts")
	assert.Equal(t, 2, code)
	// The id is the path relative to the folder holding the library.
	assert.Contains(t, se, `invalid asset id "scripts/\xff\xfe.txt": not valid UTF-8`)
	var rep api.Import
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, 1, rep.Imported)

	_, se, code = runElib(t, work, nil, "--library", lib, "reindex", "--no-progress")
	require.Equal(t, 0, code, se)
	out, _, code = runElib(t, work, nil, "--library", lib, "stats", "--format", "json")
	require.Equal(t, 0, code)
	var st api.Stats
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	assert.Equal(t, 1, st.Assets)

	// check and split apply the same rule.
	_, se, code = runElib(t, work, nil, "split", "scripts")
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "not valid UTF-8")
}

// Finding 1: deep meta is refused when parsed, naming file and line, so
// split never prints a quadratic reply.
func TestHardenDeepMeta(t *testing.T) {
	work := t.TempDir()
	deep := strings.Repeat(`{"a":`, 9000) + "1" + strings.Repeat("}", 9000)
	data := "[\n{\"id\":\"ok\",\"text\":\"你好\"},\n{\"id\":\"d\",\"meta\":" + deep + ",\"text\":\"点击链接\"}\n]\n"
	require.NoError(t, os.WriteFile(filepath.Join(work, "deep.json"), []byte(data), 0o644))
	out, se, code := runElib(t, work, nil, "split", "--format", "json", "deep.json")
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "deep.json:3: asset 2: over the limit: meta nests 9000 levels deep (limit 8)")
	assert.Less(t, len(out), 4096, "the reply stays small")
	_, err := element.Parse("deep.json", []byte(data), element.ParseOptions{})
	assert.ErrorIs(t, err, element.ErrLimit)
}

// Finding 8: serve refuses short tokens and a non-loopback bind without a
// token (unless --public); /v1/info names the library, not its path.
func TestHardenServeOptions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "secret-place", "lib")
	require.NoError(t, index.Init(dir))
	ctx := context.Background()
	g := &globalOptions{library: dir, stdout: io.Discard, stderr: io.Discard}
	err := runServe(ctx, g, serveOptions{token: "short", threshold: 0.62, addr: "127.0.0.1:0"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ELIB_TOKEN is 5 characters: use at least 16")
	err = runServe(ctx, g, serveOptions{threshold: 0.62, addr: "0.0.0.0:0"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--addr 0.0.0.0:0 listens beyond this machine without ELIB_TOKEN")
	err = runServe(ctx, g, serveOptions{threshold: 0.62, addr: ":0"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pass --public")

	base, _ := serveInProcess(t, g, serveOptions{threshold: 0.62, maxBody: 1 << 20})
	status, body := httpDo(t, "GET", base+"/v1/info", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"library": "library lib"`)
	assert.NotContains(t, body, "secret-place")
}

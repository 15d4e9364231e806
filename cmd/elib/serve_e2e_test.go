package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeFollowsImportsOfOtherProcesses runs `elib serve` without a token
// (the library opened read-only) and `elib import` in another process, as
// a team does: the running server finds the new element within seconds.
func TestServeFollowsImportsOfOtherProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	work := t.TempDir()
	lib := filepath.Join(work, "lib")
	scripts := filepath.Join(work, "scripts")
	require.NoError(t, os.MkdirAll(scripts, 0o755))
	first := "# 降噪耳塞\n【钩子】你是不是也被楼上装修的电钻声吵得整晚睡不着？\n【证言】我戴了这副降噪耳塞三个晚上，亲测一觉睡到天亮。\n"
	second := "# 折叠营地灯\n【钩子】露营的时候千万别忘了带这盏折叠营地灯，充一次电能亮整整七个晚上。\n【转化】点击左下角链接下单，今晚直播间第二盏半价，限时两小时。\n"
	require.NoError(t, os.WriteFile(filepath.Join(scripts, "earplugs.md"), []byte(first), 0o644))

	_, stderr, code := runElib(t, work, nil, "--library", lib, "init")
	require.Equal(t, 0, code, stderr)
	_, stderr, code = runElib(t, work, nil, "--library", lib, "import", "scripts/earplugs.md")
	require.Equal(t, 0, code, stderr)

	cmd := exec.Command(elibBinary(t), "--library", lib, "serve", "--addr", "127.0.0.1:0")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "ELIB_LIBRARY=", "ELIB_TOKEN=", "NO_COLOR=1")
	pipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(pipe)
	addrRe := regexp.MustCompile(`on http://([0-9.:]+)`)
	var base string
	for sc.Scan() {
		if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
			require.Contains(t, sc.Text(), "writes disabled")
			base = "http://" + m[1]
			break
		}
	}
	require.NotEmpty(t, base, "serving line on stderr")
	// Keep reading the server's log so it never blocks on a full pipe.
	logc := make(chan string, 1)
	go func() {
		var b strings.Builder
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
		}
		logc <- b.String()
	}()

	elementURL := base + "/v1/elements/" + url.PathEscape("scripts/lamp.md#1")
	status, body := httpDo(t, "GET", elementURL, "")
	require.Equal(t, http.StatusNotFound, status, body)

	require.NoError(t, os.WriteFile(filepath.Join(scripts, "lamp.md"), []byte(second), 0o644))
	_, stderr, code = runElib(t, work, nil, "--library", lib, "import", "scripts/lamp.md")
	require.Equal(t, 0, code, "import while the read-only server runs; stderr: %s", stderr)
	imported := time.Now()

	deadline := imported.Add(15 * time.Second)
	for {
		if status, _ = httpDo(t, "GET", elementURL, ""); status == http.StatusOK {
			break
		}
		require.False(t, time.Now().After(deadline), "the server did not find scripts/lamp.md#1 within 15 s (last status %d)", status)
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the server found the imported element %v after the import", time.Since(imported).Round(time.Millisecond))

	status, body = httpDo(t, "POST", base+"/v1/check", `{"text":`+quoteJSON(second)+`,"id":"draft.md"}`)
	require.Equal(t, http.StatusOK, status, body)
	var res checkJSON
	require.NoError(t, json.Unmarshal([]byte(body), &res), body)
	require.Len(t, res.Results, 1)
	assert.Equal(t, "reject", res.Results[0].Verdict)
	var sources []string
	for _, e := range res.Results[0].Elements {
		for _, m := range e.Matches {
			sources = append(sources, m.AssetID)
		}
	}
	assert.Contains(t, sources, "scripts/lamp.md")

	status, body = httpDo(t, "GET", base+"/healthz", "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"assets": 2`)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	logs := <-logc // read to the end before Wait closes the pipe
	require.NoError(t, cmd.Wait(), "exit status after SIGTERM")
	assert.Contains(t, logs, "library refreshed")
	assert.Contains(t, logs, "server stopped")
}

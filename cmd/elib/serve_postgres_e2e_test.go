package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/library/postgres/pgtest"
)

// startServe runs `elib serve` on lib and returns its base URL.
func startServe(t *testing.T, work, lib string) string {
	t.Helper()
	cmd := exec.Command(elibBinary(t), "--library", lib, "serve", "--addr", "127.0.0.1:0")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "ELIB_LIBRARY=", "ELIB_TOKEN=", "NO_COLOR=1")
	pipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(pipe)
	addrRe := regexp.MustCompile(`on http://([0-9.:]+)`)
	for sc.Scan() {
		if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				for sc.Scan() {
				}
			}()
			return "http://" + m[1]
		}
	}
	t.Fatal("no serving line on stderr")
	return ""
}

// TestServeTwoServersOnPostgres: two `elib serve` processes share one
// PostgreSQL library; an import by a third process is visible to checks on
// both at once; a database restart fails checks in flight with 503, and
// both servers recover without a restart.
func TestServeTwoServersOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts PostgreSQL")
	}
	srv, err := pgtest.Start(pgtest.Skip(t))
	require.NoError(t, err)
	defer srv.Close()
	lib, err := srv.NewDatabase(context.Background(), "serve")
	require.NoError(t, err)
	work := t.TempDir()
	first := "# 降噪耳塞\n【钩子】你是不是也被楼上装修的电钻声吵得整晚睡不着？\n【证言】我戴了这副降噪耳塞三个晚上，亲测一觉睡到天亮。\n"
	second := "# 折叠营地灯\n【钩子】露营的时候千万别忘了带这盏折叠营地灯，充一次电能亮整整七个晚上。\n【转化】点击左下角链接下单，今晚直播间第二盏半价，限时两小时。\n"
	require.NoError(t, os.WriteFile(filepath.Join(work, "earplugs.md"), []byte(first), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(work, "lamp.md"), []byte(second), 0o644))
	_, se, code := runElib(t, work, nil, "--library", lib, "init")
	require.Equal(t, 0, code, se)
	_, se, code = runElib(t, work, nil, "--library", lib, "import", "earplugs.md")
	require.Equal(t, 0, code, se)

	servers := []string{startServe(t, work, lib), startServe(t, work, lib)}
	verdict := func(base string) (int, string) {
		status, body := httpDo(t, "POST", base+"/v1/check", `{"text":`+quoteJSON(second)+`,"id":"draft.md"}`)
		if status != http.StatusOK {
			return status, body
		}
		var res checkJSON
		require.NoError(t, json.Unmarshal([]byte(body), &res), body)
		require.Len(t, res.Results, 1)
		return status, res.Results[0].Verdict
	}
	for _, base := range servers {
		_, v := verdict(base)
		assert.Equal(t, "pass", v)
	}
	_, se, code = runElib(t, work, nil, "--library", lib, "import", "lamp.md")
	require.Equal(t, 0, code, se)
	for _, base := range servers {
		_, v := verdict(base)
		assert.Equal(t, "reject", v, "the import is visible at once on %s", base)
	}

	srv.Stop()
	status, body := verdict(servers[0])
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
	require.NoError(t, srv.Restart())
	for _, base := range servers {
		status, v := verdict(base)
		assert.Equal(t, http.StatusOK, status, v)
		assert.Equal(t, "reject", v)
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"net/url"
	"os"

	"elib/index"
	"elib/library/postgres/pgtest"
)

// serveInProcess runs runServe on a loopback listener until the test ends.
func serveInProcess(t *testing.T, g *globalOptions, opts serveOptions) (base string, done <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	opts.listener = ln
	opts.ready = func(net.Addr) { close(ready) }
	errc := make(chan error, 1)
	go func() { errc <- runServe(ctx, g, opts) }()
	select {
	case <-ready:
	case err := <-errc:
		cancel()
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("server did not start")
	}
	t.Cleanup(cancel)
	return "http://" + ln.Addr().String(), errc
}

func httpDo(t *testing.T, method, url, body string, hdr ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeLibraryWithToken(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, index.Init(dir))
	var stderr bytes.Buffer
	g := &globalOptions{library: dir, stdout: io.Discard, stderr: &stderr}
	base, done := serveInProcess(t, g, serveOptions{token: testToken, threshold: 0.62, maxBody: 1 << 20})

	status, body := httpDo(t, "GET", base+"/healthz", "")
	require.Equal(t, http.StatusOK, status, body)
	script := "【钩子】你是不是也被楼上装修的电钻声吵得整晚睡不着？\n【证言】我戴了这副降噪耳塞三个晚上，亲测一觉睡到天亮。"
	status, body = httpDo(t, "POST", base+"/v1/import", `{"id":"a.txt","text":`+quoteJSON(script)+`}`, "Authorization", "Bearer "+testToken)
	require.Equal(t, http.StatusOK, status, body)
	status, body = httpDo(t, "POST", base+"/v1/check", `{"text":`+quoteJSON(script)+`}`)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"verdict": "reject"`)
	assert.Contains(t, body, `"asset_id": "a.txt"`)
	status, _ = httpDo(t, "POST", base+"/v1/import", `{"id":"b.txt","text":"x"}`, "Authorization", "Bearer nope")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, stderr.String(), "writes enabled")
	_ = done
}

func TestServeSampleReadOnly(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("ELIB_LIBRARY", "")
	var stderr bytes.Buffer
	g := &globalOptions{stdout: io.Discard, stderr: &stderr}
	base, _ := serveInProcess(t, g, serveOptions{token: testToken, threshold: 0.62, maxBody: 1 << 20})
	assert.Contains(t, stderr.String(), "sample library")
	status, body := httpDo(t, "GET", base+"/v1/info", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"sample": true`)
	status, body = httpDo(t, "POST", base+"/v1/import", `{"id":"x.txt","text":"一段新的文案内容"}`, "Authorization", "Bearer "+testToken)
	assert.Equal(t, http.StatusForbidden, status, body)
}

func TestServeNamedLibraryMissing(t *testing.T) {
	g := &globalOptions{library: filepath.Join(t.TempDir(), "none"), stdout: io.Discard, stderr: io.Discard}
	err := runServe(context.Background(), g, serveOptions{threshold: 0.62})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no library at")
}

// TestServeBinarySIGTERM builds elib, serves, and stops it with SIGTERM:
// the process exits 0 after a graceful shutdown.
func TestServeBinarySIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := elibBinary(t)
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--sample")
	cmd.Dir = t.TempDir()
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(stderr)
	addrRe := regexp.MustCompile(`http://([0-9.:]+)`)
	var base string
	for sc.Scan() {
		if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
			base = "http://" + m[1]
			break
		}
	}
	require.NotEmpty(t, base, "serving line on stderr")
	status, body := httpDo(t, "POST", base+"/v1/check", `{"text":"【钩子】一段全新的原创文案，和库里的都不一样。"}`)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"verdict": "pass"`)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	rest, _ := io.ReadAll(stderr)
	require.NoError(t, cmd.Wait(), "exit status after SIGTERM")
	assert.Contains(t, string(rest), "server stopped")
}

func quoteJSON(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// testToken is an ELIB_TOKEN of the minimum length.
const testToken = "tok-0123456789ab"

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
	addrRe := regexp.MustCompile(`http://([0-9.:]+)`)
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

// startServe runs `elib serve` on lib and returns its base URL.
func startServe(t *testing.T, work, lib string, args ...string) string {
	t.Helper()
	cmd := exec.Command(elibBinary(t), append([]string{"--library", lib, "serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "ELIB_LIBRARY=", "ELIB_TOKEN=", "NO_COLOR=1")
	pipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(pipe)
	addrRe := regexp.MustCompile(`http://([0-9.:]+)`)
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

	// Polling is off in effect (--refresh 1h): the allowlist change below
	// reaches the servers only through LISTEN/NOTIFY.
	servers := []string{startServe(t, work, lib, "--refresh", "1h"), startServe(t, work, lib, "--refresh", "1h")}
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

	// An allowlist edit by another process is announced (NOTIFY) and both
	// servers, their listeners reconnected after the restart, drop their
	// checkers: the lamp's sentences become boilerplate and the copy passes.
	_, se, code = runElib(t, work, nil, "--library", lib, "allowlist", "add",
		"露营的时候千万别忘了带这盏折叠营地灯，充一次电能亮整整七个晚上。",
		"点击左下角链接下单，今晚直播间第二盏半价，限时两小时。")
	require.Equal(t, 0, code, se)
	for _, base := range servers {
		assert.Eventually(t, func() bool {
			status, v := verdict(base)
			return status == http.StatusOK && v == "pass"
		}, 15*time.Second, 100*time.Millisecond, "the allowlist edit reaches %s without polling", base)
	}
}

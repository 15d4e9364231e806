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

	"elib/index"
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
	addrRe := regexp.MustCompile(`on http://([0-9.:]+)`)
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

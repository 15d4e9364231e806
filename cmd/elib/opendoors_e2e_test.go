package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/index"
	"elib/media/synth"
)

// Issue 20, medium 4: a committed file named like a URL is read as the
// local file by `elib split .` and `elib check`, and no request leaves.
func TestURLFileNameStaysAFile(t *testing.T) {
	for _, tool := range []string{"ffmpeg", "ffprobe", "bpm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIP: %s not found — install the Debian packages ffmpeg and bpm-tools", tool)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var requests atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			requests.Add(1)
			c.Close()
		}
	}()
	dir := t.TempDir()
	name := fmt.Sprintf("http:%s?x.mp4", ln.Addr())
	require.NoError(t, synth.Make(context.Background(), "ffmpeg", filepath.Join(dir, name), synth.Spec{Width: 160, Height: 90, BPM: 120,
		Segments: []synth.Segment{{Camera: element.CameraStatic, Seconds: 2, Text: "【钩子】本地文件的文案"}}}))
	stdout, stderr, code := runElib(t, dir, nil, "split", "--format", "json", ".")
	require.Equal(t, 0, code, "%s\n%s", stdout, stderr)
	assert.Contains(t, stdout, "本地文件的文案")
	stdout, stderr, code = runElib(t, dir, nil, "check", "--format", "json", name)
	assert.NotContains(t, stdout+stderr, "Connection refused")
	assert.Zero(t, requests.Load(), "ffmpeg sent a request to the URL the file name spells (exit %d: %s %s)", code, stdout, stderr)

	// The limits are flags, named in the error with the file.
	stdout, stderr, code = runElib(t, dir, nil, "split", "--media-max-duration", "1s", name)
	assert.NotEqual(t, 0, code)
	assert.Contains(t, stdout+stderr, name)
	assert.Contains(t, stdout+stderr, "over 1s")
}

// Issue 20, medium 6: --private (and any bind beyond loopback with a
// token) requires the token everywhere but /healthz and the page.
func TestServePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, index.Init(dir))
	g := &globalOptions{library: dir, stdout: io.Discard, stderr: io.Discard}
	err := runServe(context.Background(), g, serveOptions{threshold: 0.62, private: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--private needs ELIB_TOKEN")

	base, _ := serveInProcess(t, g, serveOptions{token: testToken, threshold: 0.62, private: true})
	status, _ := httpDo(t, "GET", base+"/v1/info", "")
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _ = httpDo(t, "GET", base+"/v1/info", "", "Authorization", "Bearer "+testToken)
	assert.Equal(t, http.StatusOK, status)
	status, _ = httpDo(t, "GET", base+"/healthz", "")
	assert.Equal(t, http.StatusOK, status)

	// Beyond loopback with a token: private without the flag.
	dir2 := filepath.Join(t.TempDir(), "lib2")
	require.NoError(t, index.Init(dir2))
	g = &globalOptions{library: dir2, stdout: io.Discard, stderr: io.Discard}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- runServe(ctx, g, serveOptions{token: testToken, threshold: 0.62, addr: "0.0.0.0:0", ready: func(a net.Addr) { addrc <- a }})
	}()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	port := addr.(*net.TCPAddr).Port
	status, body := httpDo(t, "GET", fmt.Sprintf("http://127.0.0.1:%d/v1/search?q=x", port), "")
	assert.Equal(t, http.StatusUnauthorized, status, body)
	status, _ = httpDo(t, "GET", fmt.Sprintf("http://127.0.0.1:%d/healthz", port), "")
	assert.Equal(t, http.StatusOK, status)
	cancel()
	<-errc
}

// Issue 20 (low): `elib split DIR` whose draft timeline is a named pipe,
// or whose only entry is a symbolic link to a file outside, reads nothing
// and says so with a failing exit, instead of printing nothing and
// exiting 0.
func TestSplitNothingReadFails(t *testing.T) {
	dir := t.TempDir()
	draft := filepath.Join(dir, "draft")
	require.NoError(t, os.MkdirAll(draft, 0o755))
	require.NoError(t, syscall.Mkfifo(filepath.Join(draft, "draft_content.json"), 0o644))
	done := make(chan struct{})
	var stderr string
	var err error
	go func() {
		defer close(done)
		_, stderr, err = runSplitForTest(t, "text", "", draft)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("split blocked on the named pipe")
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nothing read")
	assert.Contains(t, stderr, "named pipe")

	links := filepath.Join(dir, "links")
	require.NoError(t, os.MkdirAll(links, 0o755))
	secret := filepath.Join(t.TempDir(), "secret.txt")
	require.NoError(t, os.WriteFile(secret, []byte("【钩子】服务器上的私密文案"), 0o600))
	require.NoError(t, os.Symlink(secret, filepath.Join(links, "x.txt")))
	out, stderr, err := runSplitForTest(t, "text", "", links)
	require.Error(t, err)
	assert.NotContains(t, out, "私密")
	assert.Contains(t, stderr, "symbolic link to a file, not followed")
}

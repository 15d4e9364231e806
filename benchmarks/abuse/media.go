package main

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"

	"elib/element"
	"elib/media/synth"
)

// upload is a multipart body with one file called name.
func upload(name string, data []byte) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// mediaAbuses makes the hostile media in dir and returns the requests
// that upload them (issue 20).
func mediaAbuses(dir string) ([]abuse, error) {
	ctx := context.Background()
	const ff = "ffmpeg"
	secret := filepath.Join(dir, "server-private.mkv")
	normal := filepath.Join(dir, "normal.mp4")
	spec := synth.Spec{Width: 160, Height: 90, BPM: 120, Subtitles: "ass", Segments: []synth.Segment{{Camera: element.CameraPushIn, Seconds: 3, Text: "【钩子】服务器上的私有文案"}}}
	if err := synth.Make(ctx, ff, secret, spec); err != nil {
		return nil, err
	}
	spec.Segments[0].Text, spec.Subtitles = "【钩子】你还在手洗碗吗？", "mov_text"
	if err := synth.Make(ctx, ff, normal, spec); err != nil {
		return nil, err
	}
	files := map[string]func(string) error{
		"huge.mkv":      func(p string) error { return synth.HugeFrameMKV(ctx, ff, p) },
		"silence30.mkv": func(p string) error { return synth.SilenceMKV(ctx, ff, p, 30*60) },
		"silence14.mkv": func(p string) error { return synth.SilenceMKV(ctx, ff, p, 14*60) },
		"still4k.mp4":   func(p string) error { return synth.StillMP4(ctx, ff, p, 3840, 2160, 500, 0.1) },
	}
	data := map[string][]byte{}
	for name, make := range files {
		p := filepath.Join(dir, name)
		if err := make(p); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		data[name] = b
	}
	for name, text := range synth.Playlists(secret) {
		data[name] = []byte(text)
	}
	b, err := os.ReadFile(normal)
	if err != nil {
		return nil, err
	}
	data["normal.mp4"] = b
	post := func(route, name string) func(c *http.Client, s *server) (int, error) {
		body, ct := upload(name, data[name])
		return func(c *http.Client, s *server) (int, error) {
			return do(c, "POST", s.base+route, ct, body, nil)
		}
	}
	var period atomic.Int64
	stats := func(hdr map[string]string) func(c *http.Client, s *server) (int, error) {
		return func(c *http.Client, s *server) (int, error) {
			// A new period every time: each would be minutes of checks.
			n := period.Add(1)
			return do(c, "GET", fmt.Sprintf("%s/v1/stats?since=%dd&top=%d", s.base, 1+n%365, 1+n%100), "", nil, hdr)
		}
	}
	size := func(name string) string { return fmt.Sprintf("%d KB", (len(data[name])+1023)/1024) }
	return []abuse{
		{name: "split huge-frame mkv (" + size("huge.mkv") + ")", send: post("/v1/split", "huge.mkv")},
		{name: "check huge-frame mkv", send: post("/v1/check", "huge.mkv")},
		{name: "report huge-frame mkv", send: post("/v1/report", "huge.mkv")},
		{name: "split HLS playlist .mp4 ×4", send: post("/v1/split", "hls.mp4"), copies: 4},
		{name: "split live HLS .mp4 ×8", send: post("/v1/split", "live.mp4"), copies: 8},
		{name: "split ffconcat .mp4 ×4", send: post("/v1/split", "concat.mp4"), copies: 4},
		{name: "split relative ffconcat .mp4", send: post("/v1/split", "relative.mp4")},
		{name: "split 30 min FLAC silence (" + size("silence30.mkv") + ")", send: post("/v1/split", "silence30.mkv")},
		{name: "split 14 min FLAC silence ×4 (" + size("silence14.mkv") + ")", send: post("/v1/split", "silence14.mkv"), copies: 4},
		{name: "check 500 s 4K still ×4 (" + size("still4k.mp4") + ")", send: post("/v1/check", "still4k.mp4"), copies: 4},
		{name: "split normal video (" + size("normal.mp4") + ")", send: post("/v1/split", "normal.mp4")},
		{name: "stats, a new period each time ×2", send: stats(nil), copies: 2},
		{name: "cross-site stats", send: stats(map[string]string{"Sec-Fetch-Site": "cross-site"})},
	}, nil
}

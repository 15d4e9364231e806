package server

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/media/synth"
)

// paddedVideo writes a short clip whose subtitles are the fixture's
// copied hook and conflict, followed by a "free" box of pad bytes (a
// valid MP4 box every reader skips): a real short's size with a few
// seconds of picture.
func paddedVideo(t *testing.T, pad int64) string {
	t.Helper()
	needMedia(t)
	p := filepath.Join(t.TempDir(), "short.mp4")
	lines := strings.Split(rejectScript, "\n")
	require.NoError(t, synth.Make(context.Background(), "ffmpeg", p, synth.Spec{Width: 160, Height: 90, BPM: 120,
		Segments: []synth.Segment{
			{Camera: element.CameraStatic, Seconds: 2, Text: lines[0]},
			{Camera: element.CameraStatic, Seconds: 3, Text: lines[1]},
		}}))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(pad))
	copy(hdr[4:], "free")
	_, err = f.Write(hdr[:])
	require.NoError(t, err)
	_, err = io.CopyN(f, zeros{}, pad-8)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return p
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// streamUpload posts the file at path to url as the multipart field
// "file" without a Content-Length, streaming it from disk (the client
// holds none of it in memory).
func streamUpload(t *testing.T, url, path string) (int, string) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", filepath.Base(path))
		if err == nil {
			var f *os.File
			if f, err = os.Open(path); err == nil {
				_, err = io.Copy(fw, f)
				f.Close()
			}
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest("POST", url, pr)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// TestUploadLargeVideoStreamsToDisk (issue 24 item 5): a 48 MB video is
// checked through POST /v1/check (its subtitles copy the library's
// wardrobe script) while the server allocates a fraction of its size:
// the upload streams to a temporary file, removed afterwards. The body
// limit is MaxBodyBytes (elib serve --max-body): beyond it, 413, and
// nothing is left on disk.
func TestUploadLargeVideoStreamsToDisk(t *testing.T) {
	const size = 48 << 20
	video := paddedVideo(t, size)
	tmp := tmpdir(t)
	_, ts := newTestServer(t, func(o *Options) { o.CheckTimeout = 60e9 })

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	status, body := streamUpload(t, ts.URL+"/v1/check", video)
	runtime.ReadMemStats(&after)
	require.Equal(t, http.StatusOK, status, body)
	var got struct {
		Results []struct {
			File        string  `json:"file"`
			Verdict     string  `json:"verdict"`
			Duplication float64 `json:"duplication"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &got), body)
	require.Len(t, got.Results, 1)
	assert.Equal(t, "short.mp4", got.Results[0].File)
	assert.Equal(t, "reject", got.Results[0].Verdict, "the clip's subtitles are the library's script")
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(size/3), "the server allocated %d bytes for a %d-byte upload: it is held in memory", allocated, size)
	assert.Empty(t, leftovers(tmp), "the spooled upload is removed")

	// The page's one-upload check of a video: the reply carries the split
	// of what was checked (?split=1), the report's fields unchanged.
	status, body = streamUpload(t, ts.URL+"/v1/check?split=1", video)
	require.Equal(t, http.StatusOK, status, body)
	var both struct {
		Results []struct {
			Verdict string `json:"verdict"`
		} `json:"results"`
		Split struct {
			Files []struct {
				File   string `json:"file"`
				Assets []struct {
					Elements []struct {
						Text string `json:"text"`
					} `json:"elements"`
				} `json:"assets"`
			} `json:"files"`
		} `json:"split"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &both), body)
	require.Len(t, both.Results, 1)
	assert.Equal(t, "reject", both.Results[0].Verdict)
	require.Len(t, both.Split.Files, 1)
	require.NotEmpty(t, both.Split.Files[0].Assets)
	assert.Contains(t, both.Split.Files[0].Assets[0].Elements[0].Text, "挑衣服")
	assert.Empty(t, leftovers(tmp))

	// --max-body is the limit: a smaller one refuses the same upload.
	_, small := newTestServer(t, func(o *Options) { o.MaxBodyBytes = 16 << 20 })
	status, body = streamUpload(t, small.URL+"/v1/check", video)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status, body)
	assert.Contains(t, body, "16777216")
	assert.Empty(t, leftovers(tmp), "a refused upload leaves nothing behind")

	// A script is still held to the check limit, also as a file.
	big := strings.Repeat("你是不是还在熬夜", 50_000)
	ct, mp := upload(t, "big.txt", []byte(big))
	status, _, body = do(t, "POST", ts.URL+"/v1/check", ct, mp)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status, body)
	assert.Contains(t, body, `file \"big.txt\"`)
}

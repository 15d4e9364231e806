package server

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/media"
	"elib/media/synth"
)

// TestCheckVideoFootage uploads a video whose footage the library holds:
// the JSON check carries footage (share, matched ranges) and rejects; the
// printable report shows the uploaded video's matched frame.
func TestCheckVideoFootage(t *testing.T) {
	for _, tool := range []string{"ffmpeg", "ffprobe", "bpm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIP: %s not found — install the Debian packages ffmpeg and bpm-tools", tool)
		}
	}
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "lib"), 0o755))
	p := filepath.Join(root, "lib", "source.mp4")
	require.NoError(t, synth.Make(context.Background(), "ffmpeg", p, synth.Spec{Width: 320, Height: 180, BPM: 120, Seed: 4,
		Segments: []synth.Segment{{Camera: element.CameraPanLeft, Seconds: 6, Text: "【钩子】你还在手洗碗吗"}}}))
	assets, err := (&media.Parser{}).ParsePath(p, element.ParseOptions{ID: "lib/source.mp4"})
	require.NoError(t, err)
	require.NotEmpty(t, assets[0].Footage)
	_, ts := newTestServer(t, func(o *Options) {
		_, err := o.Library.Import(context.Background(), assets)
		require.NoError(t, err)
		o.MediaRoot = root
	})
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	upload := func(path string, fields ...string) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile("file", "new/reupload.mp4")
		require.NoError(t, err)
		_, _ = fw.Write(data)
		for i := 0; i+1 < len(fields); i += 2 {
			require.NoError(t, mw.WriteField(fields[i], fields[i+1]))
		}
		require.NoError(t, mw.Close())
		status, _, body := do(t, "POST", ts.URL+path, mw.FormDataContentType(), buf.String())
		return status, body
	}
	status, body := upload("/v1/check")
	require.Equal(t, http.StatusOK, status, body)
	var got struct {
		Results []struct {
			Verdict string `json:"verdict"`
			Footage *struct {
				Duplication float64 `json:"duplication"`
				Threshold   float64 `json:"threshold"`
				Matches     []struct {
					AssetID string `json:"asset_id"`
					Ranges  []any  `json:"ranges"`
				} `json:"matches"`
			} `json:"footage"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &got), body)
	require.Len(t, got.Results, 1)
	f := got.Results[0].Footage
	require.NotNil(t, f)
	assert.Equal(t, 1.0, f.Duplication)
	assert.Equal(t, 0.62, f.Threshold)
	require.NotEmpty(t, f.Matches)
	assert.Equal(t, "lib/source.mp4", f.Matches[0].AssetID)
	assert.NotEmpty(t, f.Matches[0].Ranges)
	assert.Equal(t, "reject", got.Results[0].Verdict)
	assert.NotContains(t, body, `"thumbs"`, "frames only when asked: they weigh ~10 KB each")

	// ?thumbs=1 (the page): the matched frames of both videos, side by side.
	status, body = upload("/v1/check?thumbs=1")
	require.Equal(t, http.StatusOK, status, body)
	var withThumbs struct {
		Results []struct {
			Footage struct {
				Matches []struct {
					Ranges []any `json:"ranges"`
					Thumbs []struct {
						AtMs        int64  `json:"at_ms"`
						LibraryAtMs int64  `json:"library_at_ms"`
						Checked     string `json:"checked"`
						Library     string `json:"library"`
					} `json:"thumbs"`
				} `json:"matches"`
			} `json:"footage"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &withThumbs), body)
	m := withThumbs.Results[0].Footage.Matches[0]
	require.Len(t, m.Thumbs, len(m.Ranges))
	for _, th := range m.Thumbs {
		assert.True(t, strings.HasPrefix(th.Checked, "data:image/jpeg;base64,"), "the uploaded video's frame")
		assert.True(t, strings.HasPrefix(th.Library, "data:image/jpeg;base64,"), "the library video's frame, read under MediaRoot")
		assert.Equal(t, int64(500), th.AtMs)
	}

	status, body = upload("/v1/check", "footage_threshold", "1", "threshold", "1")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"verdict": "pass"`)

	status, body = upload("/v1/report")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "画面 Footage")
	assert.GreaterOrEqual(t, strings.Count(body, `<img src="data:image/jpeg;base64,`), 2, "the matched frames of both videos")
}

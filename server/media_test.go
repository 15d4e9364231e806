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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	_ "elib/media" // registers the video parser, as cmd/elib does
	"elib/media/synth"
)

// TestSplitUploadsMediaFormats posts an ASS file, a 剪映 draft timeline, an
// encrypted draft and (with ffmpeg and bpm-tools) a video to /v1/split as
// one multipart upload: each is recognised, the encrypted one fails alone.
func TestSplitUploadsMediaFormats(t *testing.T) {
	_, ts := newTestServer(t, nil)
	read := func(rel string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "element", "testdata", rel))
		require.NoError(t, err)
		return b
	}
	files := []struct {
		name string
		data []byte
	}{
		{"promo.ass", read("ass/aegisub_promo.ass")},
		{"airfryer/draft_content.json", read("drafts/jianying3_airfryer/draft_content.json")},
		{"locked/draft_content.json", read("drafts/encrypted6/draft_content.json")},
	}
	video := true
	for _, tool := range []string{"ffmpeg", "ffprobe", "bpm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Logf("SKIP video upload: %s not found — install the Debian packages ffmpeg and bpm-tools", tool)
			video = false
		}
	}
	if video {
		p := filepath.Join(t.TempDir(), "v.mp4")
		require.NoError(t, synth.Make(context.Background(), "ffmpeg", p, synth.Spec{Width: 160, Height: 90, BPM: 120,
			Segments: []synth.Segment{{Camera: element.CameraPushIn, Seconds: 2, Text: "【钩子】你还在手洗吗"}}}))
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		files = append(files, struct {
			name string
			data []byte
		}{"clips/v.mp4", b})
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		fw, err := mw.CreateFormFile("file", f.name)
		require.NoError(t, err)
		_, _ = fw.Write(f.data)
	}
	require.NoError(t, mw.Close())
	status, _, body := do(t, "POST", ts.URL+"/v1/split", mw.FormDataContentType(), buf.String())
	require.Contains(t, []int{http.StatusOK, http.StatusBadRequest, http.StatusUnprocessableEntity}, status, body)
	var got struct {
		Files []struct {
			File   string `json:"file"`
			Error  string `json:"error"`
			Assets []struct {
				Elements []struct {
					Text       string         `json:"text"`
					Attributes map[string]any `json:"attributes"`
				} `json:"elements"`
			} `json:"assets"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &got), body)
	byFile := map[string]int{}
	for i, f := range got.Files {
		byFile[f.File] = i
	}
	ass := got.Files[byFile["promo.ass"]]
	require.Empty(t, ass.Error)
	assert.Equal(t, "#FFD400", ass.Assets[0].Elements[0].Attributes["subtitle_color"])
	draft := got.Files[byFile["airfryer/draft_content.json"]]
	require.Empty(t, draft.Error)
	assert.Equal(t, "推近", draft.Assets[0].Elements[0].Attributes["camera"])
	assert.Contains(t, got.Files[byFile["locked/draft_content.json"]].Error, "encrypted 剪映 draft")
	if video {
		v := got.Files[byFile["clips/v.mp4"]]
		require.Empty(t, v.Error)
		assert.Equal(t, "你还在手洗吗", v.Assets[0].Elements[0].Text)
		assert.Equal(t, "推近", v.Assets[0].Elements[0].Attributes["camera"])
	}
}

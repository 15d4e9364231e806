package server

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/media"
	"elib/media/synth"
)

// TestBrowserFootage (issue 23 item 3) checks a re-uploaded video through
// the page in an English-language Chromium: the page shows, in Chinese,
// the footage share, the library video with the matched time ranges, and
// the matched frames of both videos side by side as pictures the browser
// decoded. A screenshot is kept for a reviewer.
func TestBrowserFootage(t *testing.T) {
	for _, tool := range []string{"ffmpeg", "ffprobe", "bpm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIP: %s not found — install the Debian packages ffmpeg and bpm-tools", tool)
		}
	}
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "lib"), 0o755))
	src := filepath.Join(root, "lib", "source.mp4")
	require.NoError(t, synth.Make(context.Background(), "ffmpeg", src, synth.Spec{Width: 320, Height: 180, BPM: 120, Seed: 4,
		Segments: []synth.Segment{{Camera: element.CameraPanLeft, Seconds: 6, Text: "【钩子】你还在手洗碗吗"}}}))
	assets, err := (&media.Parser{}).ParsePath(src, element.ParseOptions{ID: "lib/source.mp4"})
	require.NoError(t, err)
	require.NotEmpty(t, assets[0].Footage)
	// The re-upload: mirrored, its frames as the platform's.
	reupload := filepath.Join(t.TempDir(), "reupload.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", src, "-map", "0", "-vf", "hflip", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "copy", "-c:s", "copy", reupload).CombinedOutput()
	require.NoError(t, err, "%s", out)
	_, ts := newTestServer(t, func(o *Options) {
		_, err := o.Library.Import(context.Background(), assets)
		require.NoError(t, err)
		o.MediaRoot = root
	})

	ctx, dialogs := browserLang(t, "en-US")
	steps(t, ctx,
		chromedp.EmulateViewport(1100, 900),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.SetUploadFiles(css(`#file`), []string{reupload}),
		chromedp.Click(css(`#check-btn`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('#results .result') || !document.getElementById('check-error').hidden`),
	)
	require.True(t, run(t, ctx, chromedp.Evaluate[bool](`document.getElementById('check-error').hidden`)),
		"the page says: %s", run(t, ctx, chromedp.Text(css(`#check-error`))))
	assert.Equal(t, "reject", run(t, ctx, chromedp.AttributeValue(css(`#results .result`), "data-verdict")).Value)
	dup := run(t, ctx, chromedp.Text(css(`#results .footage-dup`)))
	assert.Equal(t, "画面重复 100.0 %（6/6 帧出现在库内视频中，画面阈值 62.0 %）", dup)
	match := run(t, ctx, chromedp.Evaluate[string](`document.querySelector('#results .footage-matches li').firstChild.textContent`))
	assert.Equal(t, "lib/source.mp4 · 100.0 % 帧重合 · 待检 ↔ 库内 0:00–0:06 ↔ 0:00–0:06", match)

	// The frames side by side, decoded by the browser: checked left,
	// library right, each captioned with its time.
	type figure struct {
		Side    string `json:"side"`
		Width   int    `json:"width"`
		Caption string `json:"caption"`
	}
	steps(t, ctx, chromedp.Poll[chromedp.Void](`Array.from(document.querySelectorAll('#results .thumb img')).every(i => i.complete)`))
	figs := run(t, ctx, chromedp.Evaluate[[]figure](`Array.from(document.querySelectorAll('#results .thumb-pair figure')).map(f => ({
		side: f.classList.contains('thumb-checked') ? 'checked' : 'library',
		width: f.querySelector('img') ? f.querySelector('img').naturalWidth : 0,
		caption: f.querySelector('figcaption').textContent }))`))
	require.Len(t, figs, 2, "one matched stretch: one pair")
	assert.Equal(t, figure{Side: "checked", Width: 240, Caption: "待检 0:00"}, figs[0])
	assert.Equal(t, figure{Side: "library", Width: 240, Caption: "库内 0:00"}, figs[1])
	sideBySide := run(t, ctx, chromedp.Evaluate[bool](`(() => {
		const [a, b] = Array.from(document.querySelectorAll('#results .thumb-pair figure')).map(f => f.getBoundingClientRect());
		return Math.abs(a.top - b.top) < 1 && b.left >= a.right && Math.abs(a.height - b.height) < 1; })()`))
	assert.True(t, sideBySide, "the checked and the library frame side by side, captions below")
	// The two frames are the same picture mirrored: the library's frame,
	// flipped, is close to the checked one (mean absolute difference of
	// the pixels, both drawn to a canvas).
	diff := run(t, ctx, chromedp.Evaluate[float64](`(() => {
		const [a, b] = document.querySelectorAll('#results .thumb-pair img');
		const px = (img, flip) => { const c = document.createElement('canvas'); c.width = 48; c.height = 27;
			const g = c.getContext('2d'); if (flip) { g.translate(48, 0); g.scale(-1, 1); }
			g.drawImage(img, 0, 0, 48, 27); return g.getImageData(0, 0, 48, 27).data; };
		const p = px(a, false), q = px(b, true); let s = 0;
		for (let i = 0; i < p.length; i += 4) s += Math.abs(p[i] - q[i]) + Math.abs(p[i+1] - q[i+1]) + Math.abs(p[i+2] - q[i+2]);
		return s / (p.length / 4 * 3); })()`))
	assert.Less(t, diff, 12.0, "the checked frame is the library frame mirrored")
	screenshot(t, ctx, screenshotDir(t), "footage")
	assert.Zero(t, dialogs.Load())
}

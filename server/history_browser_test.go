package server

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrowserHistoryAndExport drives the page in headless Chromium: a check
// made on the page is in the 历史 view (newest first, with verdict, top
// source and the checker's name typed on the page), and 导出 Excel
// downloads the workbook of the same check. The
// history view's screenshot is saved for a reviewer under $ELIB_SCREENSHOTS
// or a new elib-screenshots-* folder in the temp dir (its path is logged).
func TestBrowserHistoryAndExport(t *testing.T) {
	_, ts := newTestServer(t, nil)
	ctx, _ := browser(t)
	// Kept after the test (t.TempDir would be removed): ELIB_SCREENSHOTS
	// or a new folder under the system's temp dir.
	shots := os.Getenv("ELIB_SCREENSHOTS")
	if shots == "" {
		var err error
		shots, err = os.MkdirTemp("", "elib-screenshots-")
		require.NoError(t, err)
	}
	require.NoError(t, os.MkdirAll(shots, 0o755))

	steps(t, ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		// The checker's name, kept by the page and sent with each check.
		chromedp.SetValue(css(`#user`), "小王"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('user').dispatchEvent(new Event('change'))`),
		chromedp.SetValue(css(`#script`), rejectScript),
		chromedp.Click(css(`#check-btn`)),
		chromedp.WaitVisible(css(`#results .result .verdict`)),
		chromedp.Click(css(`#xlsx-btn`)),
		chromedp.WaitReady(css(`body[data-exported]`)),
	)
	size := run(t, ctx, chromedp.AttributeValue(css(`body`), "data-exported"))
	n, err := strconv.Atoi(size.Value)
	require.NoError(t, err)
	assert.Greater(t, n, 1000, "an xlsx workbook was downloaded")

	steps(t, ctx,
		chromedp.Click(css(`#tab-history`)),
		chromedp.WaitVisible(css(`body[data-history="ready"] #history tr[data-file]`)),
	)
	rows := run(t, ctx, chromedp.Evaluate[[]map[string]string](`Array.from(document.querySelectorAll('#history tr[data-file]')).map(r => ({verdict: r.dataset.verdict, text: r.textContent}))`))
	// The check and the export are both recorded.
	require.Len(t, rows, 2)
	for _, r := range rows {
		assert.Equal(t, "reject", r["verdict"])
		assert.Contains(t, r["text"], "lib/wardrobe.txt")
		assert.Contains(t, r["text"], "小王", "the name typed on the page")
	}
	tab := run(t, ctx, chromedp.Text(css(`#tab-history`)))
	assert.True(t, tab == "历史" || tab == "History", tab)
	png := run(t, ctx, chromedp.FullScreenshot(100))
	shot := filepath.Join(shots, "history.png")
	require.NoError(t, os.WriteFile(shot, png, 0o644))
	t.Logf("screenshot of the history view: %s", shot)

	steps(t, ctx,
		chromedp.SetValue(css(`#history-verdict`), "pass"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('history-verdict').dispatchEvent(new Event('change'))`),
		chromedp.WaitNotPresent(css(`#history tr[data-file]`)),
	)
	total := run(t, ctx, chromedp.Text(css(`#history-total`)))
	assert.True(t, strings.Contains(total, "还没有") || strings.Contains(total, "No checks"), total)

	// The printable report a reviewer files (item 7): check time, library,
	// checker, labelled columns, sources by title; shown in Chromium.
	status, _, body := do(t, "POST", ts.URL+"/v1/report", "application/json", namedCheck(t, rejectScript, "draft.txt"), UserHeader, "小王")
	require.Equal(t, 200, status, body)
	page := filepath.Join(shots, "report.html")
	require.NoError(t, os.WriteFile(page, []byte(body), 0o644))
	steps(t, ctx,
		chromedp.Navigate("file://"+page),
		chromedp.WaitVisible(css(`.meta .checker`)),
	)
	checker := run(t, ctx, chromedp.Text(css(`.meta .checker`)))
	assert.Equal(t, "小王", checker)
	library := run(t, ctx, chromedp.Text(css(`.meta .library`)))
	assert.Equal(t, "test library", library)
	cols := run(t, ctx, chromedp.Text(css(`.el .cols`)))
	assert.Contains(t, cols, "待检稿")
	assert.Contains(t, cols, "库内素材")
	png = run(t, ctx, chromedp.FullScreenshot(100))
	shot = filepath.Join(shots, "report.png")
	require.NoError(t, os.WriteFile(shot, png, 0o644))
	t.Logf("screenshot of the printable report: %s", shot)
}

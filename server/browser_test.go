package server

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const chromiumPath = "/usr/bin/chromium"

// browser starts headless Chromium for one test; dialogs counts every
// JavaScript dialog (alert/confirm/prompt) the page opens.
func browser(t *testing.T) (ctx context.Context, dialogs *atomic.Int32) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no %s (CI installs it with apt-get install chromium)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("real-browser test skipped in -short mode")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 40*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	dialogs = &atomic.Int32{}
	chromedp.ListenTarget(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			go func() { _ = chromedp.Run(ctx, page.HandleJavaScriptDialog(false)) }()
		}
	})
	require.NoError(t, chromedp.Run(ctx), "start %s", chromiumPath)
	return ctx, dialogs
}

// highlighted is one matched span link in the check view.
type highlighted struct {
	Text      string `json:"text"`
	ElementID string `json:"elementId"`
	Type      string `json:"type"`
}

// TestBrowserCheck drives the real page in headless Chromium: paste a
// script, click check, read the verdict and the highlighted spans, open the
// side-by-side view of a match, then search the library.
func TestBrowserCheck(t *testing.T) {
	_, ts := newTestServer(t, nil)
	ctx, dialogs := browser(t)

	var verdict, dupLabel, legend string
	var spans []highlighted
	var barWidth string
	err := chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`body[data-ready="1"]`, chromedp.ByQuery),
		chromedp.SetValue(`#script`, rejectScript, chromedp.ByQuery),
		chromedp.Click(`#check-btn`, chromedp.ByQuery),
		chromedp.WaitVisible(`#results .result .verdict`, chromedp.ByQuery),
		chromedp.AttributeValue(`#results .result`, "data-verdict", &verdict, nil, chromedp.ByQuery),
		chromedp.Text(`#results .result .bar .label`, &dupLabel, chromedp.ByQuery),
		chromedp.Text(`#legend`, &legend, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('#results .bar .fill').style.width`, &barWidth),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('#results a.hl')).map(a => ({
			text: a.textContent, elementId: a.dataset.elementId, type: a.closest('.el').dataset.type}))`, &spans),
	)
	require.NoError(t, err)
	assert.Equal(t, "reject", verdict)
	assert.Contains(t, dupLabel, "%")
	assert.Contains(t, legend, "钩子")
	assert.NotEqual(t, "0%", barWidth)
	require.NotEmpty(t, spans, "matched spans are highlighted")
	types := map[string]bool{}
	for _, s := range spans {
		assert.Contains(t, rejectScript, s.Text, "a highlighted span is text of the script")
		assert.True(t, strings.HasPrefix(s.ElementID, "lib/wardrobe.txt#"), s.ElementID)
		types[s.Type] = true
	}
	assert.True(t, types["hook"] && types["conflict"] && types["testimonial"], "spans in the copied elements: %v", types)

	// Clicking a span shows the library element with its matching spans.
	var libMarks, sideID string
	err = chromedp.Run(ctx,
		chromedp.Click(`#results a.hl`, chromedp.ByQuery),
		chromedp.WaitVisible(`#side-lib mark`, chromedp.ByQuery),
		chromedp.Text(`#side-id`, &sideID, chromedp.ByQuery),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('#side-lib mark')).map(m => m.textContent).join('|')`, &libMarks),
	)
	require.NoError(t, err)
	assert.Equal(t, spans[0].ElementID, sideID)
	assert.NotEmpty(t, libMarks)
	for _, m := range strings.Split(libMarks, "|") {
		assert.Contains(t, fixtureScripts["lib/wardrobe.txt"], m)
	}

	// A passing script.
	err = chromedp.Run(ctx,
		chromedp.Click(`#side-close`, chromedp.ByQuery),
		chromedp.SetValue(`#script`, passScript, chromedp.ByQuery),
		chromedp.Click(`#check-btn`, chromedp.ByQuery),
		chromedp.WaitVisible(`#results .result[data-verdict="pass"]`, chromedp.ByQuery),
	)
	require.NoError(t, err)

	// Library view: search, facets, highlighted fragments.
	var marks string
	var facetCount int
	err = chromedp.Run(ctx,
		chromedp.Click(`#tab-library`, chromedp.ByQuery),
		chromedp.SetValue(`#q`, "锅铲", chromedp.ByQuery),
		chromedp.Click(`#search-btn`, chromedp.ByQuery),
		chromedp.WaitVisible(`#search-results li mark`, chromedp.ByQuery),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('#search-results mark')).map(m => m.textContent).join('|')`, &marks),
		chromedp.Evaluate(`document.querySelectorAll('#facets button.facet').length`, &facetCount),
	)
	require.NoError(t, err)
	assert.Contains(t, marks, "锅铲")
	assert.Positive(t, facetCount)

	// Language toggle switches the UI text.
	var tab string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(`#lang-toggle`, chromedp.ByQuery),
		chromedp.Text(`#tab-check`, &tab, chromedp.ByQuery)))
	assert.Equal(t, "Check", tab)
	assert.Zero(t, dialogs.Load())
}

// TestBrowserXSS: <script> and <img onerror> in a checked script and in a
// library element stay literal text in the page and never run.
func TestBrowserXSS(t *testing.T) {
	_, ts := newTestServer(t, nil)
	ctx, dialogs := browser(t)

	var shown string
	var imgs, scripts int
	err := chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`body[data-ready="1"]`, chromedp.ByQuery),
		chromedp.SetValue(`#script`, xssScript, chromedp.ByQuery),
		chromedp.Click(`#check-btn`, chromedp.ByQuery),
		chromedp.WaitVisible(`#results .result .verdict`, chromedp.ByQuery),
		chromedp.Sleep(300*time.Millisecond), // give an injected handler the chance to fire
		chromedp.Evaluate(`Array.from(document.querySelectorAll('#results .el-text')).map(e => e.textContent).join('\n')`, &shown),
		chromedp.Evaluate(`document.querySelectorAll('#results img, #search-results img').length`, &imgs),
		chromedp.Evaluate(`document.querySelectorAll('body script').length`, &scripts),
	)
	require.NoError(t, err)
	assert.Contains(t, shown, "<script>alert(1)</script>你还在为选面霜发愁吗？")
	assert.Contains(t, shown, "<img src=x onerror=alert(1)>试了十几款都没用")
	assert.Zero(t, imgs, "no <img> element was created")
	assert.Zero(t, scripts, "no <script> element was created in the body")

	// A library element carrying markup, through search fragments and the
	// element view.
	var frag string
	err = chromedp.Run(ctx,
		chromedp.Click(`#tab-library`, chromedp.ByQuery),
		chromedp.SetValue(`#q`, "防晒喷雾", chromedp.ByQuery),
		chromedp.Click(`#search-btn`, chromedp.ByQuery),
		chromedp.WaitVisible(`#search-results li mark`, chromedp.ByQuery),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Text(`#search-results li`, &frag, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#results img, #search-results img').length`, &imgs),
	)
	require.NoError(t, err)
	assert.Contains(t, frag, "<img src=x onerror=alert(2)>")
	assert.Contains(t, frag, "<b>防晒</b>", "the title is shown literally")
	assert.Zero(t, imgs)
	assert.Zero(t, dialogs.Load(), "no alert ran")
}

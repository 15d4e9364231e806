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
	return browserLang(t, "")
}

// browserLang is browser with Chromium's UI language (navigator.language)
// set to lang ("": the system's).
func browserLang(t *testing.T, lang string) (ctx context.Context, dialogs *atomic.Int32) {
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
		chromedp.UserDataDir(t.TempDir()),
	}
	if lang != "" {
		opts = append(opts, chromedp.Flag("lang", lang), chromedp.Env("LANGUAGE="+lang))
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	require.NoError(t, chromedp.Do(ctx), "start %s", chromiumPath)
	dialogs = &atomic.Int32{}
	events := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range events {
			if err != nil {
				return
			}
			dialogs.Add(1)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return ctx, dialogs
}

// highlighted is one matched span link in the check view.
type highlighted struct {
	Text      string `json:"text"`
	ElementID string `json:"elementId"`
	Type      string `json:"type"`
}

// run runs a value action and fails the test on error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	require.NoError(t, err)
	return v
}

// steps runs actions without values and fails the test on error.
func steps(t *testing.T, ctx context.Context, a ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, a...))
}

func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// TestBrowserCheck drives the real page in headless Chromium: paste a
// script, click check, read the verdict and the highlighted spans, open the
// side-by-side view of a match, then search the library.
func TestBrowserCheck(t *testing.T) {
	_, ts := newTestServer(t, nil)
	ctx, dialogs := browser(t)

	steps(t, ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.SetValue(css(`#script`), rejectScript),
		chromedp.Click(css(`#check-btn`)),
		chromedp.WaitVisible(css(`#results .result .verdict`)),
	)
	verdict := run(t, ctx, chromedp.AttributeValue(css(`#results .result`), "data-verdict"))
	dupLabel := run(t, ctx, chromedp.Text(css(`#results .result .bar .label`)))
	legend := run(t, ctx, chromedp.Text(css(`#legend`)))
	lang := run(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	barWidth := run(t, ctx, chromedp.Evaluate[string](`document.querySelector('#results .bar .fill').style.width`))
	spans := run(t, ctx, chromedp.Evaluate[[]highlighted](`Array.from(document.querySelectorAll('#results a.hl')).map(a => ({
		text: a.textContent, elementId: a.dataset.elementId, type: a.closest('.el').dataset.type}))`))

	assert.Equal(t, "reject", verdict.Value)
	assert.Contains(t, dupLabel, "%")
	// The page is Chinese unless the user switches (issue 24 item 5).
	wantLegend, wantTab := "hook", "查重"
	if strings.HasPrefix(lang, "zh") {
		wantLegend, wantTab = "钩子", "Check"
	}
	assert.Contains(t, legend, wantLegend)
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
	steps(t, ctx,
		chromedp.Click(css(`#results a.hl`)),
		chromedp.WaitVisible(css(`#side-lib mark`)),
	)
	sideID := run(t, ctx, chromedp.Text(css(`#side-id`)))
	libMarks := run(t, ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('#side-lib mark')).map(m => m.textContent).join('|')`))
	assert.Equal(t, spans[0].ElementID, sideID)
	assert.NotEmpty(t, libMarks)
	for _, m := range strings.Split(libMarks, "|") {
		assert.Contains(t, fixtureScripts["lib/wardrobe.txt"], m)
	}

	// A passing script.
	steps(t, ctx,
		chromedp.Click(css(`#side-close`)),
		chromedp.SetValue(css(`#script`), passScript),
		chromedp.Click(css(`#check-btn`)),
		chromedp.WaitVisible(css(`#results .result[data-verdict="pass"]`)),
	)

	// Library view: search, facets, highlighted fragments.
	steps(t, ctx,
		chromedp.Click(css(`#tab-library`)),
		chromedp.SetValue(css(`#q`), "锅铲"),
		chromedp.Click(css(`#search-btn`)),
		chromedp.WaitVisible(css(`#search-results li mark`)),
	)
	marks := run(t, ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('#search-results mark')).map(m => m.textContent).join('|')`))
	facetCount := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#facets button.facet').length`))
	assert.Contains(t, marks, "锅铲")
	assert.Positive(t, facetCount)

	// Language toggle switches the UI text.
	steps(t, ctx, chromedp.Click(css(`#lang-toggle`)))
	tab := run(t, ctx, chromedp.Text(css(`#tab-check`)))
	assert.Equal(t, wantTab, tab)
	assert.Zero(t, dialogs.Load())
}

// TestBrowserXSS: <script> and <img onerror> in a checked script and in a
// library element stay literal text in the page and never run.
func TestBrowserXSS(t *testing.T) {
	_, ts := newTestServer(t, nil)
	ctx, dialogs := browser(t)

	steps(t, ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.SetValue(css(`#script`), xssScript),
		chromedp.Click(css(`#check-btn`)),
		chromedp.WaitVisible(css(`#results .result .verdict`)),
		chromedp.Sleep(300*time.Millisecond), // give an injected handler the chance to fire
	)
	shown := run(t, ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('#results .el-text')).map(e => e.textContent).join('\n')`))
	imgs := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#results img, #search-results img').length`))
	scripts := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('body script').length`))
	assert.Contains(t, shown, "<script>alert(1)</script>你还在为选面霜发愁吗？")
	assert.Contains(t, shown, "<img src=x onerror=alert(1)>试了十几款都没用")
	assert.Zero(t, imgs, "no <img> element was created")
	assert.Zero(t, scripts, "no <script> element was created in the body")

	// A library element carrying markup, through search fragments.
	steps(t, ctx,
		chromedp.Click(css(`#tab-library`)),
		chromedp.SetValue(css(`#q`), "防晒喷雾"),
		chromedp.Click(css(`#search-btn`)),
		chromedp.WaitVisible(css(`#search-results li mark`)),
		chromedp.Sleep(300*time.Millisecond),
	)
	frag := run(t, ctx, chromedp.Text(css(`#search-results li`)))
	imgs = run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#results img, #search-results img').length`))
	assert.Contains(t, frag, "<img src=x onerror=alert(2)>")
	assert.Contains(t, frag, "<b>防晒</b>", "the title is shown literally")
	assert.Zero(t, imgs)
	assert.Zero(t, dialogs.Load(), "no alert ran")
}

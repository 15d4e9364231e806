package server

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/internal/elibtest"
)

// screenshotDir is where a browser test keeps its screenshots for a
// reviewer: $ELIB_SCREENSHOTS, else a new elib-screenshots-* folder in
// the temp dir (kept after the test; t.TempDir would be removed). Its
// path is logged.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ELIB_SCREENSHOTS")
	if dir == "" {
		var err error
		dir, err = os.MkdirTemp("", "elib-screenshots-")
		require.NoError(t, err)
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	t.Logf("screenshots in %s", dir)
	return dir
}

// screenshot saves a full-page screenshot of ctx's tab as dir/name.png.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png := run(t, ctx, chromedp.FullScreenshot(100))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// workdayServer serves the fixture library plus a year of a team's
// published scripts (December 2025 to November 2026, with empty months,
// a hook reused by three long-named scripts in one week), on
// 2026-12-07, with the upload limit maxBody.
func workdayServer(t *testing.T, maxBody int64) *httptest.Server {
	t.Helper()
	lib := fixtureLibrary(t)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	hook := "你是不是每天早上都为了挑衣服烦恼半小时？"
	mk := func(id, published string, texts ...string) element.Asset {
		a := element.Asset{ID: id, Meta: map[string]any{"published": published, "platform": "抖音"}}
		for i, tx := range texts {
			a.Elements = append(a.Elements, element.Element{Type: []element.Type{element.Hook, element.Conflict}[i], Text: tx})
		}
		a.Reoffset()
		return a
	}
	long := "scripts/2026/douyin/winter-campaign/creator-"
	_, err := lib.Import(context.Background(), []element.Asset{
		mk("scripts/2025/kettle.md", "2025-12-15T11:30:00+08:00", "这台恒温水壶五分钟就能烧开一壶，还能保温在四十五度冲奶粉。"),
		mk("scripts/2026/pan.md", "2026-03-10T11:30:00+08:00", "涂层一刮就花，炒菜粘底还冒黑烟，换一口新锅又要好几百块。"),
		mk("scripts/2026/hit.md", "2026-06-01T11:30:00+08:00", hook, "衣柜塞得满满当当，可是出门前总觉得没有一件能穿。"),
		mk(long+"a-variant-1.md", "2026-11-20T11:30:00+08:00", hook, "很多人以为跑步膝盖疼是跑得太多，其实问题出在鞋底的缓震上。"),
		mk(long+"b-variant-2.md", "2026-11-22T11:30:00+08:00", hook, "冬天出门手冷得不行，这个暖手宝充一次电能用一整天。"),
		mk(long+"c-variant-3.md", "2026-11-24T11:30:00+08:00", hook, "空气炸锅不用一滴油，炸出来的鸡翅外酥里嫩，十分钟就好。"),
	})
	require.NoError(t, err)
	s, err := New(Options{Library: lib, Engine: elibtest.Engine(t), LibraryDesc: "library copy.elib", LibraryName: "copy.elib",
		Now: func() time.Time { return now }, MaxBodyBytes: maxBody, CheckTimeout: time.Minute,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

// TestBrowserWorkday (issue 24 item 5) drives the page at real sizes in
// an English-language Chromium: the page is Chinese anyway, names the
// library in Chinese, checks a 24 MB video through its file field and
// prints its report, refuses a file over the server's limit in Chinese
// (before sending it, and when the server answers 413), shows a
// continuous monthly axis with years through the current month, keeps
// type names on one line in the 疲劳元件 table, and lists the checks in
// 历史. Screenshots of the check, report, dashboard and history views are
// kept for a reviewer.
func TestBrowserWorkday(t *testing.T) {
	const maxBody = 40 << 20
	video := paddedVideo(t, 24<<20)
	ts := workdayServer(t, maxBody)
	ctx, dialogs := browserLang(t, "en-US")
	shots := screenshotDir(t)
	files := t.TempDir()

	steps(t, ctx,
		chromedp.EmulateViewport(1100, 900),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(css(`#library-info`)),
	)
	navLang := run(t, ctx, chromedp.Evaluate[string](`navigator.language`))
	require.True(t, strings.HasPrefix(navLang, "en"), "the browser speaks %s", navLang)
	lang := run(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	assert.Equal(t, "zh-CN", lang, "Chinese unless the user switches, whatever the browser's language")
	assert.Equal(t, "查重", run(t, ctx, chromedp.Text(css(`#tab-check`))))
	info := run(t, ctx, chromedp.Text(css(`#library-info`)))
	assert.Equal(t, "元件库：copy.elib（10 个素材） · 只读", info)
	// Dates (search hits' published, the fatigue table's uses) are the
	// team's, not UTC's: 07:30 in Shanghai is the day before in UTC.
	assert.Equal(t, "2025-12-15", run(t, ctx, chromedp.Evaluate[string](`fmtDate('2025-12-14T23:30:00Z')`)))

	// A video over the limit is refused before a byte is sent.
	tooBig := filepath.Join(files, "long.mp4")
	require.NoError(t, os.WriteFile(tooBig, nil, 0o644))
	require.NoError(t, os.Truncate(tooBig, maxBody+1)) // sparse
	steps(t, ctx,
		chromedp.SetUploadFiles(css(`#file`), []string{tooBig}),
		chromedp.Click(css(`#check-btn`)),
		chromedp.WaitVisible(css(`#check-error`)),
	)
	msg := run(t, ctx, chromedp.Text(css(`#check-error`)))
	assert.Equal(t, "文件太大：视频最大 40 MB，脚本最大 1 MB。", msg)

	// The server's 413 (a script over the check limit, the page's own
	// test bypassed) is Chinese too.
	script := filepath.Join(files, "huge.txt")
	require.NoError(t, os.WriteFile(script, []byte(strings.Repeat("你是不是还在熬夜", 50_000)), 0o644))
	steps(t, ctx,
		chromedp.Evaluate[chromedp.Void](`state.info.max_check_bytes = 1e9`),
		chromedp.SetUploadFiles(css(`#file`), []string{script}),
		chromedp.Click(css(`#check-btn`)),
		chromedp.WaitVisible(css(`#check-error`)),
	)
	msg = run(t, ctx, chromedp.Text(css(`#check-error`)))
	assert.Contains(t, msg, "上传被服务器拒绝（413）")

	// Every other error the server answers is in the page's language
	// too, not the browser's: a subtitle file whose cue ends before it
	// starts, with its file and line.
	badSRT := filepath.Join(files, "bad.srt")
	require.NoError(t, os.WriteFile(badSRT, []byte("1\n00:00:05,000 --> 00:00:03,000\n文案\n"), 0o644))
	steps(t, ctx,
		chromedp.Evaluate[chromedp.Void](`state.info.max_check_bytes = 1 << 20; document.getElementById('check-error').hidden = true`),
		chromedp.SetUploadFiles(css(`#file`), []string{badSRT}),
		chromedp.Click(css(`#check-btn`)),
		chromedp.WaitVisible(css(`#check-error`)),
	)
	msg = run(t, ctx, chromedp.Text(css(`#check-error`)))
	assert.Contains(t, msg, "bad.srt:2: 时间码的结束早于开始")
	assert.NotContains(t, msg, "timecode")

	// A 24 MB video is checked: its subtitles copy the library's script.
	steps(t, ctx,
		chromedp.Evaluate[chromedp.Void](`state.info.max_check_bytes = 1 << 20`),
		chromedp.SetUploadFiles(css(`#file`), []string{video}),
		chromedp.Click(css(`#check-btn`)),
		chromedp.WaitVisible(css(`#results .result .verdict`)),
	)
	verdict := run(t, ctx, chromedp.AttributeValue(css(`#results .result`), "data-verdict"))
	assert.Equal(t, "reject", verdict.Value)
	highlighted := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#results a.hl').length`))
	assert.Positive(t, highlighted, "the video's copied subtitles are highlighted")
	assert.True(t, run(t, ctx, chromedp.Evaluate[bool](`document.getElementById('check-error').hidden`)))
	// 元件复用率 and 包含度 say what they count (item 8).
	assert.Contains(t, run(t, ctx, chromedp.Evaluate[string](`document.querySelector('#results .reuse').title`)), "至少 80 %")
	assert.Contains(t, run(t, ctx, chromedp.Evaluate[string](`document.querySelector('#results a.hl').title`)), "包含度：")
	screenshot(t, ctx, shots, "check")

	// 打印报告 with the uploaded file: the report opens in a new tab.
	opened := chromedp.WaitNewTarget(ctx, func(i *target.Info) bool { return i.Type == "page" && strings.Contains(i.URL, "/v1/report") })
	steps(t, ctx, chromedp.Click(css(`#report-btn`)))
	var tab target.ID
	select {
	case tab = <-opened:
	case <-time.After(60 * time.Second):
		t.Fatal("打印报告 opened no report tab")
	}
	rctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(tab))
	defer cancel()
	steps(t, rctx, chromedp.WaitVisible(css(`.meta .library`)))
	report := run(t, rctx, chromedp.Text(css(`body`)))
	assert.Contains(t, report, "short.mp4")
	assert.Contains(t, report, "待检稿")
	assert.NotContains(t, report, "请先粘贴脚本或选择文件")
	assert.Equal(t, "copy.elib", run(t, rctx, chromedp.Text(css(`.meta .library`))), "the library by its name")
	screenshot(t, rctx, shots, "report")
	// Back to the page's tab (a background tab takes no screenshot).
	_, err := chromedp.Call(rctx, page.Close, cdp.Empty{})
	require.NoError(t, err)
	_, err = chromedp.CallBrowser(ctx, target.ActivateTarget, target.ActivateTargetParams{TargetID: chromedp.FromContext(ctx).Target.TargetID})
	require.NoError(t, err)

	// The dashboard over a year: every month from December 2025 through
	// December 2026 (the current month), the years on the axis.
	steps(t, ctx,
		chromedp.Click(css(`#tab-dashboard`)),
		chromedp.SetValue(css(`#period`), "365d"),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.dashboard = ''; document.getElementById('period').dispatchEvent(new Event('change'))`),
		chromedp.WaitVisible(css(`body[data-dashboard="ready"]`)),
	)
	periods := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#period option')).map(o => o.textContent)`))
	assert.Equal(t, []string{"近 30 天", "近 90 天", "近一年", "全部"}, periods)
	starts := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#chart-reuse circle.point')).map(c => c.dataset.start)`))
	want := []string{}
	for m := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC); !m.After(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		want = append(want, m.Format(time.DateOnly))
	}
	assert.Equal(t, want, starts, "a continuous monthly axis through the current month")
	years := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#chart-reuse text.year')).map(x => x.textContent)`))
	assert.Equal(t, []string{"2025", "2026"}, years)
	ticks := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#chart-reuse text.tick')).map(x => x.textContent)`))
	assert.Equal(t, "12月", ticks[0])
	// Each type name in the 疲劳元件 table is one line.
	lines := run(t, ctx, chromedp.Evaluate[[]int](`Array.from(document.querySelectorAll('#fatigued tr[data-element-id] td:nth-child(2)')).map(td => {
		const r = document.createRange(); r.selectNodeContents(td);
		return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; })`))
	require.NotEmpty(t, lines, "the fixture has a fatigued hook")
	for _, n := range lines {
		assert.Equal(t, 1, n, "a type name wraps over %d lines", n)
	}
	heads := run(t, ctx, chromedp.Text(css(`#fatigued tr`)))
	assert.Contains(t, heads, "类型")
	screenshot(t, ctx, shots, "dashboard")

	steps(t, ctx,
		chromedp.Click(css(`#tab-history`)),
		chromedp.WaitVisible(css(`body[data-history="ready"] #history tr[data-file]`)),
	)
	rows := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#history tr[data-file]')).map(r => r.dataset.file)`))
	assert.Contains(t, rows, "short.mp4", "the video's check is in the history")
	kinds := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#history tr[data-file="short.mp4"] td.kind')).map(td => td.textContent)`))
	require.NotEmpty(t, kinds)
	assert.Equal(t, "原样", kinds[0], "the history says how the text was copied")
	screenshot(t, ctx, shots, "history")

	// The user may switch to English; the choice is kept.
	steps(t, ctx,
		chromedp.Click(css(`#lang-toggle`)),
		chromedp.Reload(),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
	)
	assert.Equal(t, "Check", run(t, ctx, chromedp.Text(css(`#tab-check`))))
	assert.Zero(t, dialogs.Load())
}

// TestBrowserSampleLibraryLabel: the embedded sample library is named in
// the page's language, not by the server's English description.
func TestBrowserSampleLibraryLabel(t *testing.T) {
	_, ts := newTestServer(t, func(o *Options) {
		o.Library, o.Sample, o.ReadOnly = memoryLibrary(t), true, true
		o.LibraryDesc = "embedded sample library (4 assets, 15 elements)"
	})
	ctx, _ := browserLang(t, "en-US")
	steps(t, ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(css(`#library-info`)),
	)
	info := run(t, ctx, chromedp.Text(css(`#library-info`)))
	assert.Regexp(t, `^元件库：内置示例元件库（4 个素材，\d+ 个元件） · 只读$`, info)
	assert.NotContains(t, info, "embedded")
	steps(t, ctx, chromedp.Click(css(`#lang-toggle`)))
	info = run(t, ctx, chromedp.Text(css(`#library-info`)))
	assert.Regexp(t, `^Library: embedded sample library \(4 assets, \d+ elements\) · read-only$`, info)
}

package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrowserDashboardAndReport drives the dashboard and the printable
// report in headless Chromium and asserts that the figures they show are
// those of GET /v1/stats and POST /v1/check.
func TestBrowserDashboardAndReport(t *testing.T) {
	ts, _ := reuseServer(t)
	ctx, dialogs := browser(t)

	// What the API says.
	status, _, body := do(t, "GET", ts.URL+"/v1/stats?since=30d", "", "")
	require.Equal(t, http.StatusOK, status, body)
	var want struct {
		Period struct {
			Assets      int            `json:"assets"`
			ReuseRate   float64        `json:"reuse_rate"`
			Homogeneity float64        `json:"homogeneity"`
			Levels      map[string]int `json:"levels"`
			Series      []struct {
				Start     string  `json:"start"`
				ReuseRate float64 `json:"reuse_rate"`
			} `json:"series"`
			Fatigued []struct {
				ElementID string `json:"element_id"`
			} `json:"fatigued"`
		} `json:"period"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &want))
	require.NotEmpty(t, want.Period.Fatigued, "the fixture has a fatigued hook")

	steps(t, ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.Click(css(`#tab-dashboard`)),
		chromedp.WaitVisible(css(`body[data-dashboard="ready"]`)),
	)
	figures := run(t, ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(Array.from(document.querySelectorAll('#dash-figures .figure')).map(d => [d.dataset.key, d.dataset.value]))`))
	assert.Equal(t, strconv.Itoa(want.Period.Assets), figures["periodAssets"])
	assertFloat(t, want.Period.ReuseRate, figures["reuseRate"])
	assertFloat(t, want.Period.Homogeneity, figures["homogeneity"])
	assert.Equal(t, strconv.Itoa(len(want.Period.Fatigued)), figures["fatiguedCount"])

	points := run(t, ctx, chromedp.Evaluate[[]map[string]string](`Array.from(document.querySelectorAll('#chart-reuse circle.point')).map(c => ({start: c.dataset.start, value: c.dataset.value}))`))
	require.Len(t, points, len(want.Period.Series))
	for i, p := range points {
		assert.Equal(t, want.Period.Series[i].Start, p["start"])
		assertFloat(t, want.Period.Series[i].ReuseRate, p["value"])
	}
	bars := run(t, ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(Array.from(document.querySelectorAll('#chart-levels rect')).map(r => [r.dataset.level, r.dataset.count]))`))
	for _, l := range []string{"L1", "L2", "L3", "L4", "L5"} {
		assert.Equal(t, strconv.Itoa(want.Period.Levels[l]), bars[l], l)
	}
	fatigued := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#fatigued tr[data-element-id]')).map(r => r.dataset.elementId)`))
	require.Len(t, fatigued, len(want.Period.Fatigued))
	assert.Equal(t, want.Period.Fatigued[0].ElementID, fatigued[0])
	lang := run(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	tab := run(t, ctx, chromedp.Text(css(`#tab-dashboard`)))
	if lang == "zh-CN" {
		assert.Equal(t, "看板", tab, "Chinese follows the browser's language")
	}

	// The printable report: the check view's form posted to /v1/report.
	draft := "【钩子】你是不是每天早上都为了挑衣服烦恼半小时？\n【冲突】这款保温杯我带去爬山一整天，晚上倒出来的水还是烫嘴的，冬天出门必备，办公室里也离不开它。"
	b, _ := json.Marshal(map[string]string{"text": draft, "format": "txt"})
	status, _, body = do(t, "POST", ts.URL+"/v1/check", "application/json", string(b))
	require.Equal(t, http.StatusOK, status, body)
	var ck struct {
		Results []struct {
			Verdict     string  `json:"verdict"`
			Duplication float64 `json:"duplication"`
			Level       string  `json:"level"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &ck))
	require.Len(t, ck.Results, 1)

	steps(t, ctx,
		chromedp.Click(css(`#tab-check`)),
		chromedp.SetValue(css(`#script`), draft),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('report-form').target = '_self'`),
		chromedp.Click(css(`#report-btn`)),
		chromedp.WaitVisible(css(`section.result`)),
	)
	rep := run(t, ctx, chromedp.Evaluate[map[string]string](`(() => { const s = document.querySelector('section.result'); return {verdict: s.dataset.verdict, duplication: s.dataset.duplication, level: s.dataset.level, shown: s.querySelector('.dup').textContent, warn: (s.querySelector('.warn') || {}).textContent || ''}; })()`))
	assert.Equal(t, ck.Results[0].Verdict, rep["verdict"])
	assertFloat(t, ck.Results[0].Duplication, rep["duplication"])
	assert.Equal(t, ck.Results[0].Level, rep["level"])
	assert.Contains(t, rep["warn"], "fatigued", "the report carries the fatigue warning")
	sheets := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('link[rel=stylesheet], script').length`))
	assert.Equal(t, 0, sheets, "the report is self-contained")
	assert.Zero(t, dialogs.Load())
}

func assertFloat(t *testing.T, want float64, got string) {
	t.Helper()
	f, err := strconv.ParseFloat(got, 64)
	if assert.NoError(t, err, got) {
		assert.InDelta(t, want, f, 1e-4)
	}
}

// TestBrowserLibraryFiltersAndPacks clicks a filter chip in the library
// view and checks the count against GET /v1/search, then opens the packs
// view and follows a brief export link.
func TestBrowserLibraryFiltersAndPacks(t *testing.T) {
	ts := packServer(t)
	status, _, body := do(t, "POST", ts.URL+"/v1/packs", "application/json", `{"from":"baby/teether-05.txt"}`,
		"Authorization", "Bearer test-token-0123456789abcdef")
	require.Equal(t, http.StatusOK, status, body)
	status, _, body = do(t, "GET", ts.URL+"/v1/search?limit=30&where="+"camera%3D%E6%8E%A8%E8%BF%91", "", "")
	require.Equal(t, http.StatusOK, status, body)
	var want struct {
		Total int `json:"total"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &want))
	require.Positive(t, want.Total)

	ctx, dialogs := browser(t)
	steps(t, ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.Click(css(`#tab-library`)),
		chromedp.WaitVisible(css(`#chips .chip-row[data-facet="camera"] .chip[data-term="推近"]`)),
		chromedp.Click(css(`#chips .chip-row[data-facet="camera"] .chip[data-term="推近"]`)),
		chromedp.WaitVisible(css(`#chips .chip.on[data-where="camera=推近"]`)),
	)
	hits := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#search-results li.el').length`))
	assert.Equal(t, want.Total, hits, "the chip filters like where=camera=推近")

	steps(t, ctx,
		chromedp.Click(css(`#tab-packs`)),
		chromedp.WaitVisible(css(`#packs li.pack[data-id="pack-1"] a.export[data-format="html"]`)),
	)
	href := run(t, ctx, chromedp.Evaluate[string](`document.querySelector('#packs a.export[data-format="html"]').href`))
	status, hdr, body := do(t, "GET", href, "", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, hdr.Get("Content-Type"), "text/html")
	assert.Contains(t, body, "DO NOT COPY")
	assert.Zero(t, dialogs.Load())
}

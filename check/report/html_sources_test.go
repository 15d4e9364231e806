package report

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestHTMLReportAReviewerCanFile (issue 24 item 7): the printable report
// says when the check ran, against what library and by whom, labels the
// side-by-side columns (待检稿 / 库内素材), and names sources by title,
// account, platform and published date, the path only as a fallback.
func TestHTMLReportAReviewerCanFile(t *testing.T) {
	r := sampleReport()
	r.Checked = time.Date(2026, 11, 3, 3, 30, 0, 0, time.UTC)
	r.Checker, r.Library = "alice", "team.elib"
	r.Results[0].Elements[0].Matches[0].Text = "前缀第一行文案内容第二行"
	r.Sources = map[string]SourceInfo{"lib/x.md": {AssetID: "lib/x.md", Title: "炸锅爆款", Account: "厨房小能手", Platform: "抖音", Published: "2026-06-01"}}
	out := render(t, "html", r)
	for _, want := range []string{
		`<dd class="checked">2026-11-03 11:30:00 (UTC&#43;08:00)</dd>`,
		`<dd class="library">team.elib</dd>`,
		`<dd class="checker">alice</dd>`,
		`<span>待检稿 checked draft</span><span>库内素材 library: 炸锅爆款</span>`,
		`<b class="title">炸锅爆款</b>`,
		`<td class="account">厨房小能手</td><td class="platform">抖音</td><td class="published">2026-06-01</td>`,
		`↳ 炸锅爆款（厨房小能手 · 抖音 · 2026-06-01）`,
	} {
		assert.Contains(t, out, want)
	}

	// Without descriptions the path is the name.
	r.Sources = nil
	out = render(t, "html", r)
	assert.Contains(t, out, `<b class="title">lib/x.md</b>`)
	assert.True(t, strings.Contains(out, "库内素材 library: lib/x.md"))
}

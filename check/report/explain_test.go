package report

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"elib/internal/i18n"
)

// TestReportsExplainReuseAndContainment (issue 24 item 8): an 87.8 %
// copy can show 元件复用率 25 % and a hook 92.3 % duplicated with
// containment 44.4 %; the text and HTML reports say what each figure
// counts, in the report's language.
func TestReportsExplainReuseAndContainment(t *testing.T) {
	r := sampleReport()
	out := render(t, "text", r)
	assert.Contains(t, out, "reuse rate 0.0% of elements (at least 80 % contained in one library element; duplication counts copied characters)")
	assert.Contains(t, out, "containment: the share of an element's 5-character runs found in that one library element")

	r.Printer = i18n.New(i18n.Chinese)
	out = render(t, "text", r)
	assert.Contains(t, out, "元件复用率 0.0%（至少 80 % 的内容出现在同一个库内元件中的元件占比；重复度统计的是被复制的字数）")
	assert.Contains(t, out, "包含度：元件中连续 5 字片段出现在那一个库内元件里的比例")
	assert.Contains(t, out, "回炉  drafts/a.md  重复度 80.0%（阈值 62.0%）")

	html := render(t, "html", sampleReport())
	for _, want := range []string{"指标说明", "元件复用率 reuse</dt>", "包含度 containment</dt>", "至少 80 % 的内容出现在同一个库内元件里的元件"} {
		assert.Contains(t, html, want)
	}
}

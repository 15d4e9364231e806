package pack_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/pack"
)

// Issue 20 (low): a pack title is a line, not 7 MB rewritten with the
// manifest on every write.
func TestPackTitleAndNoteCapped(t *testing.T) {
	a := parse(t, "hit.md", "# 标题\n[hook]\n开场一句话很好听的钩子\n[conflict]\n一个冲突的段落写在这里\n[conversion]\n点击下方链接立刻下单吧\n")
	_, err := pack.New(&a, pack.Options{Title: strings.Repeat("长", pack.MaxTitleChars+1)})
	assert.ErrorContains(t, err, "title of 201 characters: at most 200")
	_, err = pack.New(&a, pack.Options{Note: strings.Repeat("长", pack.MaxNoteChars+1)})
	assert.ErrorContains(t, err, "note of 4001 characters")
	_, err = pack.New(&a, pack.Options{Title: strings.Repeat("长", pack.MaxTitleChars)})
	assert.NoError(t, err)
	a.Title = strings.Repeat("题", 7<<20/3)
	p, err := pack.New(&a, pack.Options{})
	require.NoError(t, err)
	assert.Equal(t, pack.MaxTitleChars, len([]rune(p.Title)), "a long asset title is cut to the cap")
}

// Issue 20 (low): the md export never passes raw HTML, links or
// headings from library text through.
func TestMarkdownExportEscapes(t *testing.T) {
	a := parse(t, "x`<b>.md", "# 标题\n[hook]\n<script>alert(1)</script>开场一句话很好听的钩子\n[conflict]\n一个冲突[点我](javascript:alert(1))的段落\n# 不是标题\n[conversion]\n点击下方<img src=x onerror=alert(1)>链接立刻下单吧\n")
	p, err := pack.New(&a, pack.Options{Title: "<script>t()</script>\n# h1", Note: "<iframe src=//evil>\n> quote", Slots: []string{"hook"}})
	require.NoError(t, err)
	p.ID = "id`<i>"
	b, err := pack.NewBrief(context.Background(), p, nil, 0)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, b.Write(&out, "md"))
	s := out.String()
	for _, bad := range []string{"<script", "<img", "<iframe", "](javascript:", "\n# h1", "\n# 不是标题", "<b>", "<i>"} {
		assert.NotContains(t, s, bad)
	}
	assert.Contains(t, s, "&lt;script&gt;alert\\(1\\)&lt;/script&gt;开场一句话很好听的钩子", "the text is still there, as text")
}

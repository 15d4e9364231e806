package element

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const labelledBody = `【钩子】你是不是还在为空气炸锅清洗发愁？
【冲突】但是每次洗完内胆都有油渍，烦恼得很。
【证言】我用了三个月，亲测不粘锅，一擦就干净。
【转化】点击下方链接，直播间限时立减五十元。
`

// TestFrontMatterIsMetadata: YAML front matter and a leading block of
// known-key header lines are the asset's metadata, never copy, in .md and
// .txt alike (issue 24 item 3: a front-matter file gave 8 elements instead
// of 4).
func TestFrontMatterIsMetadata(t *testing.T) {
	cases := []struct {
		name, file, text string
	}{
		{"yaml", "a.md", "---\ntitle: 空气炸锅清洗\nplatform: 抖音\n账号: 厨房小能手\ncampaign: 618\n发布时间: 2026-06-01T11:30:00+08:00\nplays: 120000\nproduct: 空气炸锅\n---\n" + labelledBody},
		{"yaml-txt-bom", "a.txt", "\uFEFF---\r\ntitle: 空气炸锅清洗\r\nplatform: 抖音\r\naccount: 厨房小能手\r\ncampaign: \"618\"\r\npublished: 2026-06-01T11:30:00+08:00\r\n播放量: 120000\r\n产品: 空气炸锅\r\n---\r\n" + strings.ReplaceAll(labelledBody, "\n", "\r\n")},
		{"header-lines", "a.txt", "标题：空气炸锅清洗\n平台：抖音\n账号：厨房小能手\n活动：618\n发布时间：2026-06-01T11:30:00+08:00\n播放量：120000\n产品：空气炸锅\n\n" + labelledBody},
		{"markdown-title-then-headers", "a.md", "# 空气炸锅清洗\nplatform: 抖音\nAccount: 厨房小能手\n活动：618\npublished: 2026-06-01T11:30:00+08:00\nplays：120000\n产品: 空气炸锅\n" + labelledBody},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assets, err := Parse(c.file, []byte(c.text), ParseOptions{})
			require.NoError(t, err)
			require.Len(t, assets, 1)
			a := assets[0]
			assert.Equal(t, "空气炸锅清洗", a.Title)
			require.Len(t, a.Elements, 4, "elements: %+v", a.Elements)
			assert.Equal(t, []Type{Hook, Conflict, Testimonial, Conversion},
				[]Type{a.Elements[0].Type, a.Elements[1].Type, a.Elements[2].Type, a.Elements[3].Type})
			assert.NotContains(t, a.CopyText(), "抖音")
			assert.NotContains(t, a.CopyText(), "厨房小能手")
			assert.Equal(t, "抖音", a.Meta["platform"])
			assert.Equal(t, "厨房小能手", a.Meta["account"])
			assert.Equal(t, "618", fmt.Sprint(a.Meta["campaign"]))
			assert.Equal(t, "空气炸锅", a.Meta["product"])
			pub, ok := a.Published()
			require.True(t, ok)
			assert.Equal(t, "2026-06-01T03:30:00Z", pub.UTC().Format("2006-01-02T15:04:05Z"))
			plays, ok := a.Plays()
			require.True(t, ok)
			assert.Equal(t, 120000.0, plays)
		})
	}
}

// TestHeaderLinesUnknownKeyStaysCopy: the header block ends at the first
// line whose key is not a metadata key; that line and the rest are copy.
func TestHeaderLinesUnknownKeyStaysCopy(t *testing.T) {
	text := "平台：快手\n注意：千万别再用钢丝球刷锅了\n账号：不是元数据\n" + labelledBody
	assets, err := Parse("b.txt", []byte(text), ParseOptions{})
	require.NoError(t, err)
	a := assets[0]
	assert.Equal(t, "快手", a.Meta["platform"])
	assert.Contains(t, a.CopyText(), "注意：千万别再用钢丝球刷锅了")
	assert.Contains(t, a.CopyText(), "账号：不是元数据")
	assert.NotContains(t, a.Meta, "account")
}

// TestFrontMatterNotYAML: "---" rules around copy are not front matter,
// and a broken YAML block is an error naming the line.
func TestFrontMatterNotYAML(t *testing.T) {
	text := "---\n你是不是还在为空气炸锅清洗发愁？\n---\n" + labelledBody
	assets, err := Parse("c.md", []byte(text), ParseOptions{})
	require.NoError(t, err)
	assert.Contains(t, assets[0].CopyText(), "你是不是还在为空气炸锅清洗发愁？")
	assert.Empty(t, assets[0].Meta)

	_, err = Parse("d.md", []byte("---\nplatform: 抖音\naccount: [unclosed\n---\n"+labelledBody), ParseOptions{})
	require.Error(t, err)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "d.md", pe.File)
	assert.Positive(t, pe.Line)
	assert.Contains(t, err.Error(), "front matter")
}

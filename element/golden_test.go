package element

import (
	"flag"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// updateGolden rewrites .golden files from the parser's output
// (go test ./element -run Golden -update); review the diff before committing.
var updateGolden = flag.Bool("update", false, "rewrite .golden files")

// goldenString renders assets as the golden files hold them: one line per
// asset, then one line per element with its time range and attributes.
func goldenString(assets []Asset) string {
	var b strings.Builder
	for _, a := range assets {
		fmt.Fprintf(&b, "asset %s title=%q\n", a.ID, a.Title)
		for _, e := range a.Elements {
			tr := "-"
			if e.StartMs != nil && e.EndMs != nil {
				tr = fmt.Sprintf("%d-%d", *e.StartMs, *e.EndMs)
			}
			keys := make([]string, 0, len(e.Attributes))
			for k := range e.Attributes {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var attrs []string
			for _, k := range keys {
				attrs = append(attrs, fmt.Sprintf("%s=%v", k, e.Attributes[k]))
			}
			fmt.Fprintf(&b, "  %s %s [%s] %q\n", e.Type, tr, strings.Join(attrs, " "), e.Text)
		}
	}
	return b.String()
}

// TestGoldenString pins the golden form itself: a golden file that
// silently lost its times or attributes would compare equal forever.
func TestGoldenString(t *testing.T) {
	start, end := int64(0), int64(3000)
	got := goldenString([]Asset{{ID: "a.srt", Title: "T", Elements: []Element{
		{Type: Hook, Text: "你好", StartMs: &start, EndMs: &end, Attributes: map[string]any{"subtitle_color": "#FFD400", "camera": "推近"}},
		{Type: Conversion, Text: "点击链接"},
	}}})
	assert.Equal(t, "asset a.srt title=\"T\"\n"+
		"  hook 0-3000 [camera=推近 subtitle_color=#FFD400] \"你好\"\n"+
		"  conversion - [] \"点击链接\"\n", got)
}

package element

import (
	"flag"
	"fmt"
	"sort"
	"strings"
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

package kit

import (
	"fmt"
	"strconv"
	"strings"

	"elib/element"
	"elib/fulltext"
)

// metaKeys are the metadata keys (English and Chinese column names) that
// fill the search index's campaign and platform facets.
var metaKeys = map[string][]string{
	"campaign": {"campaign", "活动", "营销活动", "投放活动"},
	"platform": {"platform", "平台", "投放平台"},
}

func metaString(meta map[string]any, field string) string {
	for _, k := range metaKeys[field] {
		if v, ok := meta[k]; ok && v != nil {
			return valueString(v)
		}
	}
	return ""
}

func valueString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, p := range x {
			parts = append(parts, valueString(p))
		}
		return strings.Join(parts, ",")
	case []string:
		return strings.Join(x, ",")
	default:
		return fmt.Sprint(v)
	}
}

// SearchDocs turns the elements i of asset a for which live(i) holds into
// the documents every library backend searches (text, title, type,
// attributes, metadata, BPM, plays, published time).
func SearchDocs(a *element.Asset, live func(i int) bool) []fulltext.Doc {
	out := make([]fulltext.Doc, 0, len(a.Elements))
	for i, e := range a.Elements {
		if !live(i) {
			continue
		}
		d := fulltext.Doc{ID: element.ElementID(a.ID, i+1), AssetID: a.ID, Type: string(e.Type), Text: e.Text, Title: a.Title,
			Campaign: metaString(a.Meta, "campaign"), Platform: metaString(a.Meta, "platform")}
		if len(e.Attributes) > 0 {
			d.Attributes = make(map[string]string, len(e.Attributes))
			for k, v := range e.Attributes {
				d.Attributes[k] = valueString(v)
			}
		}
		assetFacts(&d, a, &e)
		out = append(out, d)
	}
	return out
}

// assetFacts fills the search document's metadata, BPM, play count and
// published time, the fields search filters and sorts on.
func assetFacts(d *fulltext.Doc, a *element.Asset, e *element.Element) {
	if len(a.Meta) > 0 {
		d.Meta = make(map[string]string, len(a.Meta))
		for k, v := range a.Meta {
			if v != nil {
				d.Meta[k] = valueString(v)
			}
		}
	}
	if v, ok := e.Attributes[element.AttrBGMBPM]; ok && v != nil {
		if n, err := strconv.ParseFloat(strings.TrimSpace(valueString(v)), 64); err == nil {
			d.BPM = &n
		}
	}
	if n, ok := a.Plays(); ok {
		d.Plays = &n
	}
	if t, ok := a.Published(); ok {
		d.Published = t
	}
}

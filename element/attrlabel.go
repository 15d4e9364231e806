package element

import (
	"fmt"
	"sort"
	"strings"
)

// attributeLabels name the attribute keys of SPEC §1 for people: a brief,
// a search hit or a report shows 镜头 camera, not camera.
var attributeLabels = map[string]string{
	AttrCamera:        "镜头 camera",
	AttrShot:          "景别 shot",
	AttrSubtitleColor: "字幕色 subtitle colour",
	AttrBGMBPM:        "背景音乐节拍 BPM",
	AttrBGM:           "背景音乐 music",
	AttrSFX:           "音效 sound effects",
	AttrCopyVerbs:     "文案动词 copy verbs",
	AttrCuts:          "剪辑点 cuts",
}

// AttributeLabel is how people read an attribute key ("镜头 camera" for
// camera); a key without a label is shown as it is.
func AttributeLabel(key string) string {
	if l, ok := attributeLabels[key]; ok {
		return l
	}
	return key
}

// FormatAttributes shows attributes as labelled values, in a stable
// order (labelled keys in SPEC order, then the rest by key): "镜头
// camera：特写 · 文案动词 copy verbs：点击、消毒". Lists are joined with 、.
func FormatAttributes(m map[string]any) string {
	order := []string{AttrCamera, AttrShot, AttrSubtitleColor, AttrBGMBPM, AttrBGM, AttrSFX, AttrCuts, AttrCopyVerbs}
	var keys []string
	for _, k := range order {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range m {
		if _, ok := attributeLabels[k]; !ok {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	keys = append(keys, rest...)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, AttributeLabel(k)+"："+attributeValue(m[k]))
	}
	return strings.Join(parts, " · ")
}

// attributeValue shows one attribute value: a list joined with 、, a
// whole number without decimals.
func attributeValue(v any) string {
	switch x := v.(type) {
	case []any:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = attributeValue(e)
		}
		return strings.Join(s, "、")
	case []string:
		return strings.Join(x, "、")
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprintf("%d", int64(x))
		}
		return fmt.Sprintf("%g", x)
	}
	return fmt.Sprint(v)
}

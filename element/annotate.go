package element

import (
	"strconv"
	"strings"
	"unicode"

	"elib/element/annotation"
)

// stripAnnotations removes inline annotations (SPEC §2; see package
// annotation) from s, storing their values in attrs (created on demand),
// and trims the space they leave. Brackets whose content starts with no
// known key stay text.
func stripAnnotations(s string, attrs *map[string]any) string {
	anns := annotation.Find(s)
	if len(anns) == 0 {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	prev := 0
	for _, a := range anns {
		b.WriteString(string(rs[prev:a.Start]))
		for _, p := range a.Pairs {
			setAttr(attrs, p.Attr, p.Value)
		}
		// Drop the whitespace the annotation leaves behind.
		prev = a.End
		for prev < len(rs) && unicode.IsSpace(rs[prev]) {
			prev++
		}
	}
	b.WriteString(string(rs[prev:]))
	return strings.TrimSpace(b.String())
}

// setAttr stores one attribute value; bgm_bpm becomes a number when one can
// be read from the value ("128bpm", "BPM 128"), else the text is kept under
// "bgm".
func setAttr(attrs *map[string]any, attr string, v any) {
	if *attrs == nil {
		*attrs = map[string]any{}
	}
	if attr == AttrBGMBPM {
		switch x := v.(type) {
		case float64:
			(*attrs)[attr] = numberValue(x)
			return
		case string:
			if num, ok := firstNumber(x); ok {
				(*attrs)[attr] = numberValue(num)
				return
			}
			if x != "" {
				(*attrs)["bgm"] = x
			}
			return
		}
	}
	if s, ok := v.(string); ok && s == "" {
		return
	}
	(*attrs)[attr] = v
}

// numberValue returns an int for whole numbers so JSON shows 128, not 128.0.
func numberValue(f float64) any {
	if f == float64(int64(f)) && f > -1e15 && f < 1e15 {
		return int64(f)
	}
	return f
}

func firstNumber(s string) (float64, bool) {
	start := -1
	for i, r := range s {
		if r >= '0' && r <= '9' || (r == '.' && start >= 0) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			f, err := strconv.ParseFloat(strings.TrimSuffix(s[start:i], "."), 64)
			return f, err == nil
		}
	}
	if start >= 0 {
		f, err := strconv.ParseFloat(strings.TrimSuffix(s[start:], "."), 64)
		return f, err == nil
	}
	return 0, false
}

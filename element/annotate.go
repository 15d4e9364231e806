package element

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// annotationKeys maps the lower-cased leading key of an inline annotation to
// its attribute. Longer keys come first so 字幕色 wins over 字幕.
var annotationKeys = []struct{ key, attr string }{
	{"subtitle_color", AttrSubtitleColor},
	{"bgm_bpm", AttrBGMBPM},
	{"字幕色号", AttrSubtitleColor},
	{"字幕色", AttrSubtitleColor},
	{"字幕", AttrSubtitleColor},
	{"colour", AttrSubtitleColor},
	{"color", AttrSubtitleColor},
	{"camera", AttrCamera},
	{"镜头", AttrCamera},
	{"bgm", AttrBGMBPM},
	{"bpm", AttrBGMBPM},
	{"音效", AttrSFX},
	{"sfx", AttrSFX},
	{"画面", AttrShot},
	{"shot", AttrShot},
}

// maxAnnotationBytes bounds the search for a closing bracket so a long line
// full of brackets stays linear.
const maxAnnotationBytes = 256

var closerOf = map[rune]rune{'（': '）', '(': ')', '[': ']', '{': '}', '［': '］', '｛': '｝'}

// stripAnnotations removes inline annotations (SPEC §2) from s, storing their
// values in attrs (created on demand), and trims the space they leave.
// Brackets whose content starts with no known key stay text.
func stripAnnotations(s string, attrs *map[string]any) string {
	if !strings.ContainsAny(s, "（([{［｛") {
		return s
	}
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		closer, ok := closerOf[r]
		if !ok {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		window := s[i+n:]
		if len(window) > maxAnnotationBytes {
			window = window[:maxAnnotationBytes]
		}
		end := strings.IndexRune(window, closer)
		if end < 0 || !applyAnnotation(window[:end], r == '{' || r == '｛', attrs) {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		changed = true
		i += n + end + utf8.RuneLen(closer)
		// Drop the whitespace the annotation leaves behind.
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += n
		}
	}
	if !changed {
		return s
	}
	return strings.TrimSpace(b.String())
}

// applyAnnotation parses the content of one bracket pair; it reports false
// (leaving attrs untouched) when the content is not an annotation.
func applyAnnotation(content string, brace bool, attrs *map[string]any) bool {
	c := strings.TrimSpace(content)
	if brace && strings.HasPrefix(c, `"`) {
		var obj map[string]any
		if json.Unmarshal([]byte("{"+c+"}"), &obj) == nil && len(obj) > 0 {
			for k := range obj {
				if attrFor(strings.ToLower(k)) == "" {
					return false
				}
			}
			for k, v := range obj {
				setAttr(attrs, attrFor(strings.ToLower(k)), v)
			}
			return true
		}
	}
	c = strings.TrimLeft(c, `"'“‘`)
	lower := strings.ToLower(c)
	for _, k := range annotationKeys {
		if !strings.HasPrefix(lower, k.key) {
			continue
		}
		rest := c[len(k.key):]
		// An ASCII key must end at a word boundary ("colorful" is text).
		if r, _ := utf8.DecodeRuneInString(rest); rest != "" && k.key[0] < utf8.RuneSelf && (r < utf8.RuneSelf && (unicode.IsLetter(r) || r == '_')) {
			return false
		}
		value := strings.Trim(rest, " \t\"'“”‘’：:=　")
		setAttr(attrs, k.attr, value)
		return true
	}
	return false
}

func attrFor(key string) string {
	for _, k := range annotationKeys {
		if k.key == key {
			return k.attr
		}
	}
	return ""
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

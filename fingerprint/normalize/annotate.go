package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Annotation is an inline attribute annotation found in copy text, such as
// （镜头：推近） or [BGM 128bpm].
type Annotation struct {
	// Start and End are code-point offsets of the annotation in the
	// original string, brackets included; End is exclusive.
	Start, End int
	// Key is the canonical key: "camera", "bgm", "subtitle_color",
	// "subtitle", "sfx" or "shot".
	Key string
	// RawKey is the key as written (e.g. "镜头", "BPM").
	RawKey string
	// Value is the text after the key and its separator, trimmed.
	Value string
}

// annotationKeys maps every recognised key (lower case) to its canonical
// name. Longer keys must be tried first (字幕色 before 字幕), see keyOrder.
var annotationKeys = map[string]string{
	"镜头": "camera", "鏡頭": "camera", "camera": "camera",
	"bgm": "bgm", "bpm": "bgm",
	"字幕色": "subtitle_color", "color": "subtitle_color", "colour": "subtitle_color",
	"字幕": "subtitle",
	"音效": "sfx", "sfx": "sfx",
	"画面": "shot", "畫面": "shot", "shot": "shot",
}

// keyOrder lists annotationKeys longest first so prefix matching is greedy.
var keyOrder = []string{
	"字幕色", "camera", "colour", "color", "镜头", "鏡頭", "字幕", "音效",
	"画面", "畫面", "bgm", "bpm", "sfx", "shot",
}

// closers maps an opening bracket to the closing brackets accepted for it.
// Full- and half-width forms are accepted interchangeably because writers
// mix them.
var closers = map[rune]string{
	'（': "）)", '(': ")）",
	'[': "]］", '［': "］]",
	'{': "}｝", '｛': "｝}",
	'【': "】",
}

// maxAnnotationRunes bounds how far a closing bracket is searched for.
const maxAnnotationRunes = 200

// FindAnnotations returns the inline annotations of s in order. An
// annotation is a bracketed group — （…） (…) […] {…} 【…】, full or half
// width — on one line whose content starts with a known key: 镜头/camera,
// BGM/bpm, 字幕色/字幕/color/colour, 音效/sfx, 画面/shot (case-insensitive).
// Offsets are code-point indices into s (invalid UTF-8 bytes count as one
// code point each, as in []rune(s)).
func FindAnnotations(s string) []Annotation {
	if !strings.ContainsAny(s, "（([［{｛【") {
		return nil
	}
	return findAnnotations([]rune(s))
}

func findAnnotations(rs []rune) []Annotation {
	var out []Annotation
	for i := 0; i < len(rs); i++ {
		cl, ok := closers[rs[i]]
		if !ok {
			continue
		}
		end := -1
		for j := i + 1; j < len(rs) && j-i <= maxAnnotationRunes; j++ {
			if rs[j] == '\n' || rs[j] == '\r' {
				break
			}
			if strings.ContainsRune(cl, rs[j]) {
				end = j
				break
			}
		}
		if end < 0 {
			continue
		}
		a, ok := parseAnnotation(rs[i+1 : end])
		if !ok {
			continue
		}
		a.Start, a.End = i, end+1
		out = append(out, a)
		i = end
	}
	return out
}

// parseAnnotation recognises the content between brackets.
func parseAnnotation(content []rune) (Annotation, bool) {
	c := strings.TrimLeftFunc(string(content), unicode.IsSpace)
	for _, k := range keyOrder {
		if len(c) < len(k) || !strings.EqualFold(c[:len(k)], k) {
			continue
		}
		rest := c[len(k):]
		if isASCIIKey(k) && rest != "" {
			r, _ := utf8.DecodeRuneInString(rest)
			if r < utf8.RuneSelf && (unicode.IsLetter(r) || r == '_') {
				continue // "shotgun", "colorful": not a key
			}
		}
		val := strings.TrimLeft(rest, " \t:：=-—　")
		return Annotation{Key: annotationKeys[k], RawKey: c[:len(k)], Value: strings.TrimSpace(val)}, true
	}
	return Annotation{}, false
}

func isASCIIKey(k string) bool { return k[0] < utf8.RuneSelf }

// StripAnnotations returns s with every annotation found by FindAnnotations
// removed (brackets included).
func StripAnnotations(s string) string {
	anns := FindAnnotations(s)
	if len(anns) == 0 {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	prev := 0
	for _, a := range anns {
		b.WriteString(string(rs[prev:a.Start]))
		prev = a.End
	}
	b.WriteString(string(rs[prev:]))
	return b.String()
}

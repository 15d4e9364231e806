// Package annotation finds inline attribute annotations in copy text —
// （镜头：推近）, [BGM 128bpm], {字幕色 #FFD400}, {"camera": "推近"} — the one
// parser and key table behind both the element parser (which turns them
// into attributes) and the fingerprint normaliser (which drops them from
// what is compared). SPEC §2.
package annotation

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Attribute names an annotation can set (the element package's Attr*
// constants are these).
const (
	Camera        = "camera"
	BGMBPM        = "bgm_bpm"
	SubtitleColor = "subtitle_color"
	SFX           = "sfx"
	Shot          = "shot"
)

// keys maps the lower-cased leading key of an annotation to its attribute,
// longest first so 字幕色 wins over 字幕 and colour over color.
var keys = []struct{ key, attr string }{
	{"subtitle_color", SubtitleColor},
	{"bgm_bpm", BGMBPM},
	{"字幕色号", SubtitleColor},
	{"字幕色", SubtitleColor},
	{"camera", Camera},
	{"colour", SubtitleColor},
	{"color", SubtitleColor},
	{"字幕", SubtitleColor},
	{"镜头", Camera},
	{"鏡頭", Camera},
	{"音效", SFX},
	{"画面", Shot},
	{"畫面", Shot},
	{"bgm", BGMBPM},
	{"bpm", BGMBPM},
	{"sfx", SFX},
	{"shot", Shot},
}

// closers maps an opening bracket to the closing brackets accepted for it:
// full- and half-width forms interchangeably, because writers mix them.
var closers = map[rune]string{
	'（': "）)", '(': ")）",
	'[': "]］", '［': "］]",
	'{': "}｝", '｛': "｝}",
	'【': "】",
}

// MaxRunes bounds how far a closing bracket is searched for, so a long
// line full of brackets stays linear.
const MaxRunes = 200

// Pair is one attribute an annotation sets.
type Pair struct {
	// Attr is the attribute name (Camera, BGMBPM, …).
	Attr string
	// Key is the key as written (镜头, BPM, …).
	Key string
	// Value is the text after the key, trimmed of separators and quotes,
	// or a JSON value for the {"key": value} form.
	Value any
}

// Annotation is one annotation found in a text.
type Annotation struct {
	// Start and End are code-point offsets in the text, brackets
	// included; End is exclusive.
	Start, End int
	// Pairs are the attributes it sets (one, except for the JSON form).
	Pairs []Pair
}

// Find returns the annotations of s in order: a bracketed group on one
// line — （…） (…) […] ［…］ {…} ｛…｝ 【…】 — whose content starts with a
// known key (case-insensitive; an ASCII key must end at a word boundary:
// "colorful" is text), or a brace group holding a JSON object of known
// keys. Offsets count code points as []rune(s) does.
func Find(s string) []Annotation {
	if !hasOpener(s) {
		return nil
	}
	rs := []rune(s)
	var out []Annotation
	for i := 0; i < len(rs); i++ {
		cl, ok := closers[rs[i]]
		if !ok {
			continue
		}
		end := -1
		for j := i + 1; j < len(rs) && j-i <= MaxRunes; j++ {
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
		pairs := parse(string(rs[i+1:end]), rs[i] == '{' || rs[i] == '｛')
		if pairs == nil {
			continue
		}
		out = append(out, Annotation{Start: i, End: end + 1, Pairs: pairs})
		i = end
	}
	return out
}

// hasOpener reports whether s holds an opening bracket of closers, by
// bytes: ( [ { in ASCII; （ ［ ｛ are EF BC 88 / EF BC BB / EF BD 9B in
// UTF-8 and 【 is E3 80 90.
func hasOpener(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			return true
		case 0xEF:
			if i+2 < len(s) && (s[i+1] == 0xBC && (s[i+2] == 0x88 || s[i+2] == 0xBB) || s[i+1] == 0xBD && s[i+2] == 0x9B) {
				return true
			}
		case 0xE3:
			if i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x90 {
				return true
			}
		}
	}
	return false
}

// parse recognises the content between brackets; nil when it is not an
// annotation.
func parse(content string, brace bool) []Pair {
	c := strings.TrimSpace(content)
	if brace && strings.HasPrefix(c, `"`) {
		var obj map[string]any
		if json.Unmarshal([]byte("{"+c+"}"), &obj) == nil && len(obj) > 0 {
			pairs := make([]Pair, 0, len(obj))
			for k, v := range obj {
				attr := AttrOf(strings.ToLower(k))
				if attr == "" {
					return nil
				}
				pairs = append(pairs, Pair{Attr: attr, Key: k, Value: v})
			}
			slices.SortFunc(pairs, func(a, b Pair) int { return strings.Compare(a.Key, b.Key) })
			return pairs
		}
	}
	c = strings.TrimLeft(c, `"'“‘`)
	lower := strings.ToLower(c)
	for _, k := range keys {
		if !strings.HasPrefix(lower, k.key) {
			continue
		}
		rest := c[len(k.key):]
		if r, _ := utf8.DecodeRuneInString(rest); rest != "" && k.key[0] < utf8.RuneSelf && r < utf8.RuneSelf && (unicode.IsLetter(r) || r == '_') {
			return nil
		}
		value := strings.Trim(rest, " \t\"'“”‘’：:=-—　")
		return []Pair{{Attr: k.attr, Key: c[:len(k.key)], Value: value}}
	}
	return nil
}

// AttrOf returns the attribute an exact, lower-case key names (镜头 →
// camera), or "" for no known key.
func AttrOf(key string) string {
	for _, k := range keys {
		if k.key == key {
			return k.attr
		}
	}
	return ""
}

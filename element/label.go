package element

import (
	"strings"
	"unicode/utf8"
)

// labelAt recognises an element label at the start of line (SPEC §2):
// 【钩子】, [hook] (any case, ASCII or full-width brackets), a Markdown
// heading whose text is a type (## 钩子), or a type followed by a colon
// (钩子：…). It returns the type and the rest of the line after the label.
// heading reports a Markdown heading label, whose rest may only hold a time
// range.
func labelAt(line string) (t Type, rest string, heading, ok bool) {
	s := strings.TrimLeft(line, " \t　")
	if s == "" {
		return "", "", false, false
	}
	switch {
	case strings.HasPrefix(s, "【"):
		return bracketLabel(s, "【", "】")
	case strings.HasPrefix(s, "["):
		return bracketLabel(s, "[", "]")
	case strings.HasPrefix(s, "［"):
		return bracketLabel(s, "［", "］")
	case s[0] == '#':
		h := strings.TrimLeft(s, "#")
		if len(s)-len(h) > 6 || (h != "" && h[0] != ' ' && h[0] != '\t') {
			return "", "", false, false
		}
		h = strings.TrimSpace(h)
		word, after := splitWord(h)
		typ, ok := ParseType(word)
		if !ok {
			return "", "", false, false
		}
		after = strings.TrimSpace(after)
		if after != "" {
			if _, _, r, ok := parseTimeRange(after); !ok || strings.TrimSpace(r) != "" {
				return "", "", false, false
			}
		}
		return typ, after, true, true
	}
	// 钩子：… / Hook: …
	if i := strings.IndexAny(s, ":："); i > 0 && i <= 16 {
		if typ, ok := ParseType(s[:i]); ok {
			_, n := utf8.DecodeRuneInString(s[i:])
			return typ, s[i+n:], false, true
		}
	}
	return "", "", false, false
}

func bracketLabel(s, open, closeB string) (Type, string, bool, bool) {
	end := strings.Index(s, closeB)
	if end < 0 || end > 40 {
		return "", "", false, false
	}
	typ, ok := ParseType(s[len(open):end])
	if !ok {
		return "", "", false, false
	}
	return typ, s[end+len(closeB):], false, true
}

// splitWord splits s at the first space or bracket.
func splitWord(s string) (string, string) {
	if i := strings.IndexAny(s, " \t　(（[［"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// titleOf recognises a title line: "# 标题" (a '#' and a space, as in
// Markdown), "标题：…", "title: …". A hashtag (#好物推荐, no space after
// the '#') starts copy text, not a title: short-video captions often open
// with one.
func titleOf(line string) (string, bool) {
	s := strings.TrimSpace(line)
	if rest, ok := strings.CutPrefix(s, "#"); ok {
		r, _ := utf8.DecodeRuneInString(rest)
		if r != ' ' && r != '\t' && r != '\u3000' {
			return "", false
		}
		t := strings.TrimSpace(strings.TrimLeft(rest, " \t\u3000"))
		return t, t != ""
	}
	for _, k := range []string{"标题", "title", "题目"} {
		if len(s) > len(k) && strings.EqualFold(s[:len(k)], k) {
			rest := strings.TrimLeft(s[len(k):], " \t")
			if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "：") {
				_, n := utf8.DecodeRuneInString(rest)
				t := strings.TrimSpace(rest[n:])
				return t, t != ""
			}
		}
	}
	return "", false
}

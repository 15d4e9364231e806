package element

import (
	"elib/internal/i18n/msg"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ASS/SSA subtitles (SPEC §2 item 4). elib parses them itself rather than
// through github.com/asticode/go-astisub: the library drops inline \c/\1c
// colour overrides (the subtitle colour teams set per phrase), reports no
// line numbers, and has to be fed decoded text anyway; the format is a few
// INI-like sections whose Format lines name the comma-separated fields.

var (
	errNoDialogue = msg.New("no Dialogue lines in the [Events] section")
)

// assStyle is what elib keeps of an ASS style: its primary (fill) colour.
type assStyle struct {
	color string // "#RRGGBB", "" when unset or unreadable
}

// defaultEventFormat is the v4+ event format used when a file has no Format
// line before its first Dialogue.
var defaultEventFormat = []string{"layer", "start", "end", "style", "name", "marginl", "marginr", "marginv", "effect", "text"}

// ass parses .ass and .ssa text into one asset whose cues behave like SRT
// cues; each cue's dominant fill colour becomes subtitle_color.
func (p *parser) ass(text string) ([]Asset, error) {
	text = strings.TrimPrefix(text, "\uFEFF")
	lines := strings.Split(text, "\n")
	var (
		section     string
		title       string
		styleFormat []string
		eventFormat []string
		styles      = map[string]assStyle{}
		cues        []cue
		sawDialogue bool
	)
	for i, raw := range lines {
		lineNo := i + 1
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, ";") || strings.HasPrefix(line, "!:") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.ToLower(strings.TrimSpace(line[1 : len(line)-1]))
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		value = strings.TrimSpace(value)
		switch {
		case section == "script info" && key == "title":
			if value != "" && value != "<untitled>" {
				title = value
			}
		case strings.Contains(section, "styles") && key == "format":
			styleFormat = assFormat(value)
		case strings.Contains(section, "styles") && key == "style":
			name, st := parseASSStyle(value, styleFormat)
			styles[name] = st
		case section == "events" && key == "format":
			eventFormat = assFormat(value)
		case section == "events" && key == "dialogue":
			sawDialogue = true
			c, keep, err := parseDialogue(value, eventFormat, styles, lineNo)
			if err != nil {
				return nil, err
			}
			if keep {
				cues = append(cues, c)
			}
		}
	}
	if !sawDialogue {
		return nil, errNoDialogue
	}
	if len(cues) == 0 {
		return nil, ErrEmpty
	}
	// Events may be listed in any order; cues run in time order.
	sort.SliceStable(cues, func(i, j int) bool { return cues[i].startMs < cues[j].startMs })
	cues = dedupeLayers(cues)
	assets, err := p.cuesAsset(cues)
	if err != nil {
		return nil, err
	}
	for i := range assets {
		assets[i].Title = title
	}
	return assets, nil
}

// assFormat splits a Format line into lower-cased field names.
func assFormat(v string) []string {
	parts := strings.Split(v, ",")
	for i, f := range parts {
		parts[i] = strings.ToLower(strings.TrimSpace(f))
	}
	return parts
}

// splitFields splits v into n comma-separated fields, the last one keeping
// any further commas (the Text field of an event).
func splitFields(v string, n int) []string {
	if n < 1 {
		n = 1
	}
	return strings.SplitN(v, ",", n)
}

func fieldIndex(format []string, name string) int {
	for i, f := range format {
		if f == name {
			return i
		}
	}
	return -1
}

// parseASSStyle reads one Style line: its name and primary colour.
func parseASSStyle(v string, format []string) (string, assStyle) {
	if format == nil {
		format = []string{"name", "fontname", "fontsize", "primarycolour"}
	}
	f := splitFields(v, len(format))
	get := func(name string) string {
		if i := fieldIndex(format, name); i >= 0 && i < len(f) {
			return strings.TrimSpace(f[i])
		}
		return ""
	}
	name := styleKey(get("name"))
	col := get("primarycolour")
	if col == "" {
		col = get("primarycolor")
	}
	c, _ := ParseASSColor(col)
	return name, assStyle{color: c}
}

// styleKey normalises a style name as renderers do ("*Default" is Default).
func styleKey(s string) string {
	return strings.TrimLeft(strings.TrimSpace(s), "*")
}

// parseDialogue reads one Dialogue line. keep is false for events without
// visible text (pure drawings or empty lines).
func parseDialogue(v string, format []string, styles map[string]assStyle, lineNo int) (cue, bool, error) {
	if format == nil {
		format = defaultEventFormat
	}
	ti := fieldIndex(format, "text")
	si, ei := fieldIndex(format, "start"), fieldIndex(format, "end")
	if ti < 0 || si < 0 || ei < 0 {
		return cue{}, false, errAt(lineNo, "event Format line lacks Start, End or Text")
	}
	f := splitFields(v, len(format))
	if len(f) != len(format) {
		return cue{}, false, errAt(lineNo, "Dialogue has %d fields, the Format line names %d: %q", len(f), len(format), clip(v))
	}
	start, ok1 := parseASSTime(f[si])
	end, ok2 := parseASSTime(f[ei])
	if !ok1 || !ok2 {
		bad := f[si]
		if ok1 {
			bad = f[ei]
		}
		return cue{}, false, errAt(lineNo, "malformed ASS time %q (want H:MM:SS.cc)", clip(strings.TrimSpace(bad)))
	}
	if end < start {
		return cue{}, false, errAt(lineNo, "Dialogue ends before it starts: %s > %s", strings.TrimSpace(f[si]), strings.TrimSpace(f[ei]))
	}
	base := ""
	if i := fieldIndex(format, "style"); i >= 0 {
		st, ok := styles[styleKey(f[i])]
		if !ok {
			st = styles["Default"]
		}
		base = st.color
	}
	text, col := assText(f[ti], base, styles)
	if strings.TrimSpace(text) == "" {
		return cue{}, false, nil
	}
	c := cue{startMs: start, endMs: end, text: text, line: lineNo}
	if col != "" {
		c.attrs = map[string]any{AttrSubtitleColor: col}
	}
	return c, true, nil
}

// parseASSTime reads H:MM:SS.cc (centiseconds; 1–3 fraction digits are
// accepted) into milliseconds.
func parseASSTime(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, false
	}
	h, err := strconv.ParseUint(parts[0], 10, 16)
	if err != nil {
		return 0, false
	}
	m, err := strconv.ParseUint(parts[1], 10, 8)
	if err != nil || m >= 60 || len(parts[1]) > 2 {
		return 0, false
	}
	sec, frac, _ := strings.Cut(parts[2], ".")
	sv, err := strconv.ParseUint(sec, 10, 8)
	if err != nil || sv >= 60 || len(sec) > 2 {
		return 0, false
	}
	ms := uint64(0)
	if frac != "" {
		if len(frac) > 3 {
			return 0, false
		}
		fv, err := strconv.ParseUint(frac, 10, 16)
		if err != nil {
			return 0, false
		}
		for k := len(frac); k < 3; k++ {
			fv *= 10
		}
		ms = fv
	}
	return int64(((h*60+m)*60+sv)*1000 + ms), true
}

// ParseASSColor converts an ASS colour — &HAABBGGRR, &HBBGGRR&, &HBBGGRR or
// the decimal BGR integer of SSA v4 — to "#RRGGBB". The alpha byte is
// dropped (SPEC attributes carry RGB only).
func ParseASSColor(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var (
		v   uint64
		err error
	)
	switch {
	case strings.HasPrefix(s, "&H"), strings.HasPrefix(s, "&h"):
		h := strings.TrimRight(s[2:], "&")
		if h == "" || len(h) > 8 {
			return "", false
		}
		v, err = strconv.ParseUint(h, 16, 32)
	case strings.HasPrefix(s, "H"), strings.HasPrefix(s, "h"):
		h := strings.TrimRight(s[1:], "&")
		if h == "" || len(h) > 8 {
			return "", false
		}
		v, err = strconv.ParseUint(h, 16, 32)
	default:
		v, err = strconv.ParseUint(s, 10, 32)
	}
	if err != nil {
		return "", false
	}
	r, g, b := v&0xFF, (v>>8)&0xFF, (v>>16)&0xFF
	return fmt.Sprintf("#%02X%02X%02X", r, g, b), true
}

// assText removes override blocks {…} from an event's text, turns \N into a
// line break and \h into a space, and returns the fill colour that covers
// the most visible copy characters (ties: the first; bracketed labels and
// annotations do not count), starting from the style's
// colour base and following \c, \1c and \r overrides. Text drawn in drawing
// mode (\p1 and up) is vector commands, not copy text.
func assText(s, base string, styles map[string]assStyle) (string, string) {
	var (
		b       strings.Builder
		col     = base
		drawing bool
		counts  = map[string]int{}
		order   []string
		depth   int // inside 【…】, […], (…): labels and annotations, not copy
	)
	count := func(r rune) {
		switch r {
		case '【', '[', '［', '(', '（', '{', '｛':
			depth++
			return
		case '】', ']', '］', ')', '）', '}', '｝':
			if depth > 0 {
				depth--
			}
			return
		}
		if col == "" || depth > 0 || unicode.IsSpace(r) {
			return
		}
		if counts[col] == 0 {
			order = append(order, col)
		}
		counts[col]++
	}
	for i := 0; i < len(s); {
		switch {
		case s[i] == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				// An unclosed brace is text, as renderers show it.
				if !drawing {
					b.WriteString(s[i:])
					for _, r := range s[i:] {
						count(r)
					}
				}
				i = len(s)
				continue
			}
			col, drawing = assOverrides(s[i+1:i+j], col, base, drawing, styles)
			i += j + 1
		case s[i] == '\\' && i+1 < len(s) && (s[i+1] == 'N' || s[i+1] == 'n' || s[i+1] == 'h'):
			if !drawing {
				if s[i+1] == 'N' {
					b.WriteByte('\n')
				} else {
					b.WriteByte(' ')
				}
			}
			i += 2
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !drawing {
				b.WriteString(s[i : i+size])
				count(r)
			}
			i += size
		}
	}
	best := ""
	for _, c := range order {
		if best == "" || counts[c] > counts[best] {
			best = c
		}
	}
	if best == "" {
		best = base
	}
	return b.String(), best
}

// assOverrides applies the tags of one override block: \c and \1c set the
// fill colour, \r resets it to the event's style (or \rName's style), \pN
// switches drawing mode. Tags inside \t(…) animate and are not applied.
func assOverrides(block, col, base string, drawing bool, styles map[string]assStyle) (string, bool) {
	for _, tag := range splitTags(block) {
		switch {
		case strings.HasPrefix(tag, "1c"):
			if c, ok := ParseASSColor(tag[2:]); ok {
				col = c
			}
		case strings.HasPrefix(tag, "c") && !strings.HasPrefix(tag, "clip"):
			if c, ok := ParseASSColor(tag[1:]); ok {
				col = c
			}
		case strings.HasPrefix(tag, "r") && !strings.HasPrefix(tag, "re"):
			col = base
			if name := styleKey(tag[1:]); name != "" {
				if st, ok := styles[name]; ok {
					col = st.color
				}
			}
		case strings.HasPrefix(tag, "pos"), strings.HasPrefix(tag, "pbo"):
		case strings.HasPrefix(tag, "p"):
			if n, err := strconv.Atoi(strings.TrimSpace(tag[1:])); err == nil {
				drawing = n > 0
			}
		}
	}
	return col, drawing
}

// splitTags splits the inside of an override block into tags without their
// backslash, skipping parenthesised arguments (so \t(\c&H…&) stays one tag).
func splitTags(block string) []string {
	var (
		tags  []string
		depth int
		start = -1
	)
	for i := 0; i < len(block); i++ {
		switch block[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case '\\':
			if depth > 0 {
				continue
			}
			if start >= 0 {
				tags = append(tags, strings.TrimSpace(block[start:i]))
			}
			start = i + 1
		}
	}
	if start >= 0 {
		tags = append(tags, strings.TrimSpace(block[start:]))
	}
	return tags
}

// dedupeLayers drops events that repeat the previous event's time and text
// (the same line drawn on two layers for a shadow or outline effect).
func dedupeLayers(cues []cue) []cue {
	out := cues[:0]
	for i, c := range cues {
		if i > 0 {
			prev := out[len(out)-1]
			if prev.startMs == c.startMs && prev.endMs == c.endMs && prev.text == c.text {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

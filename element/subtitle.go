package element

import (
	"elib/internal/i18n/msg"
	"regexp"
	"strings"
)

// cue is one subtitle cue.
type cue struct {
	startMs, endMs int64
	text           string
	line           int            // line of the first text line
	attrs          map[string]any // attributes the format carries (ASS colour)
}

var (
	tagRe     = regexp.MustCompile(`</?[a-zA-Z][^<>]{0,64}>|<\d{1,2}:\d{2}(?::\d{2})?\.\d{3}>|\{\\[^{}]{0,64}\}`)
	errNoCues = msg.New("no subtitle cues")
)

// subtitles parses .srt and .vtt: one asset per file.
func (p *parser) subtitles(text string, vtt bool) ([]Asset, error) {
	text = strings.TrimPrefix(text, "\uFEFF")
	cues, err := readCues(strings.Split(text, "\n"), vtt)
	if err != nil {
		return nil, err
	}
	return p.cuesAsset(cues)
}

// cuesAsset turns timed cues (SRT, VTT, ASS, drafts) into one asset: labelled
// cues start elements, unlabelled ones go to the time template and classifier.
func (p *parser) cuesAsset(cues []cue) ([]Asset, error) {
	if len(cues) == 0 {
		return nil, errNoCues
	}
	a := Asset{}
	var (
		loose []piece
		cur   *Element
		parts []string // cue texts of cur
	)
	flush := func() {
		if cur != nil {
			cur.Text = strings.Join(parts, "\n")
			a.Elements = append(a.Elements, *cur)
			cur, parts = nil, nil
		}
	}
	for _, c := range cues {
		typ, rest, _, labelled := labelAt(c.text)
		body := c.text
		if labelled {
			body = rest
		}
		var attrs map[string]any
		mergeAttrs(&attrs, c.attrs)
		body = cleanCueText(body, &attrs)
		if !labelled && cur == nil {
			loose = append(loose, piece{text: body, line: c.line, attrs: attrs, hasTime: true, startMs: c.startMs, endMs: c.endMs})
			continue
		}
		if labelled && len(loose) > 0 {
			a.Elements = append(a.Elements, p.classifyPieces(loose, true)...)
			loose = nil
		}
		// A labelled cue of the current type, or an unlabelled cue after a
		// label, continues the current element.
		if cur != nil && (!labelled || cur.Type == typ) {
			if len(parts) == 0 {
				cur.Line = c.line
			}
			if body != "" {
				parts = append(parts, body)
			}
			cur.EndMs = ptr(c.endMs)
			mergeAttrs(&cur.Attributes, attrs)
			continue
		}
		flush()
		cur = &Element{Type: typ, Line: c.line, StartMs: ptr(c.startMs), EndMs: ptr(c.endMs)}
		if body != "" {
			parts = append(parts, body)
		}
		mergeAttrs(&cur.Attributes, attrs)
	}
	flush()
	if len(loose) > 0 {
		a.Elements = append(a.Elements, p.classifyPieces(loose, true)...)
	}
	if !hasText(a.Elements) {
		return nil, ErrEmpty
	}
	return []Asset{a}, nil
}

func mergeAttrs(dst *map[string]any, src map[string]any) {
	for k, v := range src {
		if *dst == nil {
			*dst = map[string]any{}
		}
		(*dst)[k] = v
	}
}

// cleanCueText removes formatting tags and annotations from each line of a
// cue and joins the non-empty lines with "\n".
func cleanCueText(s string, attrs *map[string]any) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if strings.ContainsAny(l, "<{") {
			l = tagRe.ReplaceAllString(l, "")
		}
		l = strings.TrimSpace(stripAnnotations(strings.TrimSpace(l), attrs))
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// readCues splits SRT/VTT lines into cues. Blocks are separated by blank
// lines; a block is [id] timecode text…; VTT NOTE/STYLE/REGION blocks are
// skipped.
func readCues(lines []string, vtt bool) ([]cue, error) {
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if vtt {
		if i >= len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[i]), "WEBVTT") {
			return nil, errAt(i+1, "missing WEBVTT header")
		}
		// Skip the header block.
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			i++
		}
	}
	var cues []cue
	for i < len(lines) {
		if strings.TrimSpace(lines[i]) == "" {
			i++
			continue
		}
		start := i
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			i++
		}
		block := lines[start:i]
		first := strings.TrimSpace(block[0])
		if vtt && (first == "NOTE" || strings.HasPrefix(first, "NOTE ") || strings.HasPrefix(first, "NOTE\t") || first == "STYLE" || first == "REGION") {
			continue
		}
		cs, err := parseBlock(block, start+1)
		if err != nil {
			return nil, err
		}
		cues = append(cues, cs...)
	}
	return cues, nil
}

// parseBlock parses one block starting at 1-based line lineNo. A block may
// hold several cues when blank lines between them are missing.
func parseBlock(block []string, lineNo int) ([]cue, error) {
	var out []cue
	j := 0
	for j < len(block) {
		tc := j
		if !strings.Contains(block[tc], "-->") {
			tc = j + 1 // cue id line
		}
		if tc >= len(block) || !strings.Contains(block[tc], "-->") {
			if j == 0 {
				return nil, errAt(lineNo+j, "expected a cue timecode like 00:00:01,000 --> 00:00:02,000, got %q", clip(block[j]))
			}
			break
		}
		s, e, err := parseCueTiming(block[tc])
		if err != nil {
			return nil, errAt(lineNo+tc, "%v", err)
		}
		k := tc + 1
		var text []string
		for k < len(block) {
			// "12" followed by a timecode starts the next cue.
			if k+1 < len(block) && isDigits(strings.TrimSpace(block[k])) && strings.Contains(block[k+1], "-->") {
				break
			}
			if strings.Contains(block[k], "-->") {
				if _, _, err := parseCueTiming(block[k]); err == nil {
					break
				}
			}
			text = append(text, block[k])
			k++
		}
		out = append(out, cue{startMs: s, endMs: e, text: strings.Join(text, "\n"), line: lineNo + tc + 1})
		j = k
	}
	return out, nil
}

func parseCueTiming(line string) (int64, int64, error) {
	parts := strings.SplitN(line, "-->", 2)
	left := strings.TrimSpace(parts[0])
	right := strings.Fields(parts[1])
	if len(right) == 0 {
		return 0, 0, msg.New("malformed timecode: missing end time")
	}
	s, ok1 := parseClock(left)
	e, ok2 := parseClock(right[0])
	if !ok1 || !ok2 {
		return 0, 0, msg.Errorf("malformed timecode \"%s\"", clip(strings.TrimSpace(line)))
	}
	if e < s {
		return 0, 0, msg.Errorf("timecode ends before it starts: \"%s\"", clip(strings.TrimSpace(line)))
	}
	return s, e, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// clip shortens s for an error message.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

package element

import (
	"strings"
)

// script parses a labelled script (.txt, .md): one asset per file.
func (p *parser) script(text string) ([]Asset, error) {
	text = strings.TrimPrefix(text, "\uFEFF")
	lines := strings.Split(text, "\n")
	a := Asset{}
	if err := frontMatter(lines, &a); err != nil {
		return nil, err
	}
	var (
		cur       *Element
		parts     []string // lines of cur's text
		loose     []piece  // unlabelled lines before the first label
		seenFirst bool
		titleLine int
	)
	flush := func() {
		if cur != nil {
			cur.Text = strings.Join(parts, "\n")
			a.Elements = append(a.Elements, *cur)
			cur, parts = nil, nil
		}
	}
	for i, raw := range lines {
		lineNo := i + 1
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		if !seenFirst {
			seenFirst = true
			if t, ok := titleOf(line); ok {
				if _, _, _, isLabel := labelAt(line); !isLabel {
					a.Title, titleLine = t, lineNo
					continue
				}
			}
		}
		if typ, rest, _, ok := labelAt(line); ok {
			flush()
			if len(a.Elements) == 0 && len(loose) > 0 {
				a.Elements = append(a.Elements, p.classifyPieces(loose, false)...)
				loose = nil
			}
			cur = &Element{Type: typ, Line: lineNo}
			if s, e, r, ok := parseTimeRange(rest); ok {
				cur.StartMs, cur.EndMs = ptr(s), ptr(e)
				rest = r
			}
			rest = strings.TrimSpace(stripAnnotations(strings.TrimSpace(rest), &cur.Attributes))
			if rest != "" {
				parts = append(parts, rest)
			}
			continue
		}
		var attrs map[string]any
		clean := strings.TrimSpace(stripAnnotations(line, &attrs))
		if cur == nil {
			loose = append(loose, piece{text: clean, line: lineNo, attrs: attrs})
			continue
		}
		for k, v := range attrs {
			if cur.Attributes == nil {
				cur.Attributes = map[string]any{}
			}
			cur.Attributes[k] = v
		}
		if clean == "" {
			continue
		}
		if len(parts) == 0 {
			cur.Line = lineNo
		}
		parts = append(parts, clean)
	}
	flush()
	if len(loose) > 0 {
		a.Elements = append(a.Elements, p.classifyPieces(loose, false)...)
	}
	if !hasText(a.Elements) && a.Title != "" {
		// A file that holds only a title is checked on that line.
		a.Elements = p.classifyPieces([]piece{{text: a.Title, line: titleLine}}, false)
	}
	if !hasText(a.Elements) {
		return nil, ErrEmpty
	}
	return []Asset{a}, nil
}

func hasText(es []Element) bool {
	for _, e := range es {
		if strings.TrimSpace(e.Text) != "" {
			return true
		}
	}
	return false
}

func ptr(v int64) *int64 { return &v }

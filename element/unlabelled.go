package element

import (
	"strings"
	"unicode/utf8"

	"elib/element/classify"
)

// piece is a run of unlabelled copy text: a script line or a subtitle cue.
type piece struct {
	text    string
	line    int
	attrs   map[string]any
	hasTime bool
	startMs int64
	endMs   int64
}

// classifyPieces places unlabelled text with the classifier. Script lines
// are split into sentences (cues stay whole); consecutive units of the same
// type merge into one element, pieces joined by "\n", sentences of one line
// joined directly.
func (p *parser) classifyPieces(pieces []piece, cues bool) []Element {
	type unit struct {
		classify.Unit
		piece    int
		newPiece bool
	}
	var units []unit
	for i, pc := range pieces {
		if pc.text == "" {
			continue
		}
		if cues {
			units = append(units, unit{Unit: classify.Unit{Text: pc.text, HasTime: pc.hasTime, StartMs: pc.startMs, EndMs: pc.endMs}, piece: i, newPiece: true})
			continue
		}
		for j, s := range classify.Sentences(pc.text) {
			units = append(units, unit{Unit: classify.Unit{Text: s.Text}, piece: i, newPiece: j == 0 || s.NewLine})
		}
	}
	cu := make([]classify.Unit, len(units))
	for i, u := range units {
		cu[i] = u.Unit
	}
	labels := classify.Default().Label(cu)
	var (
		out  []Element
		bufs []*strings.Builder // element texts, built without quadratic copying
	)
	last := -1
	for i, u := range units {
		typ, _ := ParseType(labels[i])
		pc := pieces[u.piece]
		if len(out) > 0 && out[len(out)-1].Type == typ {
			e := &out[len(out)-1]
			b := bufs[len(bufs)-1]
			switch {
			case u.newPiece:
				b.WriteByte('\n')
			case needsSpace(units[i-1].Text, u.Text):
				b.WriteByte(' ')
			}
			b.WriteString(u.Text)
			if pc.hasTime {
				e.EndMs = ptr(pc.endMs)
			}
		} else {
			e := Element{Type: typ, Text: u.Text, Line: pc.line}
			if pc.hasTime {
				e.StartMs, e.EndMs = ptr(pc.startMs), ptr(pc.endMs)
			}
			out = append(out, e)
			b := &strings.Builder{}
			b.WriteString(u.Text)
			bufs = append(bufs, b)
		}
		if u.piece != last {
			last = u.piece
			e := &out[len(out)-1]
			for k, v := range pc.attrs {
				if e.Attributes == nil {
					e.Attributes = map[string]any{}
				}
				e.Attributes[k] = v
			}
		}
	}
	for i := range out {
		out[i].Text = bufs[i].String()
	}
	// A piece with attributes but no text still owns them: give them to the
	// nearest element.
	for _, pc := range pieces {
		if pc.text != "" || len(pc.attrs) == 0 || len(out) == 0 {
			continue
		}
		e := &out[0]
		for k, v := range pc.attrs {
			if e.Attributes == nil {
				e.Attributes = map[string]any{}
			}
			e.Attributes[k] = v
		}
	}
	return out
}

func needsSpace(prev, next string) bool {
	r1, _ := utf8.DecodeLastRuneInString(prev)
	r2, _ := utf8.DecodeRuneInString(next)
	return r1 < utf8.RuneSelf && r2 < utf8.RuneSelf && !strings.HasSuffix(prev, " ")
}

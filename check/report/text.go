package report

import (
	"fmt"
	"io"
	"strings"

	"elib/check"
	"elib/element"
)

const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiRed     = "\x1b[31m"
	ansiGreen   = "\x1b[32m"
	ansiMatch   = "\x1b[1;4;31m"
	ansiFaint   = "\x1b[2m"
	markOpen    = "«"
	markClose   = "»"
	maxTextRune = 400
)

var typeColor = map[element.Type]string{
	element.Hook:        "\x1b[35m",
	element.Conflict:    "\x1b[33m",
	element.Testimonial: "\x1b[36m",
	element.Conversion:  "\x1b[32m",
	element.Story:       "\x1b[34m",
	element.Other:       "\x1b[37m",
}

type painter struct{ on bool }

func (p painter) paint(code, s string) string {
	if !p.on || code == "" {
		return s
	}
	return code + s + ansiReset
}

func writeText(w io.Writer, r *Report) error {
	p := painter{on: r.Color}
	var b strings.Builder
	if r.Library != "" {
		fmt.Fprintf(&b, "%s\n\n", p.paint(ansiFaint, "library: "+r.Library))
	}
	for _, res := range r.Results {
		verdict := p.paint(ansiBold+ansiGreen, "PASS")
		if res.Verdict == check.Reject {
			verdict = p.paint(ansiBold+ansiRed, "REJECT")
		}
		fmt.Fprintf(&b, "%s  %s  duplication %s (threshold %s)  %s\n", verdict, res.File,
			pct(res.Duplication), pct(r.Threshold), levelNote(p, res.Level))
		if res.AssetID != res.File {
			fmt.Fprintf(&b, "  asset %s\n", res.AssetID)
		}
		if res.AlreadyInLibrary {
			fmt.Fprintf(&b, "  already in the library as %s (itself not counted)\n", res.AssetID)
		}
		if ov := res.OwnVersion; ov != nil {
			fmt.Fprintf(&b, "  checked against its own published version %s%s\n", ov.AssetID, publishedNote(ov.Published))
		}
		if res.Pack != "" {
			fmt.Fprintf(&b, "  variant of pack %s: %s of the text is the pack's licensed material (the verdict counts the other %s)\n",
				res.Pack, pct(res.LicensedDuplication), pct(max(0, res.Duplication-res.LicensedDuplication)))
		}
		if res.Reason != "" {
			fmt.Fprintf(&b, "  %s %s\n", p.paint(ansiBold+ansiRed, "reason:"), res.Reason)
		}
		for i := range res.Elements {
			writeElement(&b, p, &res.Elements[i])
		}
		writeFootage(&b, p, res.Footage)
		if src := topSources(res, 3); len(src) > 0 {
			parts := make([]string, len(src))
			for i, s := range src {
				parts[i] = fmt.Sprintf("%s (%d chars)", s.AssetID, s.Chars)
			}
			fmt.Fprintf(&b, "  top sources: %s\n", strings.Join(parts, ", "))
		}
		fmt.Fprintf(&b, "  reuse rate %s of elements\n", pct(res.ReuseRate))
		for _, w := range res.Warnings {
			fmt.Fprintf(&b, "  %s %s\n", p.paint(ansiBold+"\x1b[33m", "warning:"), w.Message)
		}
		b.WriteString("\n")
	}
	for _, e := range sortedErrors(r.Errors) {
		loc := e.File
		if e.Line > 0 {
			loc = fmt.Sprintf("%s:%d", e.File, e.Line)
		}
		fmt.Fprintf(&b, "%s  %s: %s\n", p.paint(ansiBold+ansiRed, "ERROR"), loc, e.Error)
	}
	fmt.Fprintf(&b, "%d checked, %d rejected, %d errors\n", len(r.Results), r.Rejected(), len(r.Errors))
	_, err := io.WriteString(w, b.String())
	return err
}

// writeFootage writes a video's footage check: the share of its frames
// found in library videos and, per library video, the matched stretches
// on both sides.
func writeFootage(b *strings.Builder, p painter, f *check.FootageResult) {
	if f == nil {
		return
	}
	line := fmt.Sprintf("footage %s of %d frames found in library videos (footage threshold %s)", pct(f.Duplication), f.Frames, pct(f.Threshold))
	if f.Frames > 0 && float64(f.Matched)/float64(f.Frames) > f.Threshold {
		line = p.paint(ansiBold+ansiRed, line)
	}
	fmt.Fprintf(b, "  %s\n", line)
	for _, m := range f.Matches {
		name := m.AssetID
		if m.Title != "" && m.Title != m.AssetID {
			name = fmt.Sprintf("%s (%s)", m.Title, m.AssetID)
		}
		var ranges []string
		for _, r := range m.Ranges {
			ranges = append(ranges, fmt.Sprintf("%s–%s ↔ %s–%s", clock(r.StartMs), clock(r.EndMs), clock(r.LibraryStartMs), clock(r.LibraryEndMs)))
		}
		fmt.Fprintf(b, "    %s %s of frames: %s\n", name, pct(m.Coverage), strings.Join(ranges, ", "))
	}
}

// clock formats a time in a video as m:ss.
func clock(ms int64) string { return fmt.Sprintf("%d:%02d", ms/60000, ms/1000%60) }

func writeElement(b *strings.Builder, p painter, e *check.ElementResult) {
	label := fmt.Sprintf("[%s %s]", e.Type.Chinese(), e.Type)
	fmt.Fprintf(b, "  %s %s  %s\n", p.paint(typeColor[e.Type], label), pct(e.Duplication), highlight(p, e))
	for _, m := range e.Matches {
		lic := ""
		if m.Licensed {
			lic = "  licensed (pack)"
		}
		if m.OwnVersion {
			lic += "  its own published version"
		}
		if ed := editedSpans(m); ed > 0 {
			lic += fmt.Sprintf("  edited copy (%d edited span(s))", ed)
		}
		fmt.Fprintf(b, "      ↳ %s (%s, %s)  containment %s, similarity %s%s\n",
			m.ElementID, m.AssetID, m.Type, pct(m.Containment), pct(m.Similarity), lic)
	}
}

// highlight marks the element text's matched spans (union over matches).
func highlight(p painter, e *check.ElementResult) string {
	rs := []rune(e.Text)
	marked := make([]bool, len(rs))
	for _, m := range e.Matches {
		for _, s := range m.Spans {
			for k := max(0, s.Start); k < min(s.End, len(rs)); k++ {
				marked[k] = true
			}
		}
	}
	var out strings.Builder
	open := false
	for i, r := range rs {
		if i >= maxTextRune {
			break
		}
		if marked[i] != open {
			open = marked[i]
			switch {
			case p.on && open:
				out.WriteString(ansiMatch)
			case p.on:
				out.WriteString(ansiReset)
			case open:
				out.WriteString(markOpen)
			default:
				out.WriteString(markClose)
			}
		}
		if r == '\n' {
			r = ' '
		}
		out.WriteRune(r)
	}
	if open {
		if p.on {
			out.WriteString(ansiReset)
		} else {
			out.WriteString(markClose)
		}
	}
	if len(rs) > maxTextRune {
		out.WriteString("…")
	}
	return out.String()
}

func pct(x float64) string { return fmt.Sprintf("%.1f%%", x*100) }

// levelNote is the platform level as the text report shows it: "level L3
// (30–50 %, throttled)", in red on a terminal when throttled.
func levelNote(p painter, l check.Level) string {
	if l == "" {
		return ""
	}
	note := fmt.Sprintf("level %s (%s)", l, l.Band())
	if l.Throttled() {
		return p.paint(ansiRed, fmt.Sprintf("level %s (%s, throttled)", l, l.Band()))
	}
	return note
}

// publishedNote is " (published T)" or "" when t is unknown.
func publishedNote(t string) string {
	if t == "" {
		return ""
	}
	return " (published " + t + ")"
}

// editedSpans counts a match's edited spans.
func editedSpans(m check.Match) int {
	n := 0
	for _, s := range m.Spans {
		if s.Kind == check.KindEdited {
			n++
		}
	}
	return n
}

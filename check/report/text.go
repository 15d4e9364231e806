package report

import (
	"fmt"
	"io"
	"strings"

	"elib/check"
	"elib/element"
	"elib/internal/i18n"
	"elib/pack"
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
	tr := r.Printer // nil: English
	var b strings.Builder
	if r.Library != "" {
		fmt.Fprintf(&b, "%s\n\n", p.paint(ansiFaint, tr.T("library: %s", r.Library)))
	}
	for _, res := range r.Results {
		verdict := p.paint(ansiBold+ansiGreen, tr.T("PASS"))
		if res.Verdict == check.Reject {
			verdict = p.paint(ansiBold+ansiRed, tr.T("REJECT"))
		}
		fmt.Fprintf(&b, "%s  %s  %s  %s\n", verdict, res.File,
			tr.T("duplication %s (threshold %s)", pct(res.Duplication), pct(r.Threshold)), levelNote(p, tr, res.Level))
		if res.AssetID != res.File {
			b.WriteString(tr.T("  asset %s\n", res.AssetID))
		}
		if res.AlreadyInLibrary {
			b.WriteString(tr.T("  already in the library as %s (itself not counted)\n", res.AssetID))
		}
		if ov := res.OwnVersion; ov != nil {
			b.WriteString(tr.T("  checked against its own published version %s%s\n", ov.AssetID, publishedNote(tr, r.localTime(ov.Published))))
		}
		if res.Pack != "" {
			b.WriteString(tr.T("  variant of pack %s: %s of the text is the pack's licensed material (the verdict counts the other %s)\n",
				res.Pack, pct(res.LicensedDuplication), pct(max(0, res.Duplication-res.LicensedDuplication))))
		}
		if res.Reason != "" {
			fmt.Fprintf(&b, "  %s %s\n", p.paint(ansiBold+ansiRed, tr.T("reason:")), reasonText(tr, res.Reason))
		}
		for i := range res.Elements {
			writeElement(&b, p, tr, &res.Elements[i])
		}
		writeFootage(&b, p, tr, res.Footage)
		if src := topSources(res, 3); len(src) > 0 {
			parts := make([]string, len(src))
			for i, s := range src {
				parts[i] = tr.T("%s (%d chars)", s.AssetID, s.Chars)
			}
			b.WriteString(tr.T("  top sources: %s\n", strings.Join(parts, tr.T(", "))))
		}
		b.WriteString(tr.T("  reuse rate %s of elements (at least 80 %% contained in one library element; duplication counts copied characters)\n", pct(res.ReuseRate)))
		for _, w := range res.Warnings {
			fmt.Fprintf(&b, "  %s %s\n", p.paint(ansiBold+"\x1b[33m", tr.T("warning:")), warningText(tr, r, res, w))
		}
		b.WriteString("\n")
	}
	for _, e := range sortedErrors(r.Errors) {
		loc := e.File
		if e.Line > 0 {
			loc = fmt.Sprintf("%s:%d", e.File, e.Line)
		}
		fmt.Fprintf(&b, "%s  %s: %s\n", p.paint(ansiBold+ansiRed, tr.T("ERROR")), loc, e.In(tr).Error)
	}
	if anyMatch(r) {
		b.WriteString(p.paint(ansiFaint, tr.T("containment: the share of an element's 5-character runs found in that one library element; an element's duplication counts what all its matches cover, so it can exceed each containment\n")))
	}
	b.WriteString(tr.T("%d checked, %d rejected, %d errors\n", len(r.Results), r.Rejected(), len(r.Errors)))
	_, err := io.WriteString(w, b.String())
	return err
}

// writeFootage writes a video's footage check: the share of its frames
// found in library videos and, per library video, the matched stretches
// on both sides.
func writeFootage(b *strings.Builder, p painter, tr *i18n.Printer, f *check.FootageResult) {
	if f == nil {
		return
	}
	line := tr.T("footage %s of %d frames found in library videos (footage threshold %s)", pct(f.Duplication), f.Frames, pct(f.Threshold))
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
		b.WriteString(tr.T("    %s %s of frames: %s\n", name, pct(m.Coverage), strings.Join(ranges, tr.T(", "))))
	}
}

// clock formats a time in a video as m:ss.
func clock(ms int64) string { return fmt.Sprintf("%d:%02d", ms/60000, ms/1000%60) }

func writeElement(b *strings.Builder, p painter, tr *i18n.Printer, e *check.ElementResult) {
	label := fmt.Sprintf("[%s %s]", e.Type.Chinese(), e.Type)
	fmt.Fprintf(b, "  %s %s  %s\n", p.paint(typeColor[e.Type], label), pct(e.Duplication), highlight(p, e))
	for _, m := range e.Matches {
		lic := ""
		if m.Licensed {
			lic = tr.T("  licensed (pack)")
		}
		if m.OwnVersion {
			lic += tr.T("  its own published version")
		}
		if ed := editedSpans(m); ed > 0 {
			lic += tr.T("  edited copy (%d edited span(s))", ed)
		}
		b.WriteString(tr.T("      ↳ %s (%s, %s)  containment %s, similarity %s%s\n",
			m.ElementID, m.AssetID, m.Type, pct(m.Containment), pct(m.Similarity), lic))
	}
}

// reasonText is a verdict's reason in tr's language (a pack's slot rule
// is known; any other reason is shown as the check gave it).
func reasonText(tr *i18n.Printer, reason string) string {
	if rest, ok := strings.CutPrefix(reason, pack.ReasonSlotNotReplaced); ok {
		return tr.T("slot not replaced") + rest
	}
	return reason
}

// warningText is a warning in tr's language: a fatigued element is said
// from the warning's fields, any other kind as the check gave it.
func warningText(tr *i18n.Printer, r *Report, res *check.Result, w check.Warning) string {
	if w.Kind == pack.WarnNotVariant && tr.Chinese() {
		return tr.T("none of pack %s's fixed elements is in this script: it is not a variant of the pack (check it without --pack, or with its own pack)", res.Pack)
	}
	if w.Kind != check.WarnFatigued || !tr.Chinese() || w.Element < 0 || w.Element >= len(res.Elements) {
		return w.Message
	}
	uses := make([]string, len(w.Uses))
	for i, u := range w.Uses {
		uses[i] = u.AssetID
	}
	return tr.T("%s element reuses %s, a fatigued element: %d assets reused it within %d days (%s)",
		res.Elements[w.Element].Type.Chinese(), w.ElementID, len(w.Uses), w.Days, strings.Join(uses, tr.T(", ")))
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
func levelNote(p painter, tr *i18n.Printer, l check.Level) string {
	if l == "" {
		return ""
	}
	if l.Throttled() {
		return p.paint(ansiRed, tr.T("level %s (%s, throttled)", l, l.Band()))
	}
	return tr.T("level %s (%s)", l, l.Band())
}

// publishedNote is " (published T)" or "" when t is unknown.
func publishedNote(tr *i18n.Printer, t string) string {
	if t == "" {
		return ""
	}
	return tr.T(" (published %s)", t)
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

// anyMatch reports whether any checked element matched library material.
func anyMatch(r *Report) bool {
	for _, res := range r.Results {
		for _, e := range res.Elements {
			if len(e.Matches) > 0 {
				return true
			}
		}
	}
	return false
}

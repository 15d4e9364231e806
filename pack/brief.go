package pack

import (
	"context"
	"elib/internal/i18n/msg"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"unicode/utf8"

	"elib/element"
	"elib/fulltext"
	"elib/library/kit"
)

// Searcher finds library elements; every kit.Library is one.
type Searcher interface {
	Search(ctx context.Context, q fulltext.Query) (*fulltext.Result, error)
}

// Brief is the creator brief of a pack: what `elib pack export` writes.
// JSON field names are part of the product.
type Brief struct {
	ID       string         `json:"id"`
	Title    string         `json:"title"`
	Note     string         `json:"note,omitempty"`
	From     string         `json:"from"`
	Created  string         `json:"created"`
	Elements []BriefElement `json:"elements"`
}

// BriefElement is one element of the brief.
type BriefElement struct {
	// Index is the 1-based position; Role is "fixed" or "slot".
	Index int    `json:"index"`
	Role  string `json:"role"`
	// Type and TypeZh name the element type in English and Chinese.
	Type   element.Type `json:"type"`
	TypeZh string       `json:"type_zh"`
	// StartMs and EndMs are its time in the hit, when known; Seconds its
	// length (the type's typical length when the hit had no times).
	StartMs *int64  `json:"start_ms,omitempty"`
	EndMs   *int64  `json:"end_ms,omitempty"`
	Seconds float64 `json:"seconds"`
	// Chars is the length of its copy text in characters.
	Chars      int            `json:"chars"`
	Text       string         `json:"text"`
	Attributes map[string]any `json:"attributes,omitempty"`
	// Must says what a slot has to do (slots only).
	Must string `json:"must,omitempty"`
	// Inspiration lists the library's most played elements of the slot's
	// type, to learn from, never to copy (slots only).
	Inspiration []Inspiration `json:"inspiration,omitempty"`
}

// Inspiration is a well-performing library element shown to a creator.
type Inspiration struct {
	ElementID string   `json:"element_id"`
	AssetID   string   `json:"asset_id"`
	Title     string   `json:"title,omitempty"`
	Text      string   `json:"text"`
	Plays     *float64 `json:"plays,omitempty"`
	// DoNotCopy is always true: copying it would fail the check.
	DoNotCopy bool `json:"do_not_copy"`
}

// typical lengths (seconds) and jobs of each type (SPEC §1).
var typeInfo = map[element.Type]struct {
	seconds float64
	must    string
}{
	element.Hook:        {3, "抓住前 3 秒：用你自己的人设、画面和一句话开场，说出观众的痛点或好奇点。Grab attention in the first 3 seconds with your own persona, shot and line."},
	element.Conflict:    {8, "讲出痛点或反转：让观众觉得“说的就是我”。State the pain point or the twist."},
	element.Testimonial: {15, "给出证据：你自己的使用感受、效果或演示。Give proof: your own experience, result or demo."},
	element.Conversion:  {30, "号召行动：优惠、链接、紧迫感。Call to action: offer, link, urgency."},
	element.Story:       {60, "讲一个完整的小故事，带出产品。Tell a short story that brings in the product."},
	element.Other:       {5, "用你自己的话重写这一段。Rewrite this part in your own words."},
}

// NewBrief builds the brief of p: every element, and for each slot its
// length, its job and up to n of the library's most played elements of its
// type as inspiration (s may be nil: no inspiration).
func NewBrief(ctx context.Context, p kit.Pack, s Searcher, n int) (*Brief, error) {
	b := &Brief{ID: p.ID, Title: p.Title, Note: p.Note, From: p.From, Created: p.Created}
	insp := map[element.Type][]Inspiration{}
	for _, t := range SlotTypes(p) {
		if s == nil || n <= 0 {
			break
		}
		res, err := s.Search(ctx, fulltext.Query{Type: string(t), Sort: fulltext.SortPlays, Limit: n + 8})
		if err != nil {
			return nil, msg.Errorf("brief %s: inspiration for %s: %w", p.ID, t, err)
		}
		for _, h := range res.Hits {
			if h.AssetID == p.From || h.Plays == nil {
				continue // the hit itself, or no result to learn from
			}
			insp[t] = append(insp[t], Inspiration{ElementID: h.ID, AssetID: h.AssetID, Title: h.Title, Text: h.Text, Plays: h.Plays, DoNotCopy: true})
			if len(insp[t]) == n {
				break
			}
		}
	}
	for i, e := range p.Elements {
		t := element.Type(e.Type)
		be := BriefElement{Index: i + 1, Role: "fixed", Type: t, TypeZh: t.Chinese(), StartMs: e.StartMs, EndMs: e.EndMs,
			Chars: utf8.RuneCountInString(e.Text), Text: e.Text, Attributes: e.Attributes, Seconds: typeInfo[t].seconds}
		if e.StartMs != nil && e.EndMs != nil && *e.EndMs > *e.StartMs {
			be.Seconds = float64(*e.EndMs-*e.StartMs) / 1000
		}
		if e.Slot {
			be.Role = "slot"
			be.Must = typeInfo[t].must
			be.Inspiration = insp[t]
		}
		b.Elements = append(b.Elements, be)
	}
	return b, nil
}

// Formats lists the export formats.
var Formats = []string{"md", "html", "json"}

// Write renders the brief as md, html or json.
func (b *Brief) Write(w io.Writer, format string) error {
	switch format {
	case "md", "markdown":
		return b.markdown(w)
	case "html":
		return briefHTML.Execute(w, b)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
	}
	return msg.Errorf("unknown export format %q (want one of %v)", format, Formats)
}

func (b *Brief) markdown(w io.Writer) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "# 创作说明书 · %s\n\n", mdLine(b.Title))
	fmt.Fprintf(&sb, "Pack %s, from the hit %s (%s).\n\n", mdCode(b.ID), mdCode(b.From), mdLine(b.Created))
	if b.Note != "" {
		fmt.Fprintf(&sb, "> %s\n\n", mdQuote(b.Note))
	}
	sb.WriteString("固定元件保持原样（已授权复用）；**替换位**必须用你自己的内容重写——沿用原文或抄其他素材会被判“slot not replaced”。\n")
	sb.WriteString("Keep the fixed elements as they are (licensed); write every **slot** yourself.\n\n")
	for _, e := range b.Elements {
		role := "固定 fixed"
		if e.Role == "slot" {
			role = "**替换位 SLOT**"
		}
		fmt.Fprintf(&sb, "## %d. %s %s — %s\n\n", e.Index, e.TypeZh, e.Type, role)
		fmt.Fprintf(&sb, "- time: %s · %.1f s · %d characters\n", timeRange(e), e.Seconds, e.Chars)
		if len(e.Attributes) > 0 {
			fmt.Fprintf(&sb, "- 属性 attributes: %s\n", mdLine(attrs(e.Attributes)))
		}
		if e.Role == "slot" {
			fmt.Fprintf(&sb, "- must: %s\n- length: about %.0f s and %d characters\n\n", e.Must, e.Seconds, e.Chars)
			fmt.Fprintf(&sb, "Original (for reference only — replace it):\n\n> %s\n\n", mdQuote(e.Text))
			if len(e.Inspiration) > 0 {
				sb.WriteString("Inspiration from the library's most played elements — 仅供参考，请勿照抄 (do not copy):\n\n")
				for _, in := range e.Inspiration {
					fmt.Fprintf(&sb, "- %s (%s, %.0f plays) — DO NOT COPY\n", mdLine(in.Text), mdCode(in.ElementID), *in.Plays)
				}
				sb.WriteString("\n")
			}
			continue
		}
		fmt.Fprintf(&sb, "\n> %s\n\n", mdQuote(e.Text))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// mdEscaper makes library text plain text in Markdown: no raw HTML
// (<script>, <img onerror>), no links or images ([x](javascript:…)), no
// emphasis or headings slipped in.
var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`,
	"#", `\#`, "|", `\|`, "!", `\!`, "~", `\~`,
	"\r", " ",
)

// mdLine is s as one line of Markdown text.
func mdLine(s string) string {
	return strings.ReplaceAll(mdEscaper.Replace(s), "\n", " ")
}

// mdQuote is s as the text of a Markdown block quote (its lines stay in
// the quote).
func mdQuote(s string) string {
	return strings.ReplaceAll(mdEscaper.Replace(s), "\n", "\n> ")
}

// mdCode is s as a Markdown code span (shown literally), or as escaped
// text when it holds characters a lax renderer could take for HTML or
// the span's end.
func mdCode(s string) string {
	if strings.ContainsAny(s, "<>&`\r\n") {
		return mdLine(s)
	}
	return "`" + s + "`"
}

func timeRange(e BriefElement) string {
	if e.StartMs == nil || e.EndMs == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f–%.1f s", float64(*e.StartMs)/1000, float64(*e.EndMs)/1000)
}

// attrs shows an element's attributes labelled for a creator (镜头
// camera：特写), never as raw keys.
func attrs(m map[string]any) string { return element.FormatAttributes(m) }

var briefHTML = template.Must(template.New("brief").Funcs(template.FuncMap{
	"timeRange": timeRange,
	"attrs":     attrs,
	"plays":     func(p *float64) string { return fmt.Sprintf("%.0f", *p) },
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>创作说明书 · {{.Title}}</title>
<style>
body{font:15px/1.6 system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;color:#212529}
.el{border-left:5px solid #868e96;padding:.4rem .8rem;margin:1rem 0;background:#f8f9fa}
.slot{border-color:#c92a2a;background:#fff5f5}.role{font-weight:bold}.slot .role{color:#c92a2a}
.muted{color:#6c757d}.dnc{color:#c92a2a;font-weight:bold}blockquote{margin:.4rem 0;padding-left:.8rem;border-left:3px solid #dee2e6}
@media print{.el{break-inside:avoid}}
</style></head><body>
<h1>创作说明书 · {{.Title}}</h1>
<p class="muted">Pack <code>{{.ID}}</code> · from <code>{{.From}}</code> · {{.Created}}</p>
{{if .Note}}<blockquote>{{.Note}}</blockquote>{{end}}
<p>固定元件保持原样（已授权复用）；<b>替换位</b>必须用你自己的内容重写。Keep the fixed elements; write every slot yourself.</p>
{{range .Elements}}<section class="el {{.Role}}" data-role="{{.Role}}" data-type="{{.Type}}">
<h2>{{.Index}}. {{.TypeZh}} {{.Type}} — <span class="role">{{if eq .Role "slot"}}替换位 SLOT{{else}}固定 fixed{{end}}</span></h2>
<p class="muted">{{timeRange .}} · {{printf "%.1f" .Seconds}} s · {{.Chars}} characters{{if .Attributes}} · {{attrs .Attributes}}{{end}}</p>
{{if eq .Role "slot"}}<p><b>Must:</b> {{.Must}}</p><p class="muted">Original, for reference only — replace it:</p>{{end}}
<blockquote>{{.Text}}</blockquote>
{{if .Inspiration}}<p>Inspiration — <span class="dnc">仅供参考，请勿照抄 · do not copy</span></p><ul>
{{range .Inspiration}}<li data-do-not-copy="true">{{.Text}} <span class="muted">({{.ElementID}}, {{plays .Plays}} plays)</span> <span class="dnc">DO NOT COPY</span></li>
{{end}}</ul>{{end}}
</section>
{{end}}</body></html>
`))

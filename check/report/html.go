package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"elib/check"
)

// HTML report: one self-contained page (inline style, no script, nothing
// fetched) a writer can save or print to PDF — the verdict and level, the
// duplication against the threshold line, every source with its share of
// the text (总复制比 is the duplication, 单篇最大复制比 the largest single
// source), and the matched spans side by side. `elib check --format html`
// and the web page's printable report both render it.

// htmlSource is one source asset of a result.
type htmlSource struct {
	AssetID string
	Chars   int
	Share   float64
	// Info names the source: title, account, platform, published date.
	Info SourceInfo
}

// htmlSide is one match shown side by side.
type htmlSide struct {
	Match   check.Match
	Source  SourceInfo
	Edited  bool // the match has an edited span
	Mine    []htmlPiece
	Library []htmlPiece
}

// htmlPiece is a run of text, marked when matched; Edit marks what an
// edited copy changed (inside a matched stretch, not counted).
type htmlPiece struct {
	Text string
	Mark bool
	Edit bool
}

// htmlElement is one element of a result.
type htmlElement struct {
	E     *check.ElementResult
	Index int
	Sides []htmlSide
}

// htmlThumb is a pair of matched frames, as image URLs.
type htmlThumb struct {
	At, LibraryAt    string
	Checked, Library template.URL
}

// htmlFootage is one library video a checked video's footage matches.
type htmlFootage struct {
	M      check.FootageMatch
	Source SourceInfo
	Ranges []string
	Thumbs []htmlThumb
}

// htmlResult is one checked asset.
type htmlResult struct {
	R         *check.Result
	Footage   []htmlFootage
	Title     string
	Sources   []htmlSource
	MaxSource float64
	Elements  []htmlElement
	Throttled bool
}

type htmlData struct {
	Threshold float64
	Library   string
	Version   string
	// Checked (in Asia/Shanghai) and Checker: when and by whom.
	Checked  string
	Checker  string
	Results  []htmlResult
	Errors   []FileError
	Rejected int
}

// marks splits text into pieces, marking code points [start, end) of
// spans, and of edits as changed.
func marks(text string, spans, edits [][2]int) []htmlPiece {
	rs := []rune(text)
	const mark, edit = 1, 2
	on := make([]byte, len(rs))
	for _, sp := range spans {
		for k := max(0, sp[0]); k < min(sp[1], len(rs)); k++ {
			on[k] = mark
		}
	}
	for _, sp := range edits {
		for k := max(0, sp[0]); k < min(sp[1], len(rs)); k++ {
			on[k] = edit
		}
	}
	var out []htmlPiece
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && on[j] == on[i] {
			j++
		}
		out = append(out, htmlPiece{Text: string(rs[i:j]), Mark: on[i] == mark, Edit: on[i] == edit})
		i = j
	}
	return out
}

// spanRanges returns a match's spans and their edits as code-point
// ranges of the checked text (mine) or of the library text.
func spanRanges(m check.Match, mine bool) (spans, edits [][2]int) {
	for _, s := range m.Spans {
		if mine {
			spans = append(spans, [2]int{s.Start, s.End})
		} else {
			spans = append(spans, [2]int{s.LibraryStart, s.LibraryEnd})
		}
		for _, e := range s.Edits {
			if mine {
				edits = append(edits, [2]int{e.Start, e.End})
			} else {
				edits = append(edits, [2]int{e.LibraryStart, e.LibraryEnd})
			}
		}
	}
	return spans, edits
}

func htmlResults(r *Report) htmlData {
	d := htmlData{Threshold: r.Threshold, Library: r.Library, Version: r.Version, Errors: sortedErrors(r.Errors), Rejected: r.Rejected(), Checker: r.Checker}
	if !r.Checked.IsZero() {
		d.Checked = r.Checked.In(r.zone()).Format("2006-01-02 15:04:05 (UTC-07:00)")
	}
	for _, res := range r.Results {
		hr := htmlResult{R: res, Title: res.Title, Throttled: res.Level.Throttled()}
		if hr.Title == "" {
			hr.Title = res.File
		}
		for _, s := range res.Sources() {
			share := 0.0
			if res.Countable > 0 {
				share = min(1, float64(s.Chars)/float64(res.Countable))
			}
			hr.Sources = append(hr.Sources, htmlSource{AssetID: s.AssetID, Chars: s.Chars, Share: share, Info: r.source(s.AssetID)})
			hr.MaxSource = max(hr.MaxSource, share)
		}
		if f := res.Footage; f != nil {
			for _, m := range f.Matches {
				hf := htmlFootage{M: m, Source: r.source(m.AssetID)}
				if hf.Source.Title == "" && m.Title != "" {
					hf.Source.Title = m.Title
				}
				for _, rg := range m.Ranges {
					hf.Ranges = append(hf.Ranges, fmt.Sprintf("%s–%s ↔ %s–%s", clock(rg.StartMs), clock(rg.EndMs), clock(rg.LibraryStartMs), clock(rg.LibraryEndMs)))
				}
				for _, t := range m.Thumbs {
					hf.Thumbs = append(hf.Thumbs, htmlThumb{At: clock(t.AtMs), LibraryAt: clock(t.LibraryAtMs),
						Checked: imageURL(t.Checked), Library: imageURL(t.Library)})
				}
				hr.Footage = append(hr.Footage, hf)
			}
		}
		for i := range res.Elements {
			e := &res.Elements[i]
			he := htmlElement{E: e, Index: i + 1}
			for _, m := range e.Matches {
				mine, mineEdits := spanRanges(m, true)
				lib, libEdits := spanRanges(m, false)
				he.Sides = append(he.Sides, htmlSide{Match: m, Source: r.source(m.AssetID), Edited: len(mineEdits) > 0 || len(libEdits) > 0,
					Mine: marks(e.Text, mine, mineEdits), Library: marks(m.Text, lib, libEdits)})
			}
			hr.Elements = append(hr.Elements, he)
		}
		d.Results = append(d.Results, hr)
	}
	return d
}

func writeHTML(w io.Writer, r *Report) error {
	if err := reportHTML.Execute(w, htmlResults(r)); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

// imageURL passes the data: URI of a JPEG thumbnail to the template;
// anything else is dropped.
func imageURL(s string) template.URL {
	if strings.HasPrefix(s, "data:image/jpeg;base64,") {
		return template.URL(s)
	}
	return ""
}

// pctHTML formats a ratio as the report shows it ("71.0 %").
func pctHTML(x float64) string { return fmt.Sprintf("%.1f %%", x*100) }

var reportHTML = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":   pctHTML,
	"width": func(x float64) template.CSS { return template.CSS(fmt.Sprintf("width:%.2f%%", min(1, x)*100)) },
	"left":  func(x float64) template.CSS { return template.CSS(fmt.Sprintf("left:%.2f%%", min(1, x)*100)) },
	"zh":    func(t interface{ Chinese() string }) string { return t.Chinese() },
	"raw":   func(x float64) string { return fmt.Sprintf("%.4f", x) },
	"join":  strings.Join,
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>查重报告 · elib check report</title>
<style>
body{font:14px/1.6 system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#212529;max-width:1000px;margin:1.5rem auto;padding:0 1rem}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .4rem}
.muted{color:#6c757d}.verdict{display:inline-block;padding:.1rem .7rem;border-radius:4px;color:#fff;font-weight:bold;margin-right:.5rem}
.pass{background:#2b8a3e}.reject{background:#c92a2a}
.figures{display:flex;gap:1.5rem;flex-wrap:wrap;margin:.4rem 0}.figures div{min-width:9rem}.figures b{font-size:1.3rem;display:block}
.bar{position:relative;height:20px;background:#e9ecef;border-radius:4px;margin:.6rem 0 1.6rem}
.bar .fill{position:absolute;left:0;top:0;bottom:0;background:#2b8a3e;border-radius:4px}.bar.reject .fill{background:#c92a2a}
.bar .line{position:absolute;top:-4px;bottom:-4px;width:2px;background:#000}.bar .line span{position:absolute;top:24px;left:-2em;font-size:.75rem;white-space:nowrap}
.bar .band{position:absolute;top:0;bottom:0;width:1px;background:rgba(0,0,0,.25)}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dee2e6;padding:.25rem .4rem;text-align:left;vertical-align:top}
.side{display:grid;grid-template-columns:1fr 1fr;gap:.8rem;margin:.3rem 0 .8rem}.side div{background:#f8f9fa;padding:.3rem .5rem;white-space:pre-wrap;word-break:break-word}
.thumbs img{max-width:100%;max-height:220px;display:block}
mark{background:#ffe066}ins{background:#ffc9c9;text-decoration:underline wavy #c92a2a}del{background:#ffc9c9;color:#868e96}.licensed mark{background:#b2f2bb}.el{border-left:4px solid #adb5bd;padding-left:.6rem;margin:.8rem 0}
.warn{color:#e67700}.reason{color:#c92a2a;font-weight:bold}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.4rem 0 1rem}.meta dt{color:#6c757d}.meta dd{margin:0}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:.8rem;font-size:.8rem;color:#6c757d;margin-top:.4rem}
@media print{body{margin:0;max-width:none}.el,.side{break-inside:avoid}}
</style></head><body>
<h1>查重报告 <span class="muted">elib check report</span></h1>
<dl class="meta">
{{if .Checked}}<dt>检查时间 checked</dt><dd class="checked">{{.Checked}}</dd>{{end}}
{{if .Library}}<dt>元件库 library</dt><dd class="library">{{.Library}}</dd>{{end}}
{{if .Checker}}<dt>检查人 checker</dt><dd class="checker">{{.Checker}}</dd>{{end}}
<dt>阈值 threshold</dt><dd>{{pct .Threshold}} · {{len .Results}} 篇 checked, {{.Rejected}} 篇回炉 rejected{{if .Version}} · elib {{.Version}}{{end}}</dd>
</dl>
{{range .Results}}{{$r := .R}}
<section class="result" data-file="{{$r.File}}" data-verdict="{{$r.Verdict}}" data-duplication="{{raw $r.Duplication}}" data-level="{{$r.Level}}" data-max-source="{{raw .MaxSource}}">
<h2><span class="verdict {{$r.Verdict}}">{{if eq $r.Verdict "reject"}}回炉 REJECT{{else}}通过 PASS{{end}}</span>{{.Title}}</h2>
<p class="muted">文件 file {{$r.File}}{{if and $r.AssetID (ne $r.AssetID "-") (ne $r.AssetID $r.File)}} · 素材 asset {{$r.AssetID}}{{end}}{{if $r.Pack}} · variant of pack {{$r.Pack}}{{end}}</p>
{{if $r.Reason}}<p class="reason">{{$r.Reason}}</p>{{end}}
<div class="figures">
<div>总复制比 duplication<b class="dup">{{pct $r.Duplication}}</b></div>
{{if $r.Pack}}<div>授权复用 licensed (pack)<b class="licensed">{{pct $r.LicensedDuplication}}</b></div>{{end}}
<div>单篇最大复制比 largest source<b class="maxsrc">{{pct .MaxSource}}</b></div>
<div>平台分级 level<b class="level">{{$r.Level}}{{if .Throttled}} 限流{{end}}</b></div>
<div>元件复用率 reuse<b>{{pct $r.ReuseRate}}</b></div>
</div>
<div class="bar {{$r.Verdict}}"><div class="fill" style="{{width $r.Duplication}}"></div>
<div class="band" style="left:10%"></div><div class="band" style="left:30%"></div><div class="band" style="left:50%"></div><div class="band" style="left:80%"></div>
<div class="line" style="{{left $.Threshold}}"><span>阈值 {{pct $.Threshold}}</span></div></div>
{{range $r.Warnings}}<p class="warn">⚠ {{.Message}}</p>{{end}}
{{with $r.Footage}}<h3>画面 Footage</h3>
<div class="figures footage" data-footage="{{raw .Duplication}}">
<div>画面重复率 footage duplication<b class="footage-dup">{{pct .Duplication}}</b></div>
<div>帧 frames<b>{{.Matched}} / {{.Frames}}</b></div>
<div>画面阈值 footage threshold<b>{{pct .Threshold}}</b></div>
</div>{{end}}
{{range .Footage}}<div class="el footage-match" data-asset="{{.M.AssetID}}" data-coverage="{{raw .M.Coverage}}"><b>{{.Source.Name}}</b> · {{pct .M.Coverage}} of frames 帧重合
<p class="muted">待检视频 ↔ 库内视频 checked ↔ library: {{join .Ranges ", "}}</p>
{{range .Thumbs}}<div class="cols"><span>待检视频 checked {{.At}}</span><span>库内视频 library {{.LibraryAt}}</span></div>
<div class="side thumbs"><div>{{if .Checked}}<img src="{{.Checked}}" alt="checked {{.At}}">{{else}}—{{end}}</div><div>{{if .Library}}<img src="{{.Library}}" alt="library {{.LibraryAt}}">{{else}}<span class="muted">库内视频不在本机 library video not on this machine</span>{{end}}</div></div>
{{end}}</div>
{{end}}
<h3>来源 Sources</h3>
{{if .Sources}}<table class="sources"><tr><th>库内素材 library asset</th><th>账号 account</th><th>平台 platform</th><th>发布 published</th><th>字数 characters</th><th>占比 share</th></tr>
{{range .Sources}}<tr data-asset="{{.AssetID}}" data-share="{{raw .Share}}"><td><b class="title">{{.Info.Name}}</b>{{if .Info.Title}}<br><span class="muted path">{{.AssetID}}</span>{{end}}</td><td class="account">{{.Info.Account}}</td><td class="platform">{{.Info.Platform}}</td><td class="published">{{.Info.Published}}</td><td>{{.Chars}}</td><td>{{pct .Share}}</td></tr>
{{end}}</table>{{else}}<p class="muted">没有来源 — nothing copied without licence.</p>{{end}}
<h3>元件 Elements</h3>
{{range .Elements}}<div class="el" data-type="{{.E.Type}}"><b>{{.Index}}. {{zh .E.Type}} {{.E.Type}}</b> · {{pct .E.Duplication}}
{{range .Sides}}<p class="muted">↳ {{.Source.Name}}{{with .Source.Detail}}（{{.}}）{{end}} · {{.Match.ElementID}} · similarity {{pct .Match.Similarity}} · containment {{pct .Match.Containment}}{{if .Match.Licensed}} · licensed 授权复用{{end}}{{if .Edited}} · <b>洗稿 edited copy</b>: 改动处标红 changes marked{{end}}{{if .Match.OwnVersion}} · 本稿已发布版本 its own published version{{end}}</p>
<div class="cols"><span>待检稿 checked draft</span><span>库内素材 library: {{.Source.Name}}</span></div>
<div class="side{{if .Match.Licensed}} licensed{{end}}"><div>{{range .Mine}}{{if .Mark}}<mark>{{.Text}}</mark>{{else if .Edit}}<ins title="改写 edited">{{.Text}}</ins>{{else}}{{.Text}}{{end}}{{end}}</div><div>{{range .Library}}{{if .Mark}}<mark>{{.Text}}</mark>{{else if .Edit}}<del title="原文 original">{{.Text}}</del>{{else}}{{.Text}}{{end}}{{end}}</div></div>
{{else}}<div class="cols"><span>待检稿 checked draft</span><span>库内素材 library</span></div><div class="side"><div>{{.E.Text}}</div><div class="muted">—</div></div>{{end}}
</div>
{{end}}</section>
{{end}}
<section class="explain">
<h3>指标说明 What the figures mean</h3>
<dl class="meta">
<dt>总复制比 duplication</dt><dd>待检稿中被库内素材覆盖的字数占比（授权复用不计入判定）。The share of the draft's characters that library material covers.</dd>
<dt>元件复用率 reuse</dt><dd>至少 80 % 的内容出现在同一个库内元件里的元件，占全部元件的比例：一篇稿子可以复制了大量文字而只有少数元件整体照搬，所以它常低于总复制比。The share of the draft's elements that are at least 80 % contained in one library element; a draft can copy much text while few elements are copied whole.</dd>
<dt>包含度 containment</dt><dd>本元件中连续 5 字片段出现在这一个库内元件里的比例。一个元件可能分别抄了几个库内元件，所以元件的重复度（所有匹配合计覆盖的字数）可以高于每个匹配的包含度。The share of this element's 5-character runs found in that one library element; an element's duplication counts what all its matches cover, so it can exceed each match's containment.</dd>
<dt>相似度 similarity</dt><dd>两个元件整体的相似程度（双方字片段的重合）。How alike the two elements are as wholes.</dd>
</dl>
</section>
{{if .Errors}}<h2>无法处理的输入 Inputs not checked</h2><ul>{{range .Errors}}<li>{{.String}}</li>{{end}}</ul>{{end}}
</body></html>
`))

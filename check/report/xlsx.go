package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"elib/check"
)

// Excel workbook (`elib check --format xlsx -o report.xlsx`, the page's
// 导出 Excel): a sheet 检查结果 with one row per checked file — file, title,
// verdict, duplication, level, the top sources with their titles and
// accounts, reasons and warnings — and a sheet 重复片段 with one row per
// matched span (the checked text and the library text side by side).
// Numbers are numbers (duplication as a percentage format), so a team can
// sort and filter in Excel or LibreOffice.

// Sheet names of the workbook.
const (
	SheetResults = "检查结果"
	SheetSpans   = "重复片段"
)

// xlsxTopSources is how many sources a result row names.
const xlsxTopSources = 3

func writeXLSX(w io.Writer, r *Report) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetResults); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if _, err := f.NewSheet(SheetSpans); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	pctStyle, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	headStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#E9ECEF"}}})
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}

	head := []any{"文件 file", "素材ID asset id", "标题 title", "结论 verdict", "重复度 duplication", "平台分级 level", "授权复用 licensed_duplication", "元件复用率 reuse rate",
		"来源1 source 1", "来源1占比 share", "来源2 source 2", "来源2占比 share", "来源3 source 3", "来源3占比 share", "原因 reason", "提示 warnings", "检查时间 checked", "检查人 checker", "元件库 library", "创作包 pack", "复制方式 span kind"}
	sw, err := f.NewStreamWriter(SheetResults)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetColWidth(1, 3, 24); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetColWidth(9, 14, 30); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetRow("A1", cells(head, headStyle)); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	checked := ""
	if !r.Checked.IsZero() {
		checked = r.Checked.In(r.zone()).Format("2006-01-02 15:04:05")
	}
	row := 2
	for _, res := range r.Results {
		vals := []any{res.File, res.AssetID, res.Title, verdictZH(res.Verdict), excelize.Cell{Value: res.Duplication, StyleID: pctStyle},
			string(res.Level), licensedCell(res, pctStyle), excelize.Cell{Value: res.ReuseRate, StyleID: pctStyle}}
		top := topSources(res, xlsxTopSources)
		for i := 0; i < xlsxTopSources; i++ {
			if i < len(top) {
				share := 0.0
				if res.Countable > 0 {
					share = float64(top[i].Chars) / float64(res.Countable)
				}
				vals = append(vals, sourceText(r.source(top[i].AssetID)), excelize.Cell{Value: share, StyleID: pctStyle})
			} else {
				vals = append(vals, nil, nil)
			}
		}
		var warns []string
		for _, w := range res.Warnings {
			warns = append(warns, w.Message)
		}
		vals = append(vals, res.Reason, strings.Join(warns, "\n"), checked, r.Checker, r.Library, res.Pack, kindText(SpanKind(res)))
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := sw.SetRow(cell, vals); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		row++
	}
	for _, e := range sortedErrors(r.Errors) {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := sw.SetRow(cell, []any{e.File, nil, nil, "错误 error", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, e.String()}); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		row++
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}

	sw, err = f.NewStreamWriter(SheetSpans)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := sw.SetColWidth(7, 8, 50); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	spanHead := []any{"文件 file", "元件 element", "类型 type", "来源 source", "来源元件 library element", "待检稿 checked text", "库内素材 library text", "起 start", "止 end", "库起 library start", "库止 library end", "授权 licensed", "相似度 similarity", "包含度 containment", "复制方式 kind", "改写处 edits"}
	if err := sw.SetRow("A1", cells(spanHead, headStyle)); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	row = 2
	for _, res := range r.Results {
		for i := range res.Elements {
			e := &res.Elements[i]
			for _, m := range e.Matches {
				for _, s := range m.Spans {
					vals := []any{res.File, i + 1, e.Type.Chinese() + " " + string(e.Type), sourceText(r.source(m.AssetID)), m.ElementID,
						runeSlice(e.Text, s.Start, s.End), runeSlice(m.Text, s.LibraryStart, s.LibraryEnd), s.Start, s.End, s.LibraryStart, s.LibraryEnd,
						yesNo(s.Licensed || m.Licensed), excelize.Cell{Value: m.Similarity, StyleID: pctStyle}, excelize.Cell{Value: m.Containment, StyleID: pctStyle},
						kindText(s.Kind), len(s.Edits)}
					cell, _ := excelize.CoordinatesToCellName(1, row)
					if err := sw.SetRow(cell, vals); err != nil {
						return fmt.Errorf("xlsx: %w", err)
					}
					row++
				}
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

func cells(vals []any, style int) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = excelize.Cell{Value: v, StyleID: style}
	}
	return out
}

func verdictZH(v string) string {
	switch v {
	case check.Reject:
		return "回炉 reject"
	case check.Pass:
		return "通过 pass"
	}
	return v
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return ""
}

// licensedCell is a pack variant's licensed_duplication (empty for a
// check without a pack).
func licensedCell(res *check.Result, pctStyle int) any {
	if res.Pack == "" {
		return nil
	}
	return excelize.Cell{Value: res.LicensedDuplication, StyleID: pctStyle}
}

// kindText names a span kind for a cell: 原样 exact, 洗稿 edited.
func kindText(kind string) string {
	switch kind {
	case check.KindExact:
		return "原样 exact"
	case check.KindEdited:
		return "洗稿 edited"
	}
	return kind
}

// sourceText names a source for a cell: "title（account · platform ·
// published）[id]".
func sourceText(s SourceInfo) string {
	var b strings.Builder
	b.WriteString(s.Name())
	if d := s.Detail(); d != "" {
		b.WriteString("（" + d + "）")
	}
	if s.Title != "" {
		b.WriteString(" [" + s.AssetID + "]")
	}
	return b.String()
}

// runeSlice is text[start:end] in code points, clamped.
func runeSlice(text string, start, end int) string {
	rs := []rune(text)
	start, end = max(0, min(start, len(rs))), max(0, min(end, len(rs)))
	if start >= end {
		return ""
	}
	return string(rs[start:end])
}

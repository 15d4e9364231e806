package report

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"elib/check"
)

// TestXLSXWorkbook: one row per checked file with verdict, duplication (a
// number), level, the top sources by title and account, and a sheet with
// one row per matched span, the two texts side by side.
func TestXLSXWorkbook(t *testing.T) {
	r := sampleReport()
	r.Checked = time.Date(2026, 11, 3, 3, 30, 0, 0, time.UTC)
	r.Checker, r.Library = "alice", "team.elib"
	r.Results[0].Title = "空气炸锅"
	r.Results[0].Elements[0].Matches[0].Text = "前缀第一行文案内容第二行"
	r.Sources = map[string]SourceInfo{"lib/x.md": {AssetID: "lib/x.md", Title: "炸锅爆款", Account: "厨房小能手", Platform: "抖音", Published: "2026-06-01"}}
	var b bytes.Buffer
	require.NoError(t, Write(&b, "xlsx", r))

	f, err := excelize.OpenReader(&b)
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, []string{SheetResults, SheetSpans}, f.GetSheetList())
	rows, err := f.GetRows(SheetResults)
	require.NoError(t, err)
	require.Len(t, rows, 4, "a header, two results and the failed input")
	assert.Equal(t, "文件 file", rows[0][0])
	assert.Equal(t, []string{"drafts/a.md", "drafts/a.md", "空气炸锅", "回炉 reject", "80.00%", "", "", "0.00%"}, rows[1][:8])
	assert.Contains(t, rows[1][8], "炸锅爆款")
	assert.Contains(t, rows[1][8], "厨房小能手")
	assert.Contains(t, rows[1][8], "[lib/x.md]")
	assert.Equal(t, "2026-11-03 11:30:00", rows[1][16], "checked, in Asia/Shanghai")
	assert.Equal(t, "alice", rows[1][17])
	assert.Equal(t, "通过 pass", rows[2][3])
	assert.Equal(t, "bad.srt", rows[3][0])
	raw, err := f.GetCellValue(SheetResults, "E2", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	assert.Equal(t, "0.8", raw, "duplication is a number")

	spans, err := f.GetRows(SheetSpans)
	require.NoError(t, err)
	require.Len(t, spans, 3, "a header and two spans")
	assert.Equal(t, "第一行文案内容", spans[1][5])
	assert.Equal(t, "第一行文案内容", spans[1][6])
	assert.Equal(t, "钩子 hook", spans[1][2])
}

// TestXLSXAndHistoryCarryLicenceAndSpanKind (issue 24): the workbook and
// the history carry a pack variant's licensed_duplication and how the
// text was copied (exact, or edited: 洗稿).
func TestXLSXAndHistoryCarryLicenceAndSpanKind(t *testing.T) {
	r := sampleReport()
	res := r.Results[0]
	res.Pack, res.LicensedDuplication = "pack-1", 0.25
	res.Elements[0].Matches[0].Spans[1].Kind = check.KindEdited
	res.Elements[0].Matches[0].Spans[1].Edits = []check.Edit{{Start: 8, End: 9, LibraryStart: 10, LibraryEnd: 11}}
	var b bytes.Buffer
	require.NoError(t, Write(&b, "xlsx", r))
	f, err := excelize.OpenReader(&b)
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows(SheetResults)
	require.NoError(t, err)
	col := func(head string) int {
		for i, h := range rows[0] {
			if h == head {
				return i
			}
		}
		t.Fatalf("no column %q in %v", head, rows[0])
		return -1
	}
	raw, err := f.GetCellValue(SheetResults, "G2", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	assert.Equal(t, "授权复用 licensed_duplication", rows[0][6])
	assert.Equal(t, "0.25", raw, "licensed_duplication is a number")
	assert.Equal(t, "pack-1", rows[1][col("创作包 pack")])
	assert.Equal(t, "洗稿 edited", rows[1][col("复制方式 span kind")])
	assert.Equal(t, "", rows[2][6], "no pack, no licensed share")

	spans, err := f.GetRows(SheetSpans)
	require.NoError(t, err)
	kind := -1
	for i, h := range spans[0] {
		if h == "复制方式 kind" {
			kind = i
		}
	}
	require.GreaterOrEqual(t, kind, 0, spans[0])
	assert.Equal(t, "原样 exact", spans[1][kind])
	assert.Equal(t, "洗稿 edited", spans[2][kind])
	assert.Equal(t, "1", spans[2][kind+1], "one edit")

	entries := r.HistoryEntries("小王", "cli")
	require.Len(t, entries, 2)
	assert.Equal(t, 0.25, entries[0].LicensedDuplication)
	assert.Equal(t, check.KindEdited, entries[0].SpanKind)
	assert.Equal(t, "", entries[1].SpanKind, "nothing matched")
	res.Elements[0].Matches[0].Spans[1].Kind = check.KindExact
	assert.Equal(t, check.KindExact, r.HistoryEntries("小王", "cli")[0].SpanKind)
}

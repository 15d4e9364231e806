package element

import (
	"elib/internal/i18n/msg"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Column roles of a table export (SPEC §2.4).
const (
	colID = iota
	colTitle
	colType
	colText
	colStart
	colEnd
	colStartMs
	colEndMs
	colCamera
	colBPM
	colColor
	colSFX
	colShot
	numRoles
)

var columnRoles = map[string]int{
	"asset_id": colID, "assetid": colID, "asset id": colID, "id": colID, "素材id": colID, "素材编号": colID, "素材 id": colID,
	"title": colTitle, "标题": colTitle,
	"type": colType, "element_type": colType, "元件类型": colType, "类型": colType, "元件": colType,
	"text": colText, "copy": colText, "文案": colText, "内容": colText, "台词": colText,
	"start": colStart, "开始": colStart, "开始时间": colStart, "start_s": colStart,
	"end": colEnd, "结束": colEnd, "结束时间": colEnd, "end_s": colEnd,
	"start_ms": colStartMs, "end_ms": colEndMs,
	"camera": colCamera, "镜头": colCamera, "镜头运动": colCamera,
	"bgm_bpm": colBPM, "bpm": colBPM, "bgm": colBPM,
	"subtitle_color": colColor, "字幕色": colColor, "字幕色号": colColor, "字幕颜色": colColor,
	"sfx": colSFX, "音效": colSFX,
	"shot": colShot, "画面": colShot,
}

// metaNames gives common Chinese metadata columns their English keys.
var metaNames = map[string]string{
	"投放平台": "platform", "平台": "platform",
	"播放量": "plays", "活动": "campaign", "投放活动": "campaign",
	"产品": "product", "商品": "product", "创建时间": "created", "发布时间": "created",
}

var roleAttr = map[int]string{colCamera: AttrCamera, colBPM: AttrBGMBPM, colColor: AttrSubtitleColor, colSFX: AttrSFX, colShot: AttrShot}

type tableRow struct {
	line int
	rec  []string
}

// table parses .csv/.tsv exports: one row per element, rows grouped into
// assets by the asset id column in first-seen order.
func (p *parser) table(text string, sep rune) ([]Asset, error) {
	text = strings.TrimPrefix(text, "\uFEFF")
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sep
	r.LazyQuotes = sep == '\t'
	header, err := r.Read()
	if err != nil {
		return nil, csvError(err, 1)
	}
	roles := make([]int, len(header))
	var have [numRoles]bool
	for i, h := range header {
		key := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		role, ok := columnRoles[key]
		if !ok || have[role] {
			roles[i] = -1
			continue
		}
		roles[i] = role
		have[role] = true
	}
	if !have[colText] {
		return nil, errAt(1, "no text column in the header (want text or 文案), got %q", clip(strings.Join(header, string(sep))))
	}
	type group struct {
		asset     Asset
		rows      []tableRow
		metaBytes int
	}
	var groups []*group
	byID := map[string]*group{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, _ := r.FieldPos(0)
			return nil, csvError(err, line)
		}
		line, _ := r.FieldPos(0)
		id := ""
		for i, role := range roles {
			if role == colID {
				id = strings.TrimSpace(rec[i])
			}
		}
		g := byID[id]
		if g == nil {
			g = &group{asset: Asset{ID: id}}
			byID[id] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, tableRow{line: line, rec: rec})
		for i, role := range roles {
			cell := strings.TrimSpace(rec[i])
			if cell == "" {
				continue
			}
			switch role {
			case colTitle:
				if g.asset.Title == "" {
					g.asset.Title = cell
				}
			case -1:
				key := strings.TrimSpace(strings.TrimPrefix(header[i], "\uFEFF"))
				if en, ok := metaNames[key]; ok {
					key = en
				}
				if key == "" {
					continue
				}
				if g.asset.Meta == nil {
					g.asset.Meta = map[string]any{}
				}
				if _, seen := g.asset.Meta[key]; !seen {
					g.metaBytes += len(key) + len(cell)
					if g.metaBytes > MaxMetaBytes {
						return nil, errAt(line, "%w: asset %s: metadata columns hold more than %d bytes", ErrLimit, id, MaxMetaBytes)
					}
					g.asset.Meta[key] = cellValue(cell)
				}
			}
		}
	}
	var out []Asset
	for _, g := range groups {
		if err := p.stopped(); err != nil {
			return nil, err
		}
		els, err := p.tableElements(g.rows, roles)
		if err != nil {
			return nil, err
		}
		g.asset.Elements = els
		if !hasText(els) {
			continue
		}
		out = append(out, g.asset)
	}
	if len(out) == 0 {
		return nil, ErrEmpty
	}
	return out, nil
}

// tableElements turns the rows of one asset into elements; rows without a
// type go through the classifier.
func (p *parser) tableElements(rows []tableRow, roles []int) ([]Element, error) {
	var (
		out   []Element
		loose []piece
	)
	for _, row := range rows {
		var (
			e       Element
			typed   bool
			typeErr error
			start   = int64(-1)
			end     = int64(-1)
		)
		e.Line = row.line
		for i, role := range roles {
			cell := strings.TrimSpace(row.rec[i])
			if cell == "" {
				continue
			}
			switch role {
			case colType:
				t, ok := ParseType(cell)
				if !ok {
					typeErr = msg.Errorf("unknown element type %q", clip(cell))
				}
				e.Type, typed = t, ok
			case colText:
				e.Text = cleanLines(row.rec[i], &e.Attributes)
			case colStart, colEnd, colStartMs, colEndMs:
				var ms int64
				var ok bool
				if role == colStartMs || role == colEndMs {
					f, err := strconv.ParseFloat(cell, 64)
					ms, ok = int64(f), err == nil
				} else {
					ms, ok = parseSeconds(cell)
				}
				if !ok {
					return nil, errAt(row.line, "bad time %q (want seconds like 3.1 or mm:ss)", clip(cell))
				}
				if role == colStart || role == colStartMs {
					start = ms
				} else {
					end = ms
				}
			default:
				if attr, ok := roleAttr[role]; ok {
					setAttr(&e.Attributes, attr, cellValue(cell))
				}
			}
		}
		if typeErr != nil {
			return nil, errAt(row.line, "%v", typeErr)
		}
		if e.Text == "" {
			continue
		}
		if start >= 0 {
			e.StartMs = ptr(start)
		}
		if end >= 0 {
			e.EndMs = ptr(end)
		}
		if !typed {
			pc := piece{text: e.Text, line: row.line, attrs: e.Attributes}
			if start >= 0 && end >= start {
				pc.hasTime, pc.startMs, pc.endMs = true, start, end
			}
			loose = append(loose, pc)
			continue
		}
		if len(loose) > 0 {
			out = append(out, p.classifyPieces(loose, false)...)
			loose = nil
		}
		out = append(out, e)
	}
	if len(loose) > 0 {
		out = append(out, p.classifyPieces(loose, false)...)
	}
	return out, nil
}

func csvError(err error, line int) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errAt(pe.Line, "%v", pe.Err)
	}
	if err == io.EOF {
		return ErrEmpty
	}
	return errAt(line, "%v", err)
}

// cellValue returns numbers as numbers, everything else as text.
func cellValue(cell string) any {
	if i, err := strconv.ParseInt(cell, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(cell, 64); err == nil && !strings.ContainsAny(cell, "xXnN") {
		return f
	}
	return cell
}

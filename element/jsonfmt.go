package element

import (
	"bytes"
	"elib/internal/i18n/msg"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"elib/element/annotation"
)

// jsonAsset is the JSON asset of SPEC §2.3.
type jsonAsset struct {
	ID       json.RawMessage `json:"id"`
	Title    string          `json:"title"`
	Meta     json.RawMessage `json:"meta"`
	Elements []jsonElement   `json:"elements"`
	Text     *string         `json:"text"`
}

type jsonElement struct {
	Type       string          `json:"type"`
	Text       string          `json:"text"`
	StartMs    *float64        `json:"start_ms"`
	EndMs      *float64        `json:"end_ms"`
	Attributes json.RawMessage `json:"attributes"`
}

// json parses a .json file: one asset object or an array of them.
func (p *parser) json(text string) ([]Asset, error) {
	text = strings.TrimPrefix(text, "\uFEFF")
	trimmed := strings.TrimLeft(text, " \t\n")
	lineAt := func(off int64) int {
		if off > int64(len(text)) {
			off = int64(len(text))
		}
		return 1 + strings.Count(text[:off], "\n")
	}
	base := int64(len(text) - len(trimmed))
	switch {
	case strings.HasPrefix(trimmed, "{"):
		var ja jsonAsset
		if err := strictUnmarshal([]byte(trimmed), &ja); err != nil {
			return nil, errAt(lineAt(base+jsonErrOffset(err)), "%v", err)
		}
		a, err := p.fromJSON(ja, 0)
		if err != nil {
			return nil, errAt(lineAt(base), "%w", err)
		}
		return []Asset{a}, nil
	case strings.HasPrefix(trimmed, "["):
		dec := json.NewDecoder(strings.NewReader(text))
		if _, err := dec.Token(); err != nil {
			return nil, errAt(1, "%v", err)
		}
		var out []Asset
		for dec.More() {
			if err := p.stopped(); err != nil {
				return nil, err
			}
			off := dec.InputOffset()
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, errAt(lineAt(off+jsonErrOffset(err)), "%v", err)
			}
			// Point at the element's first byte, not the separator before it.
			start := off + int64(len(text[off:])-len(strings.TrimLeft(text[off:], " \t\n,")))
			var ja jsonAsset
			if err := strictUnmarshal(raw, &ja); err != nil {
				return nil, errAt(lineAt(start+jsonErrOffset(err)), "asset %d: %v", len(out)+1, err)
			}
			a, err := p.fromJSON(ja, len(out)+1)
			if err != nil {
				return nil, errAt(lineAt(start), "asset %d: %w", len(out)+1, err)
			}
			out = append(out, a)
		}
		if _, err := dec.Token(); err != nil {
			return nil, errAt(lineAt(dec.InputOffset()), "%v", err)
		}
		if rest := strings.TrimSpace(text[dec.InputOffset():]); rest != "" {
			return nil, errAt(lineAt(dec.InputOffset()), "unexpected data after the JSON array")
		}
		if len(out) == 0 {
			return nil, ErrEmpty
		}
		return out, nil
	default:
		return nil, errAt(lineAt(base), "JSON input must be an asset object or an array of assets")
	}
}

// jsonl parses .jsonl: one asset object per non-blank line.
func (p *parser) jsonl(text string) ([]Asset, error) {
	text = strings.TrimPrefix(text, "\uFEFF")
	var out []Asset
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if err := p.stopped(); err != nil {
			return nil, err
		}
		if !strings.HasPrefix(line, "{") {
			return nil, errAt(i+1, "each JSONL line must be an asset object")
		}
		var ja jsonAsset
		if err := strictUnmarshal([]byte(line), &ja); err != nil {
			return nil, errAt(i+1, "%v", err)
		}
		a, err := p.fromJSON(ja, len(out)+1)
		if err != nil {
			return nil, errAt(i+1, "%w", err)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, ErrEmpty
	}
	return out, nil
}

// strictUnmarshal decodes exactly one JSON value.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return msg.New("unexpected data after the JSON object")
	}
	return nil
}

func jsonErrOffset(err error) int64 {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Offset
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Offset
	}
	return 0
}

// fromJSON converts one decoded asset; n is its 1-based position (0 for a
// single-asset file) and names it in the default id when a file holds many.
func (p *parser) fromJSON(ja jsonAsset, n int) (Asset, error) {
	a := Asset{Title: strings.TrimSpace(ja.Title)}
	meta, err := decodeMeta("meta", ja.Meta)
	if err != nil {
		return a, err
	}
	a.Meta = meta
	id, err := rawID(ja.ID)
	if err != nil {
		return a, err
	}
	a.ID = id
	if a.ID == "" && n > 0 {
		a.ID = fmt.Sprintf("%s#%d", p.defaultID, n)
	}
	switch {
	case len(ja.Elements) > 0:
		for i, je := range ja.Elements {
			typ, ok := ParseType(je.Type)
			if !ok {
				return a, msg.Errorf("element %d: unknown type %q (want hook/钩子, conflict/冲突, testimonial/证言, conversion/转化, story/故事, other/其他)", i+1, clip(je.Type))
			}
			e := Element{Type: typ}
			attrs, err := decodeMeta(fmt.Sprintf("element %d attributes", i+1), je.Attributes)
			if err != nil {
				return a, err
			}
			for k, v := range attrs {
				if attr := annotation.AttrOf(strings.ToLower(k)); attr != "" {
					setAttr(&e.Attributes, attr, v)
				} else {
					mergeAttrs(&e.Attributes, map[string]any{k: v})
				}
			}
			e.Text = cleanLines(je.Text, &e.Attributes)
			if je.StartMs != nil {
				e.StartMs = ptr(int64(*je.StartMs))
			}
			if je.EndMs != nil {
				e.EndMs = ptr(int64(*je.EndMs))
			}
			a.Elements = append(a.Elements, e)
		}
	case ja.Text != nil:
		var pieces []piece
		for _, l := range strings.Split(strings.ReplaceAll(*ja.Text, "\r\n", "\n"), "\n") {
			var attrs map[string]any
			l = strings.TrimSpace(stripAnnotations(strings.TrimSpace(l), &attrs))
			if l != "" || attrs != nil {
				pieces = append(pieces, piece{text: l, attrs: attrs})
			}
		}
		a.Elements = p.classifyPieces(pieces, false)
	default:
		return a, msg.New(`asset has neither "elements" nor "text"`)
	}
	if !hasText(a.Elements) {
		return a, msg.New("asset has no copy text")
	}
	return a, nil
}

// cleanLines strips annotations from every line of s and drops blank lines.
func cleanLines(s string, attrs *map[string]any) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if !strings.Contains(s, "\n") {
		return strings.TrimSpace(stripAnnotations(strings.TrimSpace(s), attrs))
	}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(stripAnnotations(strings.TrimSpace(l), attrs))
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// decodeMeta decodes a meta or attributes object after checking its size
// and depth on the raw bytes (MaxMetaBytes, MaxMetaDepth), so a deep or
// huge value is refused before it is built, and no reply or stored record
// can be blown up by one.
func decodeMeta(what string, raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if err := checkMetaRaw(what, raw); err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return m, nil
}

func rawID(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.TrimSpace(s), nil
	}
	var num json.Number
	if err := json.Unmarshal(raw, &num); err == nil {
		return num.String(), nil
	}
	return "", msg.Errorf("id must be a string or number, got %s", clip(string(raw)))
}

package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"elib/element"
)

// Element is one element record: everything the check needs about a library
// element, addressed by its library-wide reference number.
type Element struct {
	// Ref is the library-wide reference number of the element.
	Ref uint32
	// AssetID is the id of the asset the element belongs to.
	AssetID string
	// Index is the 1-based position of the element in its asset.
	Index int
	// Type is the element's kind.
	Type element.Type
	// Text is the element's copy text.
	Text string
	// Title is the asset's title.
	Title string
	// Signature is the MinHash signature of the element's shingles.
	Signature []uint32
	// Shingles are the sorted, deduplicated token-shingle hashes.
	Shingles []uint64
}

// ID returns the element id "<asset id>#<index>".
func (e *Element) ID() string { return ElementID(e.AssetID, e.Index) }

// ElementID builds the id of the n-th (1-based) element of an asset
// (element.ElementID).
func ElementID(assetID string, n int) string { return element.ElementID(assetID, n) }

// AssetRecord is one stored asset with what the library derives from it.
type AssetRecord struct {
	// Asset is the full asset as imported (elements, attributes, metadata).
	Asset element.Asset `json:"asset"`
	// File is Asset.File, kept because element.Asset does not serialise it.
	File string `json:"file,omitempty"`
	// Lines are the elements' source lines (element.Element.Line).
	Lines []int `json:"lines,omitempty"`
	// FirstRef is the reference number of the asset's first element; its
	// elements have refs FirstRef … FirstRef+len(Elements)-1.
	FirstRef uint32 `json:"first_ref"`
	// Sentences are the asset's distinct normalised sentence hashes, kept so
	// removal can update the boilerplate sketch without re-fingerprinting.
	Sentences []uint64 `json:"sentences,omitempty"`
	// Footage is Asset.Footage in its stored form (fingerprint/footage,
	// no probes), kept because element.Asset does not serialise it.
	Footage []byte `json:"footage,omitempty"`
}

// Tombstone records that an asset's elements stopped being live: the asset
// was removed or replaced by a later import.
type Tombstone struct {
	AssetID  string
	FirstRef uint32
	Count    uint32
}

var errCorruptRecord = errors.New("corrupt record")

// typeCodes maps element types to the one-byte codes stored on disk; code 0
// is reserved for "no element" (a dead reference).
var typeCodes = func() map[element.Type]byte {
	m := make(map[element.Type]byte, len(element.Types))
	for i, t := range element.Types {
		m[t] = byte(i + 1)
	}
	return m
}()

// TypeCode returns the one-byte code of t (the code of Other for an unknown type).
func TypeCode(t element.Type) byte {
	if c, ok := typeCodes[t]; ok {
		return c
	}
	return typeCodes[element.Other]
}

// TypeOf returns the type of a code written by TypeCode; ok is false for 0
// and unknown codes.
func TypeOf(c byte) (element.Type, bool) {
	if c == 0 || int(c) > len(element.Types) {
		return "", false
	}
	return element.Types[c-1], true
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendElement(b []byte, e *Element) []byte {
	b = binary.AppendUvarint(b, uint64(e.Ref))
	b = binary.AppendUvarint(b, uint64(e.Index))
	b = append(b, TypeCode(e.Type))
	b = appendString(b, e.AssetID)
	b = appendString(b, e.Text)
	b = appendString(b, e.Title)
	b = binary.AppendUvarint(b, uint64(len(e.Signature)))
	for _, v := range e.Signature {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	b = binary.AppendUvarint(b, uint64(len(e.Shingles)))
	for _, v := range e.Shingles {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

// decoder reads the primitives of a record without panicking on bad input.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorruptRecord
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errCorruptRecord
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte1() byte {
	v := d.bytes(1)
	if v == nil {
		return 0
	}
	return v[0]
}

func (d *decoder) str() string { return string(d.bytes(d.uvarint())) }

func (d *decoder) u32() uint32 {
	v := d.bytes(4)
	if v == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(v)
}

func (d *decoder) u64() uint64 {
	v := d.bytes(8)
	if v == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(v)
}

func (d *decoder) element() Element {
	var e Element
	e.Ref = uint32(d.uvarint())
	e.Index = int(d.uvarint())
	t, ok := TypeOf(d.byte1())
	if !ok && d.err == nil {
		d.err = errCorruptRecord
	}
	e.Type = t
	e.AssetID = d.str()
	e.Text = d.str()
	e.Title = d.str()
	n := d.uvarint()
	if n > uint64(len(d.b))/4 {
		d.err = errCorruptRecord
		return e
	}
	raw := d.bytes(4 * n)
	e.Signature = make([]uint32, n)
	for i := range e.Signature {
		e.Signature[i] = binary.LittleEndian.Uint32(raw[4*i:])
	}
	n = d.uvarint()
	if n > uint64(len(d.b))/8 {
		d.err = errCorruptRecord
		return e
	}
	raw = d.bytes(8 * n)
	e.Shingles = make([]uint64, n)
	for i := range e.Shingles {
		e.Shingles[i] = binary.LittleEndian.Uint64(raw[8*i:])
	}
	return e
}

// skipElement moves past one element record without decoding it.
func (d *decoder) skipElement() {
	d.uvarint() // ref
	d.uvarint() // index
	d.byte1()   // type
	for range 3 {
		d.bytes(d.uvarint()) // asset id, text, title
	}
	if n := d.uvarint(); n > uint64(len(d.b))/4 {
		d.err = errCorruptRecord
	} else {
		d.bytes(4 * n)
	}
	if n := d.uvarint(); n > uint64(len(d.b))/8 {
		d.err = errCorruptRecord
	} else {
		d.bytes(8 * n)
	}
}

// ElementRecords is an element block read and checked but not decoded:
// a check needs a few of its elements, so each is decoded on its own.
type ElementRecords struct {
	raw  []byte
	offs []uint32 // record i is raw[offs[i]:offs[i+1]]
}

// Len returns the number of records.
func (b *ElementRecords) Len() int { return len(b.offs) - 1 }

// Element decodes record i.
func (b *ElementRecords) Element(i int) (Element, error) {
	if i < 0 || i >= b.Len() {
		return Element{}, fmt.Errorf("record %d of %d: %w", i, b.Len(), errCorruptRecord)
	}
	d := &decoder{b: b.raw[b.offs[i]:b.offs[i+1]]}
	e := d.element()
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorruptRecord
	}
	return e, d.err
}

// splitElements finds the records of an uncompressed element block.
func splitElements(b []byte) (*ElementRecords, error) {
	d := &decoder{b: b}
	n := d.uvarint()
	if n > uint64(len(b)) {
		return nil, errCorruptRecord
	}
	offs := make([]uint32, 0, n+1)
	for i := uint64(0); i < n && d.err == nil; i++ {
		offs = append(offs, uint32(len(b)-len(d.b)))
		d.skipElement()
	}
	offs = append(offs, uint32(len(b)-len(d.b)))
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorruptRecord
	}
	if d.err != nil {
		return nil, d.err
	}
	return &ElementRecords{raw: b, offs: offs}, nil
}

// decodeElements parses an uncompressed element block.
func decodeElements(b []byte) ([]Element, error) {
	d := &decoder{b: b}
	n := d.uvarint()
	if n > uint64(len(b)) {
		return nil, errCorruptRecord
	}
	out := make([]Element, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		out = append(out, d.element())
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorruptRecord
	}
	if d.err != nil {
		return nil, d.err
	}
	return out, nil
}

func appendAsset(b []byte, a *AssetRecord) ([]byte, error) {
	rec := *a
	rec.File = a.Asset.File
	rec.Lines = rec.Lines[:0:0]
	hasLine := false
	for _, e := range a.Asset.Elements {
		rec.Lines = append(rec.Lines, e.Line)
		hasLine = hasLine || e.Line != 0
	}
	if !hasLine {
		rec.Lines = nil
	}
	js, err := json.Marshal(&rec)
	if err != nil {
		return b, fmt.Errorf("encode asset %s: %w", a.Asset.ID, err)
	}
	return appendString(b, string(js)), nil
}

// decodeAssets parses an uncompressed asset block.
func decodeAssets(b []byte) ([]AssetRecord, error) {
	d := &decoder{b: b}
	n := d.uvarint()
	if n > uint64(len(b)) {
		return nil, errCorruptRecord
	}
	out := make([]AssetRecord, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		js := d.bytes(d.uvarint())
		if d.err != nil {
			break
		}
		var rec AssetRecord
		if err := json.Unmarshal(js, &rec); err != nil {
			return nil, fmt.Errorf("%w: %v", errCorruptRecord, err)
		}
		rec.Asset.File = rec.File
		if len(rec.Lines) == len(rec.Asset.Elements) {
			for j := range rec.Asset.Elements {
				rec.Asset.Elements[j].Line = rec.Lines[j]
			}
		}
		rec.Lines = nil
		out = append(out, rec)
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorruptRecord
	}
	if d.err != nil {
		return nil, d.err
	}
	return out, nil
}

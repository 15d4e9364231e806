package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"elib/internal/i18n/msg"
	"elib/library/kit"
	"elib/vfs"
)

// Tombstone records that an asset's elements stopped being live: the asset
// was removed or replaced by a later import.
type Tombstone struct {
	AssetID  string
	FirstRef uint32
	Count    uint32
}

var errCorruptRecord = errors.New("corrupt record")

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendElement(b []byte, e *kit.ElementRecord) []byte {
	b = binary.AppendUvarint(b, uint64(e.Ref))
	b = binary.AppendUvarint(b, uint64(e.Index))
	b = append(b, kit.TypeCode(e.Type))
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

func (d *decoder) u64() uint64 {
	v := d.bytes(8)
	if v == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(v)
}

func (d *decoder) element() kit.ElementRecord {
	var e kit.ElementRecord
	e.Ref = uint32(d.uvarint())
	e.Index = int(d.uvarint())
	t, ok := kit.TypeOf(d.byte1())
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
// The block's bytes are either a copy (raw) or left in the segment's
// mapping (m, from offset base), where each record is decoded in place.
type ElementRecords struct {
	raw  []byte
	offs []uint32 // record i is raw[offs[i]:offs[i+1]], or the mapping's from base
	m    *vfs.Mapping
	base int64
	path string // the segment file, for the mapping's errors
}

// Len returns the number of records.
func (b *ElementRecords) Len() int { return len(b.offs) - 1 }

// Element decodes record i. A record that does not decode is an error
// wrapping ErrCorrupt; a mapped block that can no longer be read (its
// segment closed, or its file cut short) is an error naming the file.
func (b *ElementRecords) Element(i int) (kit.ElementRecord, error) {
	if i < 0 || i >= b.Len() {
		return kit.ElementRecord{}, fmt.Errorf("record %d of %d: %w", i, b.Len(), ErrCorrupt)
	}
	if b.m == nil {
		return decodeElement(b.raw[b.offs[i]:b.offs[i+1]], i)
	}
	var e kit.ElementRecord
	err := b.m.View(b.base+int64(b.offs[i]), int(b.offs[i+1]-b.offs[i]), func(rec []byte) error {
		var err error
		e, err = decodeElement(rec, i) // copies every field out of the mapping
		return err
	})
	if err != nil && !errors.Is(err, ErrCorrupt) {
		return kit.ElementRecord{}, msg.Errorf("segment %s: element record %d: %w", b.path, i, err)
	}
	return e, err
}

// decodeElement decodes the one element record rec (record i of its block).
func decodeElement(rec []byte, i int) (kit.ElementRecord, error) {
	d := &decoder{b: rec}
	e := d.element()
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorruptRecord
	}
	if d.err != nil {
		return kit.ElementRecord{}, fmt.Errorf("record %d: %w", i, ErrCorrupt)
	}
	return e, nil
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
func decodeElements(b []byte) ([]kit.ElementRecord, error) {
	d := &decoder{b: b}
	n := d.uvarint()
	if n > uint64(len(b)) {
		return nil, errCorruptRecord
	}
	out := make([]kit.ElementRecord, 0, n)
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

func appendAsset(b []byte, a *kit.AssetRecord) ([]byte, error) {
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
func decodeAssets(b []byte) ([]kit.AssetRecord, error) {
	d := &decoder{b: b}
	n := d.uvarint()
	if n > uint64(len(b)) {
		return nil, errCorruptRecord
	}
	out := make([]kit.AssetRecord, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		js := d.bytes(d.uvarint())
		if d.err != nil {
			break
		}
		var rec kit.AssetRecord
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

package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"sort"
	"time"

	"elib/element"
	"elib/library/kit"
)

// The binary outcome file (out-<seq>.bin): a million-element library
// keeps a few hundred thousand outcomes, which elib stats reads at every
// run, and JSON took seconds to decode. Every string (ids, origin texts,
// levels, group names) is stored once in a table and referred to by
// number, so an origin element reused by many assets costs its text once.
// The entries come in a table of their own before the outcomes, each
// with its outcome's offset, so a reader indexes a file without reading
// its outcomes (version 3; version 2 files, written before, interleave
// entries and outcomes and are still read, walking every outcome).
//
//	magic "ELIBOUT3"
//	uvarint seq, byte full
//	uvarint strings, then each: uvarint length, bytes
//	uvarint entries, then each (by asset id):
//	  uvarint id, computed, stale, outcome (its offset in the outcomes + 1; 0: none)
//	uvarint length of the outcomes, then the outcomes, each:
//	  uvarint version, basis; uvarint length, time.MarshalBinary of published
//	  uvarint groups, then key, value; uvarint elements, reused, level
//	  uvarint uses, then element, origin element, asset, type, text
//	  uvarint sources, then each; uvarint assets
//	  uvarint common, then 8 bytes each; uvarint plain, then 8 bytes each
//	CRC-32C of everything before, 4 bytes little-endian
//
// Strings are uvarint indexes into the table. A version 2 file
// ("ELIBOUT2") has the same header and string table, then uvarint
// entries, each: uvarint id, computed, stale; byte has-outcome; if so,
// the outcome.

// outcomeMagic starts the files written now; outcomeMagicV2 those
// written before the entry table.
const (
	outcomeMagic   = "ELIBOUT3"
	outcomeMagicV2 = "ELIBOUT2"
)

// outcomeEncoder builds one binary outcome file.
type outcomeEncoder struct {
	strs  []string
	index map[string]uint64
	table []byte // the entry table
	body  []byte // the outcomes
}

func (e *outcomeEncoder) uvarint(x uint64) { e.body = binary.AppendUvarint(e.body, x) }

func (e *outcomeEncoder) str(s string) { e.uvarint(e.strIndex(s)) }

// strIndex is s's number in the string table.
func (e *outcomeEncoder) strIndex(s string) uint64 {
	i, ok := e.index[s]
	if !ok {
		i = uint64(len(e.strs))
		e.index[s] = i
		e.strs = append(e.strs, s)
	}
	return i
}

func (e *outcomeEncoder) hashes(hs kit.Hashes) {
	e.uvarint(uint64(len(hs)))
	for _, h := range hs {
		e.body = binary.LittleEndian.AppendUint64(e.body, h)
	}
}

func (e *outcomeEncoder) outcome(o *kit.Outcome) error {
	e.uvarint(uint64(o.Version))
	e.str(o.Basis)
	t, err := o.Published.MarshalBinary()
	if err != nil {
		return err
	}
	e.uvarint(uint64(len(t)))
	e.body = append(e.body, t...)
	keys := make([]string, 0, len(o.Groups))
	for k := range o.Groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	e.uvarint(uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		e.str(o.Groups[k])
	}
	e.uvarint(uint64(o.Elements))
	e.uvarint(uint64(o.Reused))
	e.str(o.Level)
	e.uvarint(uint64(len(o.Uses)))
	for _, u := range o.Uses {
		e.str(u.Element)
		e.str(u.OriginElement)
		e.str(u.OriginAsset)
		e.str(string(u.OriginType))
		e.str(u.OriginText)
	}
	e.uvarint(uint64(len(o.Sources)))
	for _, s := range o.Sources {
		e.str(s)
	}
	e.uvarint(uint64(o.Assets))
	e.hashes(o.Common)
	e.hashes(o.Plain)
	return nil
}

// encodeOutcomeFile is the file's bytes.
func encodeOutcomeFile(f *outcomeFile) ([]byte, error) {
	ids := make([]string, 0, len(f.Entries))
	for id := range f.Entries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	e := newOutcomeEncoder(len(ids))
	for _, id := range ids {
		en := f.Entries[id]
		e.entry(id, en.Computed, en.Stale, en.Outcome != nil)
		if en.Outcome == nil {
			continue
		}
		if err := e.outcome(en.Outcome); err != nil {
			return nil, fmt.Errorf("outcome of %s: %w", id, err)
		}
	}
	return e.finish(f.Seq, f.Full), nil
}

// newOutcomeEncoder starts a file of n entries, which follow in id order:
// each an entry, then its outcome if it has one.
func newOutcomeEncoder(n int) *outcomeEncoder {
	e := &outcomeEncoder{index: map[string]uint64{}}
	e.table = binary.AppendUvarint(e.table, uint64(n))
	return e
}

// entry writes an entry to the table; its outcome (has) follows.
func (e *outcomeEncoder) entry(id string, computed, stale uint64, has bool) {
	e.table = binary.AppendUvarint(e.table, e.strIndex(id))
	e.table = binary.AppendUvarint(e.table, computed)
	e.table = binary.AppendUvarint(e.table, stale)
	off := uint64(0)
	if has {
		off = uint64(len(e.body)) + 1
	}
	e.table = binary.AppendUvarint(e.table, off)
}

// copyOutcome writes the outcome stored at off in src, as it is: its
// strings are looked up in this file's table, nothing is decoded.
func (e *outcomeEncoder) copyOutcome(src *outcomeSource, off int) error {
	d := &outcomeDecoder{b: src.body[off:], strs: src.strs}
	d.walkOutcome(e)
	return d.err
}

// finish returns the file's bytes: header, string table, entry table,
// outcomes, checksum.
func (e *outcomeEncoder) finish(seq uint64, full bool) []byte {
	size := len(outcomeMagic) + 3*binary.MaxVarintLen64 + len(e.table) + len(e.body) + 4
	for _, s := range e.strs {
		size += binary.MaxVarintLen64 + len(s)
	}
	b := make([]byte, 0, size)
	b = append(b, outcomeMagic...)
	b = binary.AppendUvarint(b, seq)
	fb := byte(0)
	if full {
		fb = 1
	}
	b = append(b, fb)
	b = binary.AppendUvarint(b, uint64(len(e.strs)))
	for _, s := range e.strs {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = append(b, e.table...)
	b = binary.AppendUvarint(b, uint64(len(e.body)))
	b = append(b, e.body...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// outcomeDecoder reads one binary outcome file; the first error sticks.
// The outcomes of a file are allocated in slabs, and outcomes with the same
// groups share one map (stored outcomes are never modified).
type outcomeDecoder struct {
	b    []byte
	strs []string
	err  error

	outcomes []kit.Outcome
	uses     []kit.OutcomeUse
	sources  []string
	hashSlab []uint64
	groups   map[[6]uint64]map[string]string

	// figures leaves out the sources and the sentence hashes
	// (Library.OutcomeFigures).
	figures bool
}

// slab returns n items carved from *pool, refilled by at least min.
func slab[T any](pool *[]T, n, min int) []T {
	if len(*pool) < n {
		*pool = make([]T, max(n, min))
	}
	out := (*pool)[:n:n]
	*pool = (*pool)[n:]
	return out
}

var errOutcomeShort = errors.New("truncated outcome file")

func (d *outcomeDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errOutcomeShort
		return 0
	}
	d.b = d.b[n:]
	return x
}

// count reads a length that at least min bytes per item must follow.
func (d *outcomeDecoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/max(min, 1)) {
		d.err = errOutcomeShort
		return 0
	}
	return int(n)
}

func (d *outcomeDecoder) bytes(n int) []byte {
	if d.err != nil || n > len(d.b) {
		d.err = errOutcomeShort
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *outcomeDecoder) str() string {
	i := d.uvarint()
	if d.err != nil {
		return ""
	}
	if i >= uint64(len(d.strs)) {
		d.err = fmt.Errorf("string %d of %d", i, len(d.strs))
		return ""
	}
	return d.strs[i]
}

func (d *outcomeDecoder) hashes() kit.Hashes {
	n := d.count(8)
	if n == 0 {
		return nil
	}
	b := d.bytes(8 * n)
	if d.err != nil {
		return nil
	}
	hs := kit.Hashes(slab(&d.hashSlab, n, 4096))
	for i := range hs {
		hs[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return hs
}

func (d *outcomeDecoder) outcome() *kit.Outcome {
	o := &slab(&d.outcomes, 1, 1024)[0]
	*o = kit.Outcome{Version: int(d.uvarint()), Basis: d.str()}
	if t := d.bytes(d.count(1)); d.err == nil {
		var p time.Time
		if err := p.UnmarshalBinary(t); err != nil {
			d.err = err
			return nil
		}
		o.Published = p
	}
	if n := d.count(2); n == 3 {
		// The usual three groups: one map per distinct set.
		var key [6]uint64
		for i := range key {
			key[i] = d.uvarint()
		}
		if d.err != nil {
			return nil
		}
		if o.Groups = d.groups[key]; o.Groups == nil {
			o.Groups = make(map[string]string, 3)
			for i := 0; i < 6; i += 2 {
				if key[i] >= uint64(len(d.strs)) || key[i+1] >= uint64(len(d.strs)) {
					d.err = fmt.Errorf("string out of range")
					return nil
				}
				o.Groups[d.strs[key[i]]] = d.strs[key[i+1]]
			}
			if d.groups == nil {
				d.groups = map[[6]uint64]map[string]string{}
			}
			d.groups[key] = o.Groups
		}
	} else if n > 0 {
		o.Groups = make(map[string]string, n)
		for range n {
			k := d.str()
			o.Groups[k] = d.str()
		}
	}
	o.Elements, o.Reused, o.Level = int(d.uvarint()), int(d.uvarint()), d.str()
	if n := d.count(5); n > 0 {
		o.Uses = slab(&d.uses, n, 4096)
		for i := range o.Uses {
			o.Uses[i] = kit.OutcomeUse{Element: d.str(), OriginElement: d.str(), OriginAsset: d.str(),
				OriginType: element.Type(d.str()), OriginText: d.str()}
		}
	}
	if n := d.count(1); n > 0 && d.figures {
		for range n {
			d.uvarint()
		}
	} else if n > 0 {
		o.Sources = slab(&d.sources, n, 4096)
		for i := range o.Sources {
			o.Sources[i] = d.str()
		}
	}
	o.Assets = int(d.uvarint())
	if d.figures {
		d.skipHashes()
		d.skipHashes()
		return o
	}
	o.Common, o.Plain = d.hashes(), d.hashes()
	return o
}

// skipHashes reads past a list of hashes.
func (d *outcomeDecoder) skipHashes() { d.bytes(8 * d.count(8)) }

// walkOutcome reads past one outcome, copying it to e when e is not nil
// (its strings looked up again in e's table). It follows the layout
// outcome decodes, field by field.
func (d *outcomeDecoder) walkOutcome(e *outcomeEncoder) {
	num := func() {
		x := d.uvarint()
		if e != nil {
			e.uvarint(x)
		}
	}
	str := func() {
		s := d.str()
		if e != nil && d.err == nil {
			e.str(s)
		}
	}
	raw := func(n, size int) {
		b := d.bytes(n * size)
		if e != nil && d.err == nil {
			e.uvarint(uint64(n))
			e.body = append(e.body, b...)
		}
	}
	num()                // version
	str()                // basis
	raw(d.count(1), 1)   // published
	groups := d.count(2) // groups
	if e != nil {
		e.uvarint(uint64(groups))
	}
	for range 2 * groups {
		str()
	}
	num() // elements
	num() // reused
	str() // level
	uses := d.count(5)
	if e != nil {
		e.uvarint(uint64(uses))
	}
	for range 5 * uses {
		str()
	}
	sources := d.count(1)
	if e != nil {
		e.uvarint(uint64(sources))
	}
	for range sources {
		str()
	}
	num()              // assets
	raw(d.count(8), 8) // common
	raw(d.count(8), 8) // plain
}

// summary reads one outcome's published time and appends its sources to
// sources, reading past the rest.
func (d *outcomeDecoder) summary(sources []string) (time.Time, []string) {
	var p time.Time
	d.uvarint() // version
	d.str()     // basis
	if t := d.bytes(d.count(1)); d.err == nil {
		if err := p.UnmarshalBinary(t); err != nil {
			d.err = err
		}
	}
	for range 2 * d.count(2) { // groups
		d.str()
	}
	d.uvarint()                // elements
	d.uvarint()                // reused
	d.str()                    // level
	for range 5 * d.count(5) { // uses
		d.str()
	}
	for range d.count(1) {
		sources = append(sources, d.str())
	}
	d.uvarint()             // assets
	d.bytes(8 * d.count(8)) // common
	d.bytes(8 * d.count(8)) // plain
	return p, sources
}

// outcomeSource is one binary outcome file kept in memory as it was read:
// its outcomes are decoded when asked for (outcomeSource.decode), so a
// library's state costs its files' bytes, not its decoded outcomes.
type outcomeSource struct {
	body []byte   // the entries (after the string table, before the checksum)
	strs []string // the string table, slices of one string
}

// isOutcomeBinary reports whether b starts like a binary outcome file.
func isOutcomeBinary(b []byte) bool {
	return len(b) >= len(outcomeMagic) && (string(b[:len(outcomeMagic)]) == outcomeMagic || string(b[:len(outcomeMagicV2)]) == outcomeMagicV2)
}

// outcomeHeader checks a binary file's checksum and reads its header and
// string table; d is left at the entry count.
func outcomeHeader(b []byte) (d *outcomeDecoder, seq uint64, full bool, err error) {
	if len(b) < len(outcomeMagic)+4 || !isOutcomeBinary(b) {
		return nil, 0, false, errOutcomeShort
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, crcTable) != sum {
		return nil, 0, false, errors.New("checksum mismatch")
	}
	d = &outcomeDecoder{b: body[len(outcomeMagic):]}
	seq = d.uvarint()
	if fb := d.bytes(1); d.err == nil {
		full = fb[0] == 1
	}
	// One string holds the table's bytes; the strings are slices of it.
	spans := make([][]byte, d.count(1))
	total := 0
	for i := range spans {
		spans[i] = d.bytes(d.count(1))
		total += len(spans[i])
	}
	if d.err != nil {
		return nil, 0, false, d.err
	}
	all := make([]byte, 0, total)
	for _, sp := range spans {
		all = append(all, sp...)
	}
	table := string(all)
	d.strs = make([]string, len(spans))
	off := 0
	for i, sp := range spans {
		d.strs[i] = table[off : off+len(sp)]
		off += len(sp)
	}
	return d, seq, full, nil
}

// indexOutcomeFile checks one binary file and indexes its entries
// without decoding their outcomes: each ref points at its outcome in the
// file's source. A version 2 file is walked outcome by outcome; a newer
// one's entry table says where each outcome is.
func indexOutcomeFile(b []byte) (r *outcomeRun, err error) {
	d, seq, full, err := outcomeHeader(b)
	if err != nil {
		return nil, err
	}
	src := &outcomeSource{strs: d.strs}
	r = &outcomeRun{seq: seq, full: full, size: len(b), src: src}
	if string(b[:len(outcomeMagicV2)]) == outcomeMagicV2 {
		r.v2 = true
		return r, indexOutcomesV2(d, r)
	}
	n := d.count(4)
	if d.err != nil {
		return nil, d.err
	}
	r.ids, r.refs = make([]string, n), make([]outcomeRef, n)
	offs := make([]uint64, n)
	for k := range n {
		r.ids[k] = d.str()
		r.refs[k] = outcomeRef{computed: d.uvarint(), stale: d.uvarint(), off: -1}
		offs[k] = d.uvarint()
	}
	src.body = d.bytes(d.count(1))
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the outcomes", len(d.b))
	}
	for k, off := range offs {
		if off == 0 {
			continue
		}
		if off > uint64(len(src.body)) {
			return nil, fmt.Errorf("outcome of %s at %d of %d bytes", r.ids[k], off-1, len(src.body))
		}
		r.refs[k].src, r.refs[k].off = src, int(off-1)
	}
	return r, nil
}

// indexOutcomesV2 indexes the entries of a version 2 file (d at the entry
// count) into r, walking every outcome to find the next entry.
func indexOutcomesV2(d *outcomeDecoder, r *outcomeRun) error {
	src := r.src
	n := d.count(4)
	src.body = d.b
	r.ids, r.refs = make([]string, 0, n), make([]outcomeRef, 0, n)
	for range n {
		id := d.str()
		ref := outcomeRef{computed: d.uvarint(), stale: d.uvarint(), off: -1}
		if has := d.bytes(1); d.err == nil && has[0] == 1 {
			ref.src, ref.off = src, len(src.body)-len(d.b)
			d.walkOutcome(nil)
		}
		if d.err != nil {
			return d.err
		}
		r.ids = append(r.ids, id)
		r.refs = append(r.refs, ref)
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%d bytes after the entries", len(d.b))
	}
	return nil
}

// decoder returns a decoder of src's outcomes; one decoder serves many
// (its slabs are shared).
func (src *outcomeSource) decoder() *outcomeDecoder {
	return &outcomeDecoder{strs: src.strs}
}

// decodeAt decodes the outcome at off of src's body.
func (d *outcomeDecoder) decodeAt(src *outcomeSource, off int) (*kit.Outcome, error) {
	d.b, d.err = src.body[off:], nil
	o := d.outcome()
	return o, d.err
}

// decodeOutcomeFile checks and reads one file: binary, or JSON as
// libraries written before the binary form hold.
func decodeOutcomeFile(b []byte) (*outcomeFile, error) {
	if !isOutcomeBinary(b) {
		return decodeOutcomeFileJSON(b)
	}
	r, err := indexOutcomeFile(b)
	if err != nil {
		return nil, err
	}
	f := &outcomeFile{Version: outcomeBinaryVersion, Seq: r.seq, Full: r.full, Entries: make(map[string]*outcomeEntry, len(r.ids))}
	d := r.src.decoder()
	for k, id := range r.ids {
		ref := r.refs[k]
		e := &outcomeEntry{Computed: ref.computed, Stale: ref.stale}
		if ref.has() {
			if e.Outcome, err = d.decodeAt(r.src, ref.off); err != nil {
				return nil, err
			}
		}
		f.Entries[id] = e
	}
	return f, nil
}

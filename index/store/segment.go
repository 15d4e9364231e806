package store

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/zstd"

	"elib/internal/i18n/msg"
	"elib/library/kit"
	"elib/vfs"
)

// Format constants of a segment file.
const (
	// Version is the segment format version written by this package.
	// Version 2 stores element blocks uncompressed (their signatures and
	// shingle hashes are random bytes: zstd saved 4–8 % and cost every
	// read a decode); version 1, still read, compressed them.
	Version = 2
	// rawElementsVersion is the first version with raw element blocks.
	rawElementsVersion = 2
	// ElementBlockSize is the uncompressed size at which an element block
	// is cut: a check reads a few elements from each of many blocks, so a
	// small block costs little to read and decode; see
	// benchmarks/RESULTS.md for the sizes measured.
	ElementBlockSize = 4 << 10
	// AssetBlockSize is the uncompressed size at which an asset block is
	// cut: large enough for zstd to compress the JSON well.
	AssetBlockSize = 16 << 10

	headerSize  = 16
	trailerSize = 32
	maxBlock    = 64 << 20
)

var (
	headerMagic  = [8]byte{'E', 'L', 'I', 'B', 'S', 'E', 'G', '1'}
	trailerMagic = [8]byte{'E', 'L', 'I', 'B', 'E', 'N', 'D', '1'}
)

// ErrCorrupt is wrapped by every error about a damaged segment file.
var ErrCorrupt = msg.New("corrupt segment")

// BlockInfo locates one compressed block in a segment file.
type BlockInfo struct {
	Offset   int64
	CLen     uint32 // compressed length
	ULen     uint32 // uncompressed length
	FirstRef uint32 // element blocks: ref of the first element
	Count    uint32 // records in the block
	Sum      uint64 // xxhash64 of the compressed bytes
}

// AssetEntry is the directory entry of one asset in a segment.
type AssetEntry struct {
	ID       string
	Block    uint32 // index into the asset blocks
	FirstRef uint32
	Count    uint32
}

// Info describes a committed segment file.
type Info struct {
	Size       int64
	Sum        uint64 // xxhash64 of the whole file
	FirstRef   uint32
	Elements   int
	Assets     int
	Tombstones int
}

// Writer writes one segment file. It is not safe for concurrent use.
type Writer struct {
	fs       vfs.FS
	path     string
	f        vfs.File
	bw       *bufio.Writer
	hash     *xxhash.Digest
	off      int64
	enc      *zstd.Encoder
	firstRef uint32
	nextRef  uint32
	version  uint32 // format written

	elemBuf   []byte
	elemCount uint32
	elemFirst uint32
	assetBuf  []byte
	assetCnt  uint32

	elemBlocks  []BlockInfo
	assetBlocks []BlockInfo
	assets      []AssetEntry
	types       []byte
	tombstones  []Tombstone
	scratch     []byte
	err         error
}

// Create starts a segment at path of fsys whose first element will have
// ref firstRef. Nothing is visible at path until Commit.
func Create(fsys vfs.FS, path string, firstRef uint32) (*Writer, error) {
	return create(fsys, path, firstRef, Version)
}

// create is Create writing format version (tests write older versions).
func create(fsys vfs.FS, path string, firstRef uint32, version uint32) (*Writer, error) {
	f, err := fsys.Create(path + vfs.TempSuffix)
	if err != nil {
		return nil, msg.Errorf("create segment: %w", err)
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		f.Close()
		return nil, msg.Errorf("create segment: %w", err)
	}
	w := &Writer{fs: fsys, path: path, f: f, bw: bufio.NewWriterSize(f, 1<<20), hash: xxhash.New(), enc: enc,
		firstRef: firstRef, nextRef: firstRef, elemFirst: firstRef, version: version}
	var hdr [headerSize]byte
	copy(hdr[:], headerMagic[:])
	binary.LittleEndian.PutUint32(hdr[8:], version)
	w.write(hdr[:])
	return w, w.err
}

func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	if _, err := w.bw.Write(b); err != nil {
		w.err = msg.Errorf("write segment %s: %w", w.path, err)
		return
	}
	w.hash.Write(b)
	w.off += int64(len(b))
}

// AddElement appends an element record; refs must be consecutive from the
// segment's first ref.
func (w *Writer) AddElement(e *kit.ElementRecord) error {
	if w.err != nil {
		return w.err
	}
	if e.Ref != w.nextRef {
		return msg.Errorf("segment %s: element ref %d out of order (want %d)", w.path, e.Ref, w.nextRef)
	}
	if w.elemCount == 0 {
		w.elemFirst = e.Ref
	}
	w.elemBuf = appendElement(w.elemBuf, e)
	w.elemCount++
	w.nextRef++
	w.types = append(w.types, kit.TypeCode(e.Type))
	if len(w.elemBuf) >= ElementBlockSize {
		w.flushElements()
	}
	return w.err
}

// AddAsset appends an asset record. Its elements' refs are
// [a.FirstRef, a.FirstRef+len(a.Asset.Elements)).
func (w *Writer) AddAsset(a *kit.AssetRecord) error {
	if w.err != nil {
		return w.err
	}
	var err error
	w.assetBuf, err = appendAsset(w.assetBuf, a)
	if err != nil {
		return err
	}
	w.assets = append(w.assets, AssetEntry{ID: a.Asset.ID, Block: uint32(len(w.assetBlocks)),
		FirstRef: a.FirstRef, Count: uint32(len(a.Asset.Elements))})
	w.assetCnt++
	if len(w.assetBuf) >= AssetBlockSize {
		w.flushAssets()
	}
	return w.err
}

// AddTombstone records that an earlier asset's elements are no longer live.
func (w *Writer) AddTombstone(t Tombstone) { w.tombstones = append(w.tombstones, t) }

func (w *Writer) flushBlock(records []byte, count, firstRef uint32, compress bool) BlockInfo {
	raw := binary.AppendUvarint(w.scratch[:0], uint64(count))
	raw = append(raw, records...)
	w.scratch = raw
	c := raw
	if compress {
		c = w.enc.EncodeAll(raw, nil)
	}
	bi := BlockInfo{Offset: w.off, CLen: uint32(len(c)), ULen: uint32(len(raw)), FirstRef: firstRef, Count: count, Sum: xxhash.Sum64(c)}
	w.write(c)
	return bi
}

func (w *Writer) flushElements() {
	if w.elemCount == 0 {
		return
	}
	w.elemBlocks = append(w.elemBlocks, w.flushBlock(w.elemBuf, w.elemCount, w.elemFirst, w.version < rawElementsVersion))
	w.elemBuf, w.elemCount = w.elemBuf[:0], 0
}

func (w *Writer) flushAssets() {
	if w.assetCnt == 0 {
		return
	}
	w.assetBlocks = append(w.assetBlocks, w.flushBlock(w.assetBuf, w.assetCnt, 0, true))
	w.assetBuf, w.assetCnt = w.assetBuf[:0], 0
}

func appendBlocks(b []byte, blocks []BlockInfo) []byte {
	b = binary.AppendUvarint(b, uint64(len(blocks)))
	for _, bi := range blocks {
		b = binary.AppendUvarint(b, uint64(bi.Offset))
		b = binary.AppendUvarint(b, uint64(bi.CLen))
		b = binary.AppendUvarint(b, uint64(bi.ULen))
		b = binary.AppendUvarint(b, uint64(bi.FirstRef))
		b = binary.AppendUvarint(b, uint64(bi.Count))
		b = binary.LittleEndian.AppendUint64(b, bi.Sum)
	}
	return b
}

// Commit writes the footer and trailer, fsyncs the file, renames it into
// place and fsyncs the directory.
func (w *Writer) Commit() (Info, error) {
	w.flushElements()
	w.flushAssets()
	if w.err != nil {
		w.Abort()
		return Info{}, w.err
	}
	var ft []byte
	ft = binary.AppendUvarint(ft, uint64(w.firstRef))
	ft = binary.AppendUvarint(ft, uint64(len(w.types)))
	ft = appendBlocks(ft, w.elemBlocks)
	ft = appendBlocks(ft, w.assetBlocks)
	ft = binary.AppendUvarint(ft, uint64(len(w.assets)))
	for _, a := range w.assets {
		ft = appendString(ft, a.ID)
		ft = binary.AppendUvarint(ft, uint64(a.Block))
		ft = binary.AppendUvarint(ft, uint64(a.FirstRef))
		ft = binary.AppendUvarint(ft, uint64(a.Count))
	}
	ft = append(ft, w.types...)
	ft = binary.AppendUvarint(ft, uint64(len(w.tombstones)))
	for _, t := range w.tombstones {
		ft = appendString(ft, t.AssetID)
		ft = binary.AppendUvarint(ft, uint64(t.FirstRef))
		ft = binary.AppendUvarint(ft, uint64(t.Count))
	}
	c := w.enc.EncodeAll(ft, nil)
	footerOff := w.off
	w.write(c)
	var tr [trailerSize]byte
	binary.LittleEndian.PutUint64(tr[0:], uint64(footerOff))
	binary.LittleEndian.PutUint32(tr[8:], uint32(len(c)))
	binary.LittleEndian.PutUint32(tr[12:], w.version)
	binary.LittleEndian.PutUint64(tr[16:], xxhash.Sum64(c))
	copy(tr[24:], trailerMagic[:])
	w.write(tr[:])
	if w.err == nil {
		if err := w.bw.Flush(); err != nil {
			w.err = msg.Errorf("write segment %s: %w", w.path, err)
		}
	}
	if w.err != nil {
		w.Abort()
		return Info{}, w.err
	}
	if err := vfs.Commit(w.fs, w.f, w.path); err != nil {
		w.fs.Remove(w.f.Name())
		return Info{}, err
	}
	w.enc.Close()
	return Info{Size: w.off, Sum: w.hash.Sum64(), FirstRef: w.firstRef, Elements: len(w.types),
		Assets: len(w.assets), Tombstones: len(w.tombstones)}, nil
}

// Abort discards an uncommitted segment.
func (w *Writer) Abort() {
	if w.f != nil {
		w.f.Close()
		w.fs.Remove(w.f.Name())
	}
	w.enc.Close()
}

// Reader reads a committed segment file. It keeps the footer in memory and
// reads blocks on demand, from a read-only mapping of the file when its
// file system can map it (vfs.Mapper), with one read call each otherwise;
// it is safe for concurrent use, Close included.
type Reader struct {
	path        string
	f           vfs.File
	m           *vfs.Mapping // nil when the file is not mapped
	blocks      io.ReaderAt  // where blocks are read: m, or f
	dec         *zstd.Decoder
	size        int64
	firstRef    uint32
	types       []byte
	elemBlocks  []BlockInfo
	assetBlocks []BlockInfo
	assets      []AssetEntry
	assetEnds   []uint32 // FirstRef+Count of each asset: AssetIndex's search
	assetDir    []uint32 // per assetDirRefs refs from firstRef: the first asset ending past them
	maxCount    uint32   // the most elements an asset holds
	tombstones  []Tombstone
	version     uint32
}

// Open opens the segment at path of fsys and checks its header, trailer
// and footer checksum. dec decodes blocks and may be shared between readers.
func Open(fsys vfs.FS, path string, dec *zstd.Decoder) (*Reader, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return nil, msg.Errorf("open segment: %w", err)
	}
	r := &Reader{path: path, f: f, dec: dec, blocks: f}
	if err := r.load(); err != nil {
		f.Close()
		return nil, msg.Errorf("segment %s: %w", path, err)
	}
	if mf, ok := f.(vfs.Mapper); ok {
		// Segment files are immutable once committed: a mapping reads
		// a block with a copy instead of a system call. Without one,
		// blocks are read from the file as before.
		if m, err := mf.Map(); err == nil {
			r.m, r.blocks = m, m
		}
	}
	return r, nil
}

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

func (r *Reader) load() error {
	st, err := r.f.Stat()
	if err != nil {
		return err
	}
	r.size = st.Size()
	if r.size < headerSize+trailerSize {
		return corruptf("file too short (%d bytes)", r.size)
	}
	var hdr [headerSize]byte
	if _, err := r.f.ReadAt(hdr[:], 0); err != nil {
		return err
	}
	if [8]byte(hdr[:8]) != headerMagic {
		return corruptf("bad header magic")
	}
	r.version = binary.LittleEndian.Uint32(hdr[8:])
	if r.version < 1 || r.version > Version {
		return msg.Errorf("unsupported segment version %d", r.version)
	}
	var tr [trailerSize]byte
	if _, err := r.f.ReadAt(tr[:], r.size-trailerSize); err != nil {
		return err
	}
	if [8]byte(tr[24:]) != trailerMagic {
		return corruptf("bad trailer magic")
	}
	off := int64(binary.LittleEndian.Uint64(tr[0:]))
	n := int64(binary.LittleEndian.Uint32(tr[8:]))
	if off < headerSize || off+n != r.size-trailerSize {
		return corruptf("bad footer location")
	}
	c := make([]byte, n)
	if _, err := r.f.ReadAt(c, off); err != nil {
		return err
	}
	if xxhash.Sum64(c) != binary.LittleEndian.Uint64(tr[16:]) {
		return corruptf("footer checksum mismatch")
	}
	ft, err := r.dec.DecodeAll(c, nil)
	if err != nil {
		return corruptf("footer: %v", err)
	}
	return r.parseFooter(ft, off)
}

func (r *Reader) parseFooter(ft []byte, limit int64) error {
	d := &decoder{b: ft}
	r.firstRef = uint32(d.uvarint())
	nElem := d.uvarint()
	blocks := func() []BlockInfo {
		n := d.uvarint()
		if n > uint64(len(d.b)) {
			d.err = errCorruptRecord
			return nil
		}
		out := make([]BlockInfo, n)
		for i := range out {
			out[i] = BlockInfo{Offset: int64(d.uvarint()), CLen: uint32(d.uvarint()), ULen: uint32(d.uvarint()),
				FirstRef: uint32(d.uvarint()), Count: uint32(d.uvarint()), Sum: d.u64()}
			if d.err == nil && (out[i].Offset < headerSize || out[i].Offset+int64(out[i].CLen) > limit || out[i].ULen > maxBlock) {
				d.err = errCorruptRecord
			}
		}
		return out
	}
	r.elemBlocks = blocks()
	r.assetBlocks = blocks()
	na := d.uvarint()
	if na > uint64(len(d.b)) {
		return corruptf("footer: asset directory")
	}
	r.assets = make([]AssetEntry, 0, na)
	for i := uint64(0); i < na && d.err == nil; i++ {
		r.assets = append(r.assets, AssetEntry{ID: d.str(), Block: uint32(d.uvarint()), FirstRef: uint32(d.uvarint()), Count: uint32(d.uvarint())})
	}
	// A copy: the decoded footer is garbage once parsed.
	r.types = slices.Clone(d.bytes(nElem))
	nt := d.uvarint()
	if nt > uint64(len(d.b)) {
		return corruptf("footer: tombstones")
	}
	for i := uint64(0); i < nt && d.err == nil; i++ {
		r.tombstones = append(r.tombstones, Tombstone{AssetID: d.str(), FirstRef: uint32(d.uvarint()), Count: uint32(d.uvarint())})
	}
	if d.err != nil || len(d.b) != 0 {
		return corruptf("footer: malformed")
	}
	var total uint64
	for _, b := range r.elemBlocks {
		total += uint64(b.Count)
	}
	if total != nElem {
		return corruptf("footer: element count mismatch")
	}
	for _, a := range r.assets {
		if int(a.Block) >= len(r.assetBlocks) {
			return corruptf("footer: asset %q in missing block", a.ID)
		}
	}
	r.indexAssets()
	return nil
}

// assetDirRefs is how many refs one slot of the asset directory spans.
const assetDirRefs = 64

// indexAssets builds AssetIndex's search: the assets' ends, and the
// directory of where the search for each run of assetDirRefs refs starts.
func (r *Reader) indexAssets() {
	r.assetEnds = make([]uint32, len(r.assets))
	for i, a := range r.assets {
		r.assetEnds[i] = a.FirstRef + a.Count
		r.maxCount = max(r.maxCount, a.Count)
	}
	r.assetDir = make([]uint32, len(r.types)/assetDirRefs+2)
	j := 0
	for k := range r.assetDir {
		ref := uint64(r.firstRef) + uint64(k*assetDirRefs)
		for j < len(r.assetEnds) && uint64(r.assetEnds[j]) <= ref {
			j++
		}
		r.assetDir[k] = uint32(j)
	}
}

// MaxAssetElements returns the most elements one asset of the segment
// holds.
func (r *Reader) MaxAssetElements() int { return int(r.maxCount) }

// Path returns the segment's file name.
func (r *Reader) Path() string { return r.path }

// Size returns the file size in bytes.
func (r *Reader) Size() int64 { return r.size }

// FirstRef returns the ref of the segment's first element.
func (r *Reader) FirstRef() uint32 { return r.firstRef }

// NumElements returns the number of element records.
func (r *Reader) NumElements() int { return len(r.types) }

// Types returns one type code (see TypeOf) per element, in ref order. The
// slice must not be modified.
func (r *Reader) Types() []byte { return r.types }

// Assets returns the asset directory. The slice must not be modified.
func (r *Reader) Assets() []AssetEntry { return r.assets }

// AssetIndex returns the index in Assets of the asset holding element ref,
// or -1 when none does.
func (r *Reader) AssetIndex(ref uint32) int {
	// The first asset ending after ref is one of dir[k]..dir[k+1] (k is
	// ref's run of refs); a search of [dir[k], dir[k+1]) returns dir[k+1]
	// when it is that one.
	lo, hi := 0, len(r.assetEnds)
	if ref >= r.firstRef {
		if k := int(ref-r.firstRef) / assetDirRefs; k+1 < len(r.assetDir) {
			lo, hi = int(r.assetDir[k]), int(r.assetDir[k+1])
		}
	}
	i, _ := slices.BinarySearch(r.assetEnds[lo:hi], ref+1)
	i += lo
	if i == len(r.assets) || r.assets[i].FirstRef > ref {
		return -1
	}
	return i
}

// Tombstones returns the tombstones recorded in this segment.
func (r *Reader) Tombstones() []Tombstone { return r.tombstones }

// ElementBlocks returns the element block index.
func (r *Reader) ElementBlocks() []BlockInfo { return r.elemBlocks }

// NumAssetBlocks returns the number of asset blocks.
func (r *Reader) NumAssetBlocks() int { return len(r.assetBlocks) }

// BlockFor returns the index of the element block holding ref, or -1.
func (r *Reader) BlockFor(ref uint32) int {
	if ref < r.firstRef || ref >= r.firstRef+uint32(len(r.types)) {
		return -1
	}
	i := sort.Search(len(r.elemBlocks), func(i int) bool { return r.elemBlocks[i].FirstRef > ref }) - 1
	if i < 0 {
		return -1
	}
	return i
}

// readBlock reads a block and checks its checksum; compressed blocks are
// decoded.
func (r *Reader) readBlock(kind string, i int, bi BlockInfo, compressed bool) ([]byte, error) {
	if !compressed && bi.CLen != bi.ULen {
		return nil, msg.Errorf("segment %s: %s block %d: %w: stored size %d, raw size %d", r.path, kind, i, ErrCorrupt, bi.CLen, bi.ULen)
	}
	c := make([]byte, bi.CLen)
	if _, err := r.blocks.ReadAt(c, bi.Offset); err != nil {
		return nil, msg.Errorf("segment %s: read %s block %d: %w", r.path, kind, i, err)
	}
	if xxhash.Sum64(c) != bi.Sum {
		return nil, msg.Errorf("segment %s: %s block %d: %w: checksum mismatch", r.path, kind, i, ErrCorrupt)
	}
	if !compressed {
		return c, nil
	}
	raw, err := r.dec.DecodeAll(c, make([]byte, 0, bi.ULen))
	if err != nil || len(raw) != int(bi.ULen) {
		return nil, msg.Errorf("segment %s: %s block %d: %w: bad compression", r.path, kind, i, ErrCorrupt)
	}
	return raw, nil
}

// ElementBlock decodes element block i, verifying its checksum.
func (r *Reader) ElementBlock(i int) ([]kit.ElementRecord, error) {
	if i < 0 || i >= len(r.elemBlocks) {
		return nil, msg.Errorf("segment %s: element block %d out of range", r.path, i)
	}
	bi := r.elemBlocks[i]
	raw, err := r.readBlock("element", i, bi, r.version < rawElementsVersion)
	if err != nil {
		return nil, err
	}
	els, err := decodeElements(raw)
	if err != nil || len(els) != int(bi.Count) || (len(els) > 0 && els[0].Ref != bi.FirstRef) {
		return nil, msg.Errorf("segment %s: element block %d: %w: malformed records", r.path, i, ErrCorrupt)
	}
	return els, nil
}

// ElementRecords reads element block i, verifying its checksum and its
// record framing; records are decoded one at a time (ElementRecords.Element).
// A mapped segment's block is checked in place and left in the mapping:
// no copy of it is made, and each record is decoded from it when asked.
func (r *Reader) ElementRecords(i int) (*ElementRecords, error) {
	if i < 0 || i >= len(r.elemBlocks) {
		return nil, msg.Errorf("segment %s: element block %d out of range", r.path, i)
	}
	bi := r.elemBlocks[i]
	if r.m != nil && r.version >= rawElementsVersion {
		return r.mappedElementRecords(i, bi)
	}
	raw, err := r.readBlock("element", i, bi, r.version < rawElementsVersion)
	if err != nil {
		return nil, err
	}
	recs, err := splitElements(raw)
	if err != nil || recs.Len() != int(bi.Count) {
		return nil, msg.Errorf("segment %s: element block %d: %w: malformed records", r.path, i, ErrCorrupt)
	}
	return recs, nil
}

// errBlockSum is a mapped block's checksum failure inside Mapping.View.
var errBlockSum = errors.New("block checksum mismatch")

// mappedElementRecords checks raw element block i in the mapping, as
// readBlock and splitElements check a copy, and keeps its record offsets.
func (r *Reader) mappedElementRecords(i int, bi BlockInfo) (*ElementRecords, error) {
	if bi.CLen != bi.ULen {
		return nil, msg.Errorf("segment %s: element block %d: %w: stored size %d, raw size %d", r.path, i, ErrCorrupt, bi.CLen, bi.ULen)
	}
	var recs *ElementRecords
	err := r.m.View(bi.Offset, int(bi.CLen), func(b []byte) error {
		if xxhash.Sum64(b) != bi.Sum {
			return errBlockSum
		}
		var err error
		recs, err = splitElements(b)
		return err
	})
	switch {
	case errors.Is(err, errBlockSum):
		return nil, msg.Errorf("segment %s: element block %d: %w: checksum mismatch", r.path, i, ErrCorrupt)
	case errors.Is(err, errCorruptRecord) || err == nil && recs.Len() != int(bi.Count):
		return nil, msg.Errorf("segment %s: element block %d: %w: malformed records", r.path, i, ErrCorrupt)
	case err != nil:
		return nil, msg.Errorf("segment %s: read element block %d: %w", r.path, i, err)
	}
	recs.raw, recs.m, recs.base, recs.path = nil, r.m, bi.Offset, r.path // the offsets only: nothing points into the mapping
	return recs, nil
}

// AssetBlock decodes asset block i, verifying its checksum.
func (r *Reader) AssetBlock(i int) ([]kit.AssetRecord, error) {
	if i < 0 || i >= len(r.assetBlocks) {
		return nil, msg.Errorf("segment %s: asset block %d out of range", r.path, i)
	}
	bi := r.assetBlocks[i]
	raw, err := r.readBlock("asset", i, bi, true)
	if err != nil {
		return nil, err
	}
	recs, err := decodeAssets(raw)
	if err != nil || len(recs) != int(bi.Count) {
		return nil, msg.Errorf("segment %s: asset block %d: %w: malformed records", r.path, i, ErrCorrupt)
	}
	return recs, nil
}

// Verify reads the whole file and compares its size and xxhash64 with the
// values recorded in the manifest.
func (r *Reader) Verify(size int64, sum uint64) error {
	if r.size != size {
		return msg.Errorf("segment %s: %w: size %d, manifest says %d", r.path, ErrCorrupt, r.size, size)
	}
	got, err := FileSum(r.f)
	if err != nil {
		return msg.Errorf("segment %s: %w", r.path, err)
	}
	if got != sum {
		return msg.Errorf("segment %s: %w: checksum mismatch", r.path, ErrCorrupt)
	}
	return nil
}

// FileSum returns the xxhash64 of everything readable from r.
func FileSum(r io.ReaderAt) (uint64, error) {
	h := xxhash.New()
	buf := make([]byte, 1<<20)
	var off int64
	for {
		n, err := r.ReadAt(buf, off)
		h.Write(buf[:n])
		off += int64(n)
		if err == io.EOF {
			return h.Sum64(), nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// WarmElements maps the element blocks of a mapped segment into memory
// ahead of their reads (vfs.Mapping.Populate, pause between steps), so
// that a check's first reads of them do not wait for the disk; an
// unmapped segment has nothing to warm.
func (r *Reader) WarmElements(pause func() bool) error {
	if r.m == nil || len(r.elemBlocks) == 0 {
		return nil
	}
	first, last := r.elemBlocks[0], r.elemBlocks[len(r.elemBlocks)-1]
	if err := r.m.Populate(first.Offset, last.Offset+int64(last.CLen)-first.Offset, pause); err != nil {
		return msg.Errorf("segment %s: %w", r.path, err)
	}
	return nil
}

// Mapped reports whether blocks are read from a mapping of the file.
func (r *Reader) Mapped() bool { return r.m != nil }

// Close releases the file and its mapping, waiting for the block reads in
// flight; blocks read later fail with an error naming the file.
func (r *Reader) Close() error {
	var merr error
	if r.m != nil {
		merr = r.m.Close()
	}
	return errors.Join(merr, r.f.Close())
}

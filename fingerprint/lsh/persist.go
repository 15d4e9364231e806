package lsh

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/cespare/xxhash/v2"
)

// File format (all integers little-endian):
//
//	magic   [8]byte "ELIBLSH\x00"
//	version u32     (formatVersion)
//	bands   u32
//	rows    u32
//	flags   u32     (0)
//	words   u64     length of the live-id bitset in 64-bit words
//	live    [words]u64
//	per band: count u64, then count entries u64 (sorted ascending, live ids only)
//	sum     u64     xxhash64 of every byte before it
const (
	magic         = "ELIBLSH\x00"
	formatVersion = 1
	maxBands      = 1 << 16
	maxWords      = 1 << 26 // enough for every uint32 id
)

// Errors returned by ReadIndex, wrapped with context.
var (
	// ErrBadMagic means the input is not an LSH index.
	ErrBadMagic = errors.New("lsh: not an index (bad magic)")
	// ErrVersion means the index was written by an unknown format version.
	ErrVersion = errors.New("lsh: unsupported index format version")
	// ErrCorrupt means the index failed a structural check or its checksum.
	ErrCorrupt = errors.New("lsh: corrupt index")
)

// WriteTo writes the index in its compact binary form: each band as one
// sorted run of live entries, so ReadIndex loads it without sorting.
// Removed ids are dropped. It holds the read lock while writing.
func (x *Index) WriteTo(w io.Writer) (int64, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	cw := &countWriter{w: w}
	d := xxhash.New()
	bw := bufio.NewWriterSize(io.MultiWriter(cw, d), 1<<16)
	var buf [8]byte
	put64 := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		bw.Write(buf[:]) // errors surface at Flush
	}
	bw.WriteString(magic)
	var hdr [16]byte
	binary.LittleEndian.PutUint32(hdr[0:], formatVersion)
	binary.LittleEndian.PutUint32(hdr[4:], uint32(x.p.Bands))
	binary.LittleEndian.PutUint32(hdr[8:], uint32(x.p.Rows))
	bw.Write(hdr[:])
	put64(uint64(len(x.live)))
	for _, v := range x.live {
		put64(v)
	}
	for i := range x.bands {
		entries := x.snapshot(&x.bands[i])
		put64(uint64(len(entries)))
		for _, e := range entries {
			put64(e)
		}
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("write lsh index: %w", err)
	}
	binary.LittleEndian.PutUint64(buf[:], d.Sum64())
	if _, err := cw.Write(buf[:]); err != nil {
		return cw.n, fmt.Errorf("write lsh index checksum: %w", err)
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ReadIndex reads an index written by WriteTo. It validates the header,
// the ordering of every band and the trailing checksum; it never allocates
// much more than the input actually holds.
func ReadIndex(r io.Reader) (*Index, error) { return readIndex(r, -1) }

// ReadIndexSize is ReadIndex of an input of at most size bytes (a file's
// size): each band is decoded straight into its final arrays, allocated
// once at the size its count says, so the index's arrays are the only
// memory the read takes. A count that does not fit in size is corrupt.
func ReadIndexSize(r io.Reader, size int64) (*Index, error) {
	if size < 0 {
		return nil, fmt.Errorf("read lsh index: size %d: %w", size, ErrCorrupt)
	}
	return readIndex(r, size)
}

// readIndex is ReadIndex; size >= 0 bounds the input's length.
func readIndex(r io.Reader, size int64) (*Index, error) {
	d := xxhash.New()
	br := bufio.NewReaderSize(r, 1<<16)
	tr := io.TeeReader(br, d)
	var hdr [24]byte
	if _, err := io.ReadFull(tr, hdr[:]); err != nil {
		return nil, fmt.Errorf("read lsh index header: %w", noEOF(err))
	}
	if string(hdr[:8]) != magic {
		return nil, ErrBadMagic
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != formatVersion {
		return nil, fmt.Errorf("read lsh index: version %d: %w", v, ErrVersion)
	}
	p := Params{Bands: int(binary.LittleEndian.Uint32(hdr[12:])), Rows: int(binary.LittleEndian.Uint32(hdr[16:]))}
	if p.Bands <= 0 || p.Bands > maxBands || p.Rows <= 0 || p.Rows > 1<<16 {
		return nil, fmt.Errorf("read lsh index: params %dx%d: %w", p.Bands, p.Rows, ErrCorrupt)
	}
	if binary.LittleEndian.Uint32(hdr[20:]) != 0 {
		return nil, fmt.Errorf("read lsh index: unknown flags: %w", ErrCorrupt)
	}
	x := NewIndex(p)
	words, err := readU64(tr)
	if err != nil {
		return nil, fmt.Errorf("read lsh index bitset length: %w", err)
	}
	if words > maxWords {
		return nil, fmt.Errorf("read lsh index: bitset of %d words: %w", words, ErrCorrupt)
	}
	if x.live, err = readU64s(tr, words); err != nil {
		return nil, fmt.Errorf("read lsh index bitset: %w", err)
	}
	x.n = x.live.count()
	left := size - 24 - 8 - 8*int64(words) // bytes the bands may take
	var chunk []byte
	for i := range x.bands {
		count, err := readU64(tr)
		if err != nil {
			return nil, fmt.Errorf("read lsh index band %d: %w", i, err)
		}
		left -= 8
		if count > 1<<40 || size >= 0 && count > uint64(max(left, 0))/8 {
			return nil, fmt.Errorf("read lsh index band %d: %d entries: %w", i, count, ErrCorrupt)
		}
		if count == 0 {
			continue
		}
		if size < 0 { // a lying count must not allocate: grow as data arrives
			entries, err := readU64s(tr, count)
			if err != nil {
				return nil, fmt.Errorf("read lsh index band %d: %w", i, err)
			}
			if j := x.badEntry(entries, 0); j >= 0 {
				return nil, fmt.Errorf("read lsh index band %d entry %d: unsorted or unknown id: %w", i, j, ErrCorrupt)
			}
			x.bands[i].runs = []run{newRun(entries)}
			continue
		}
		left -= 8 * int64(count)
		b := newRunBuilder(int(count))
		if chunk == nil {
			chunk = make([]byte, 8*readStep)
		}
		entries := make([]uint64, 0, min(count, readStep))
		var last uint64
		for done := uint64(0); done < count; {
			k := min(count-done, readStep)
			c := chunk[:8*k]
			if _, err := io.ReadFull(tr, c); err != nil {
				return nil, fmt.Errorf("read lsh index band %d: %w", i, noEOF(err))
			}
			entries = entries[:0]
			for j := 0; j < len(c); j += 8 {
				entries = append(entries, binary.LittleEndian.Uint64(c[j:]))
			}
			if j := x.badEntry(entries, last); j >= 0 {
				return nil, fmt.Errorf("read lsh index band %d entry %d: unsorted or unknown id: %w", i, done+uint64(j), ErrCorrupt)
			}
			last = entries[len(entries)-1]
			b.add(entries)
			done += k
		}
		x.bands[i].runs = []run{b.run()}
	}
	want := d.Sum64()
	got, err := readU64(br)
	if err != nil {
		return nil, fmt.Errorf("read lsh index checksum: %w", err)
	}
	if got != want {
		return nil, fmt.Errorf("read lsh index: checksum mismatch: %w", ErrCorrupt)
	}
	return x, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func readU64(r io.Reader) (uint64, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, noEOF(err)
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// badEntry returns the index of the first of a band's entries e that is
// below the one before it (prev before e[0]) or of an id not live; -1 if
// none is.
func (x *Index) badEntry(e []uint64, prev uint64) int {
	for j, v := range e {
		if v < prev || !x.live.has(uint32(v)) {
			return j
		}
		prev = v
	}
	return -1
}

// readStep is how many entries ReadIndex decodes at a time.
const readStep = 1 << 15

// readU64s reads n little-endian u64 in chunks, so a lying count fails on
// a short input before it can allocate the whole claimed size.
func readU64s(r io.Reader, n uint64) ([]uint64, error) {
	const step = readStep
	// Trust the count up to 32 MB at once; beyond, grow as data arrives.
	out := make([]uint64, 0, min(n, 1<<22))
	buf := make([]byte, 8*min(n, step))
	for rem := n; rem > 0; {
		k := min(rem, step)
		b := buf[:8*k]
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, noEOF(err)
		}
		for i := 0; i < len(b); i += 8 {
			out = append(out, binary.LittleEndian.Uint64(b[i:]))
		}
		rem -= k
	}
	if cap(out) > len(out)+len(out)/8 {
		out = append(make([]uint64, 0, len(out)), out...) // drop growth slack
	}
	return out, nil
}

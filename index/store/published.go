package store

import (
	"encoding/binary"
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// A published file lists, beside a segment, the published time
// (element.Asset.Published) of each asset of the segment's asset
// directory, in directory order, so that stats select a period without
// decoding asset records. It is derived data, not part of the manifest:
// the 8-byte magic, the count (uint32), one int64 per asset (Unix
// nanoseconds or a marker: kit.PublishedEntry), and an xxhash64 of all
// that. A missing or damaged file is rebuilt from the segment.

var publishedMagic = [8]byte{'E', 'L', 'I', 'B', 'P', 'U', 'B', '1'}

// EncodePublished is the published file of entries.
func EncodePublished(entries []int64) []byte {
	b := make([]byte, 0, 8+4+8*len(entries)+8)
	b = append(b, publishedMagic[:]...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(entries)))
	for _, n := range entries {
		b = binary.LittleEndian.AppendUint64(b, uint64(n))
	}
	return binary.LittleEndian.AppendUint64(b, xxhash.Sum64(b))
}

// DecodePublished reads a published file; an error wraps ErrCorrupt.
func DecodePublished(b []byte) ([]int64, error) {
	if len(b) < 8+4+8 || [8]byte(b[:8]) != publishedMagic {
		return nil, fmt.Errorf("published times: %w: bad header", ErrCorrupt)
	}
	body, sum := b[:len(b)-8], binary.LittleEndian.Uint64(b[len(b)-8:])
	if xxhash.Sum64(body) != sum {
		return nil, fmt.Errorf("published times: %w: checksum mismatch", ErrCorrupt)
	}
	n := binary.LittleEndian.Uint32(body[8:])
	raw := body[12:]
	if uint64(len(raw)) != 8*uint64(n) {
		return nil, fmt.Errorf("published times: %w: %d bytes for %d entries", ErrCorrupt, len(raw), n)
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return out, nil
}

package footage

import (
	"encoding/binary"
	"errors"
	"fmt"

	"elib/media/pdq"
)

// Threshold is the largest Hamming distance between two frame hashes that
// counts as the same picture: Meta's recommended PDQ match threshold.
const Threshold = 31

// MinQuality is the PDQ quality under which a frame is too flat (a black,
// faded or blurred frame) for its hash to mean anything; such frames are
// neither stored nor probed.
const MinQuality = 50

// MaxStored is the most hashes the stored form holds for one frame
// (package media stores one).
const MaxStored = 2

// Frame is one sampled frame of a video.
type Frame struct {
	// Ms is the frame's time from the start of the video.
	Ms int64
	// Stored are the hashes a library keeps for this frame (at most
	// MaxStored): the centre 90 % of the picture (the whole frame, or the
	// picture found inside it).
	Stored []pdq.Hash
	// Probes are the hashes a check looks up: the stored ones and the
	// variants that make mirror, crop and letterbox match (mirror images,
	// the whole frame, its centre 72 %, the inner picture). They are not
	// kept in a library.
	Probes []pdq.Hash
}

// Fingerprint is a video's footage fingerprint: its frames of sufficient
// quality, sampled every IntervalMs.
type Fingerprint struct {
	// IntervalMs is the sampling interval (1,000 at 1 fps).
	IntervalMs int64
	// Sampled is how many frames were sampled, kept or not.
	Sampled int
	// Frames are the frames kept (quality ≥ MinQuality), in time order.
	Frames []Frame
}

// Versions of the encoded form (its first byte): version 1 holds the
// stored hashes only (what a library keeps), versionProbes also every
// frame's probes (a video just decoded, on its way to a check).
const (
	version       = 1
	versionProbes = 2
)

// maxProbes bounds the probes of one frame in the encoded form.
const maxProbes = 64

// ErrCorrupt reports bytes that are not an encoded Fingerprint.
var ErrCorrupt = errors.New("footage: corrupt fingerprint")

// Encode returns the stored form: the version, the interval, the sampled
// count, then per kept frame its sample number (as a gap from the previous
// one), how many hashes follow and their 32 bytes each. Probes are not
// written. A minute at 1 fps is at most 60 × 66 bytes plus a header.
func (f *Fingerprint) Encode() []byte { return f.encode(false) }

// EncodeWithProbes is Encode keeping every frame's Probes too (at most 64
// a frame): the form a parsed video carries to a check
// (element.Asset.Footage). A library keeps only Stored (see StoredForm).
func (f *Fingerprint) EncodeWithProbes() []byte { return f.encode(true) }

func (f *Fingerprint) encode(probes bool) []byte {
	b := make([]byte, 0, 8+len(f.Frames)*(2+32*MaxStored))
	if probes {
		b = append(b, versionProbes)
	} else {
		b = append(b, version)
	}
	b = binary.AppendUvarint(b, uint64(max(f.IntervalMs, 1)))
	b = binary.AppendUvarint(b, uint64(f.Sampled))
	b = binary.AppendUvarint(b, uint64(len(f.Frames)))
	prev := int64(-1)
	for _, fr := range f.Frames {
		n := fr.Ms / max(f.IntervalMs, 1)
		b = binary.AppendUvarint(b, uint64(n-prev-1))
		prev = n
		stored := fr.Stored[:min(len(fr.Stored), MaxStored)]
		b = append(b, byte(len(stored)))
		for _, h := range stored {
			b, _ = h.AppendBinary(b)
		}
		if probes {
			ps := fr.Probes[:min(len(fr.Probes), maxProbes)]
			b = append(b, byte(len(ps)))
			for _, h := range ps {
				b, _ = h.AppendBinary(b)
			}
		}
	}
	return b
}

// StoredForm returns the form a library keeps of encoded fingerprint b
// (either version): Encode of what Decode reads, without probes. It
// fails with ErrCorrupt on bytes that are not a fingerprint.
func StoredForm(b []byte) ([]byte, error) {
	f, err := Decode(b)
	if err != nil {
		return nil, err
	}
	return f.Encode(), nil
}

// Decode reads the bytes of Encode (frames without Probes) or
// EncodeWithProbes.
func Decode(b []byte) (*Fingerprint, error) {
	var f *Fingerprint
	err := walk(b, func(interval int64, sampled, count int) {
		f = &Fingerprint{IntervalMs: interval, Sampled: sampled, Frames: make([]Frame, 0, count)}
	}, func(ms int64, stored, probes []byte) {
		fr := Frame{Ms: ms, Stored: hashesOf(stored)}
		if probes != nil {
			fr.Probes = hashesOf(probes)
		}
		f.Frames = append(f.Frames, fr)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// hashesOf reads back-to-back 32-byte hashes.
func hashesOf(b []byte) []pdq.Hash {
	out := make([]pdq.Hash, len(b)/32)
	for i := range out {
		out[i], _ = pdq.FromBytes(b[i*32 : i*32+32])
	}
	return out
}

// walk checks encoded fingerprint b and calls header with its interval,
// sampled and kept frame counts, then frame with each kept frame's time
// and its stored and probe hashes (32 bytes each, back to back; probes
// nil in version 1). Either callback may be nil. On corrupt bytes it
// fails with ErrCorrupt, possibly after some calls.
func walk(b []byte, header func(interval int64, sampled, count int), frame func(ms int64, stored, probes []byte)) error {
	if len(b) == 0 || b[0] != version && b[0] != versionProbes {
		return fmt.Errorf("%w: unknown version", ErrCorrupt)
	}
	withProbes := b[0] == versionProbes
	b = b[1:]
	next := func() (uint64, error) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, fmt.Errorf("%w: truncated", ErrCorrupt)
		}
		b = b[n:]
		return v, nil
	}
	interval, err := next()
	if err != nil {
		return err
	}
	sampled, err := next()
	if err != nil {
		return err
	}
	count, err := next()
	if err != nil {
		return err
	}
	if interval == 0 || interval > 1<<31 || count > sampled || sampled > 1<<24 || count > uint64(len(b)) {
		return fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	if header != nil {
		header(int64(interval), int(sampled), int(count))
	}
	prev := int64(-1)
	for range count {
		gap, err := next()
		if err != nil {
			return err
		}
		if gap >= sampled {
			return fmt.Errorf("%w: frame beyond the video", ErrCorrupt)
		}
		prev += int64(gap) + 1
		if prev >= int64(sampled) {
			return fmt.Errorf("%w: frame beyond the video", ErrCorrupt)
		}
		if len(b) < 1 {
			return fmt.Errorf("%w: truncated", ErrCorrupt)
		}
		n := int(b[0])
		b = b[1:]
		if n == 0 || n > MaxStored || len(b) < 32*n {
			return fmt.Errorf("%w: bad frame", ErrCorrupt)
		}
		stored := b[:32*n]
		b = b[32*n:]
		var probes []byte
		if withProbes {
			if len(b) < 1 {
				return fmt.Errorf("%w: truncated", ErrCorrupt)
			}
			np := int(b[0])
			b = b[1:]
			if np > maxProbes || len(b) < 32*np {
				return fmt.Errorf("%w: bad probes", ErrCorrupt)
			}
			probes = b[: 32*np : 32*np]
			b = b[32*np:]
		}
		if frame != nil {
			frame(prev*int64(interval), stored, probes)
		}
	}
	if len(b) != 0 {
		return fmt.Errorf("%w: trailing bytes", ErrCorrupt)
	}
	return nil
}

// DurationMs is the sampled span: Sampled × IntervalMs.
func (f *Fingerprint) DurationMs() int64 { return int64(f.Sampled) * f.IntervalMs }

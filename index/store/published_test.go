package store

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/library/kit"
)

func TestPublishedFileRoundTrip(t *testing.T) {
	for _, entries := range [][]int64{{}, {0}, {kit.PublishedNone, kit.PublishedUnknown, 1, -1, math.MaxInt64}} {
		b := EncodePublished(entries)
		got, err := DecodePublished(b)
		require.NoError(t, err)
		assert.Equal(t, entries, got)
		for i := range b {
			bad := append([]byte(nil), b...)
			bad[i] ^= 0x40
			_, err := DecodePublished(bad)
			assert.ErrorIs(t, err, ErrCorrupt, "byte %d flipped", i)
		}
		_, err = DecodePublished(b[:len(b)-1])
		assert.ErrorIs(t, err, ErrCorrupt, "truncated")
	}
}

// FuzzDecodePublished: whatever decodes re-encodes to the same bytes, and
// nothing panics.
func FuzzDecodePublished(f *testing.F) {
	f.Add(EncodePublished([]int64{kit.PublishedNone, 1_700_000_000_000_000_000}))
	f.Add(EncodePublished(nil))
	f.Add([]byte("ELIBPUB1\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := DecodePublished(b)
		if err != nil {
			return
		}
		require.Equal(t, string(b), string(EncodePublished(got)))
	})
}

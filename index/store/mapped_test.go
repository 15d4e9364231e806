package store

import (
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/library/kit"
	"elib/vfs"
)

// copyFile copies src to a new file of the test's temporary directory.
func copyFile(t *testing.T, src string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	dst := filepath.Join(t.TempDir(), filepath.Base(src)+"-copy")
	require.NoError(t, os.WriteFile(dst, b, 0o644))
	return dst
}

// openMappedCopy opens a copy of the segment src, closed when the test
// ends, and skips the test where segments are not mapped.
func openMappedCopy(t *testing.T, src string, dec *zstd.Decoder) (string, *Reader) {
	t.Helper()
	path := copyFile(t, src)
	r, err := Open(vfs.OS, path, dec)
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	if !r.Mapped() {
		t.Skip("segments are not mapped here")
	}
	return path, r
}

func TestSegmentOfOSIsMapped(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	els, assets := testElements(50, 0, rng)
	path := filepath.Join(t.TempDir(), "seg")
	writeSegment(t, path, els, assets, nil)
	r, err := Open(vfs.OS, path, newDecoder(t))
	require.NoError(t, err)
	defer r.Close()
	f, err := vfs.OS.Open(path)
	require.NoError(t, err)
	_, mappable := f.(vfs.Mapper)
	f.Close()
	assert.Equal(t, mappable, r.Mapped())
}

// TestTruncatedMappedSegment truncates a copy of a segment — before it is
// opened, and while it is open and mapped — and reads every block: each
// read returns its records or an error naming the file, never a crash
// (a read past the new end of a mapping would be SIGBUS).
func TestTruncatedMappedSegment(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 7))
	els, assets := testElements(2000, 0, rng)
	clean := filepath.Join(t.TempDir(), "seg")
	info := writeSegment(t, clean, els, assets, nil)
	dec := newDecoder(t)

	t.Run("before open", func(t *testing.T) {
		path := copyFile(t, clean)
		require.NoError(t, os.Truncate(path, info.Size/2))
		_, err := Open(vfs.OS, path, dec)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrCorrupt)
		assert.Contains(t, err.Error(), path)
	})

	t.Run("while mapped", func(t *testing.T) {
		path, r := openMappedCopy(t, clean, dec)
		require.Greater(t, len(r.ElementBlocks()), 4)
		require.NoError(t, os.Truncate(path, info.Size/3))
		var ok, failed int
		for i := range r.ElementBlocks() {
			got, err := r.ElementBlock(i)
			if err != nil {
				failed++
				assert.Contains(t, err.Error(), path, "the error names the file")
				assert.True(t, errors.Is(err, vfs.ErrMappingFault) || errors.Is(err, io.EOF), "%v", err)
				continue
			}
			ok++
			assert.Equal(t, els[got[0].Ref], got[0])
		}
		for i := 0; i < r.NumAssetBlocks(); i++ {
			if _, err := r.AssetBlock(i); err != nil {
				assert.Contains(t, err.Error(), path)
				failed++
			}
		}
		assert.Greater(t, ok, 0, "blocks before the cut still read")
		assert.Greater(t, failed, 0, "blocks past the cut fail")
	})

	// ElementRecords checks a block in the mapping and decodes records
	// from it later: blocks read before the cut fail then, naming the file.
	t.Run("records while mapped", func(t *testing.T) {
		path, r := openMappedCopy(t, clean, dec)
		all := make([]*ElementRecords, len(r.ElementBlocks()))
		for i := range all {
			var err error
			all[i], err = r.ElementRecords(i)
			require.NoError(t, err)
		}
		require.NoError(t, os.Truncate(path, info.Size/3))
		var ok, failed int
		for i, recs := range all {
			for _, check := range []func() (kit.ElementRecord, error){
				func() (kit.ElementRecord, error) { return recs.Element(recs.Len() - 1) },
				func() (kit.ElementRecord, error) {
					again, err := r.ElementRecords(i)
					if err != nil {
						return kit.ElementRecord{}, err
					}
					return again.Element(0)
				},
			} {
				got, err := check()
				if err != nil {
					failed++
					assert.Contains(t, err.Error(), path, "the error names the file")
					assert.ErrorIs(t, err, vfs.ErrMappingFault)
					continue
				}
				ok++
				assert.Equal(t, els[got.Ref], got)
			}
		}
		assert.Greater(t, ok, 0, "records before the cut still decode")
		assert.Greater(t, failed, 0, "records past the cut fail")
	})
}

// TestCloseWhileReading closes a mapped segment while goroutines read its
// blocks (run with -race): every read, and every decode of a block read
// before, returns the right records or an error naming the file; Close
// waits for the reads in flight.
func TestCloseWhileReading(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	els, assets := testElements(3000, 10, rng)
	path := filepath.Join(t.TempDir(), "seg")
	writeSegment(t, path, els, assets, nil)
	dec := newDecoder(t)
	for round := 0; round < 20; round++ {
		r, err := Open(vfs.OS, path, dec)
		require.NoError(t, err)
		nb := len(r.ElementBlocks())
		var wg sync.WaitGroup
		var reads sync.WaitGroup // the first reads are under way before Close
		for g := 0; g < 4; g++ {
			wg.Add(1)
			reads.Add(1)
			go func() {
				defer wg.Done()
				first := true
				for i := g; ; i = (i + 7) % nb {
					recs, err := r.ElementRecords(i)
					if first {
						reads.Done()
						first = false
					}
					if err != nil {
						assert.Contains(t, err.Error(), path)
						return
					}
					// A block read before Close decodes in place from the
					// mapping: after Close it fails, naming the file.
					rec, err := recs.Element(0)
					if err != nil {
						assert.ErrorIs(t, err, vfs.ErrMappingClosed)
						assert.Contains(t, err.Error(), path)
						return
					}
					if !assert.Equal(t, els[rec.Ref-10], rec) {
						return
					}
				}
			}()
		}
		reads.Wait()
		require.NoError(t, r.Close())
		wg.Wait()
	}
}

// TestWarmElements maps a segment's element blocks ahead of their reads
// without changing them; a memory segment has nothing to warm, a closed
// one fails naming the file.
func TestWarmElements(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	els, assets := testElements(2000, 0, rng)
	path := filepath.Join(t.TempDir(), "seg")
	writeSegment(t, path, els, assets, nil)
	dec := newDecoder(t)
	r, err := Open(vfs.OS, path, dec)
	require.NoError(t, err)
	require.NoError(t, r.WarmElements(func() bool { return true }))
	for i := range r.ElementBlocks() {
		recs, err := r.ElementRecords(i)
		require.NoError(t, err)
		got, err := recs.Element(0)
		require.NoError(t, err)
		assert.Equal(t, els[got.Ref], got)
	}
	require.NoError(t, r.Close())
	if r.Mapped() {
		err = r.WarmElements(func() bool { return true })
		assert.ErrorIs(t, err, vfs.ErrMappingClosed)
		assert.Contains(t, err.Error(), path)
	}

	mem := vfs.NewMem()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, vfs.WriteFile(mem, "/seg", b))
	m, err := Open(mem, "/seg", dec)
	require.NoError(t, err)
	defer m.Close()
	assert.False(t, m.Mapped())
	assert.NoError(t, m.WarmElements(func() bool { t.Fatal("a memory segment has no steps"); return false }))
}

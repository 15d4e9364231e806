package manifest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"elib/vfs"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := New()
	m.Generation = 3
	m.Segments = append(m.Segments, Segment{Seq: 1, File: "segments/seg-00000001.els", Size: 10, XXHash: HashString(42)})
	m.LSH = &Snapshot{File: "lsh-3.bin", Seq: 1}
	m.Allowlist = []string{"理性消费"}
	require.NoError(t, WriteFS(vfs.OS, dir, m))
	got, err := Read(dir)
	require.NoError(t, err)
	assert.Equal(t, m, got)
	c := got.Clone()
	c.Segments[0].Size = 99
	c.LSH.Seq = 7
	assert.Equal(t, int64(10), got.Segments[0].Size, "Clone must not share segments")
	assert.Equal(t, uint64(1), got.LSH.Seq)
	assert.Equal(t, uint64(1), got.LastSeq())
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Read(dir)
	assert.ErrorIs(t, err, fs.ErrNotExist)

	require.NoError(t, WriteFS(vfs.OS, dir, New()))
	path := filepath.Join(dir, FileName)
	good, err := os.ReadFile(path)
	require.NoError(t, err)
	cases := []struct {
		name, content, want string
	}{
		{"not json", "{", "corrupt manifest"},
		{"edited", strings.Replace(string(good), `"generation": 0`, `"generation": 5`, 1), "checksum mismatch"},
		{"future format", strings.Replace(string(good), `"format": 1`, `"format": 9`, 1), "unsupported library format 9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o644))
			_, err := Read(dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), path)
		})
	}
}

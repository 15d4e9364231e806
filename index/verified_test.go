//go:build linux

package index

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/internal/elibtest"
)

// A read-only open remembers the segments it verified; the next one skips
// their whole-file checksums while their files are unchanged, and
// verifies again — and reports the damage — a file written meanwhile.
// Only a change the file's identity does not show (a disk flipping bits,
// played here by setting the marker to the changed file's identity) goes
// unseen by a reader; writers and Salvage always verify.
func TestVerifiedSegmentsMarker(t *testing.T) {
	dir, m := twoSegments(t)

	readMarks := func() verifiedMarks {
		var v verifiedMarks
		b, err := os.ReadFile(filepath.Join(dir, verifiedFileName))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &v))
		return v
	}
	r, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	require.NoError(t, r.Close())
	marks := readMarks()
	require.Len(t, marks.Segments, 2, "both segments remembered")
	for _, sm := range m.Segments {
		assert.Equal(t, sm.XXHash, marks.Segments[sm.File].XXHash)
	}

	// A segment written meanwhile is verified again: the damage shows.
	bad := filepath.Join(dir, m.Segments[1].File)
	good, err := os.ReadFile(bad)
	require.NoError(t, err)
	data := append([]byte(nil), good...)
	data[len(data)/3] ^= 0x01
	require.NoError(t, os.WriteFile(bad, data, 0o644))
	_, err = Open(Options{Dir: dir, ReadOnly: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad)

	// Bit rot under an unchanged identity: a reader skips the file...
	fi, err := os.Stat(bad)
	require.NoError(t, err)
	id, ok := identityOf(fi)
	require.True(t, ok)
	v := marks.Segments[m.Segments[1].File]
	v.ID = id
	marks.Segments[m.Segments[1].File] = v
	b, err := json.Marshal(marks)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, verifiedFileName), b, 0o644))
	r, err = Open(Options{Dir: dir, ReadOnly: true})
	if err == nil {
		require.NoError(t, r.Close())
	} else {
		// The open read the damaged block: its own checksum caught it.
		assert.Contains(t, err.Error(), bad+": element block", "the whole-file checksum is skipped")
	}
	// ...a writer and Salvage do not.
	_, err = Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad+": corrupt segment: checksum mismatch", "the whole-file checksum")
	w, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), Salvage: true, NoFulltext: true})
	require.NoError(t, err)
	assert.NotEmpty(t, w.Damage())
	require.NoError(t, w.Close())

	// A marker that does not parse costs a full verification only.
	require.NoError(t, os.WriteFile(bad, good, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, verifiedFileName), []byte("{not json"), 0o644))
	r, err = Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	require.NoError(t, r.Close())
	assert.Len(t, readMarks().Segments, 2, "rewritten")
}

package index

import (
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"path/filepath"

	"elib/index/manifest"
	"elib/vfs"
)

// A read-only open (elib stats) verifies every segment's whole-file
// checksum, so that it reports a damaged library: at 1M elements that is
// 1.2 GB read and hashed at every run. verified.json remembers the
// segments a reader verified, each with its manifest entry (size, hash)
// and the file's identity (device, inode, size, modification and change
// times); a later read-only open skips the whole-file checksum of a
// segment whose file has the same identity. Any write, replacement,
// chmod or link of the file changes its change time, which no program can
// set back, so the file is verified again; what the marker cannot see is
// a disk silently flipping bits of an unchanged file, which every block
// read still catches by the block's own checksum. The marker is written
// atomically (vfs.WriteFile) by whoever verified; a missing, unreadable or
// unwritable marker costs a full verification, nothing else. Writers,
// Salvage and file systems without file identities (the memory one)
// always verify.

// verifiedFileName is the marker's name in the library folder.
const verifiedFileName = "verified.json"

// verifiedSegment is one verified segment file as the marker keeps it.
type verifiedSegment struct {
	Size   int64  `json:"size"`
	XXHash string `json:"xxhash"`
	ID     fileID `json:"id"`
}

// verifiedMarks is the marker's content: verified segments by file.
type verifiedMarks struct {
	Segments map[string]verifiedSegment `json:"segments"`
}

// readVerified reads the marker (empty when missing or unreadable).
func (l *Library) readVerified() verifiedMarks {
	var m verifiedMarks
	b, err := vfs.ReadFile(l.fs, filepath.Join(l.dir, verifiedFileName))
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		slog.Debug("verified segments marker unreadable: every segment is verified", "err", err)
	}
	if m.Segments == nil {
		m.Segments = map[string]verifiedSegment{}
	}
	return m
}

// segmentIdentity is the identity of sm's file now (ok false: none).
func (l *Library) segmentIdentity(sm manifest.Segment) (fileID, bool) {
	fi, err := l.fs.Stat(filepath.Join(l.dir, sm.File))
	if err != nil {
		return fileID{}, false
	}
	return identityOf(fi)
}

// verifiedBefore reports whether the marker holds sm's file as it is now.
func (m verifiedMarks) verifiedBefore(sm manifest.Segment, id fileID) bool {
	v, ok := m.Segments[sm.File]
	return ok && v.Size == sm.Size && v.XXHash == sm.XXHash && v.ID == id
}

// writeVerified writes the marker: the manifest's segments verified, with
// their files' identities. Failures are only logged.
func (l *Library) writeVerified(ids map[string]fileID) {
	m := verifiedMarks{Segments: map[string]verifiedSegment{}}
	for _, sm := range l.man.Segments {
		if id, ok := ids[sm.File]; ok {
			m.Segments[sm.File] = verifiedSegment{Size: sm.Size, XXHash: sm.XXHash, ID: id}
		}
	}
	b, err := json.Marshal(m)
	if err == nil {
		err = vfs.WriteFile(l.fs, filepath.Join(l.dir, verifiedFileName), b)
	}
	if err != nil {
		slog.Debug("verified segments marker not written", "err", err)
	}
}

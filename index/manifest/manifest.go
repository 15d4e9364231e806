package manifest

import (
	"elib/internal/i18n/msg"
	"encoding/json"

	"path/filepath"
	"strconv"

	"github.com/cespare/xxhash/v2"

	"elib/library/kit"
	"elib/vfs"
)

// FileName is the manifest's name inside a library directory.
const FileName = "manifest.json"

// Format is the library format version this package reads and writes.
const Format = 1

// ErrCorrupt is wrapped by errors about a damaged manifest.
var ErrCorrupt = msg.New("corrupt manifest")

// Manifest describes one generation of a library.
type Manifest struct {
	// Format is the library format version.
	Format int `json:"format"`
	// Generation increases with every committed change.
	Generation uint64 `json:"generation"`
	// NextSeq is the sequence number the next segment file gets.
	NextSeq uint64 `json:"next_seq"`
	// NextRef is the element reference number the next element gets.
	NextRef uint32 `json:"next_ref"`
	// Fingerprint records the options the stored fingerprints were made
	// with; nil until the first import.
	Fingerprint *Fingerprint `json:"fingerprint,omitempty"`
	// Segments are the element-store segments, oldest first.
	Segments []Segment `json:"segments"`
	// LSH is the persisted LSH band index; it covers the segments with
	// Seq <= LSH.Seq.
	LSH *Snapshot `json:"lsh,omitempty"`
	// Sketch is the persisted boilerplate sketch of sentence hashes; it
	// covers the segments with Seq <= Sketch.Seq.
	Sketch *Snapshot `json:"sketch,omitempty"`
	// Anchors is the persisted anchor index (winnow hashes → elements); it
	// covers the segments with Seq <= Anchors.Seq. Libraries written
	// before it existed have none: it is then built from the store.
	Anchors *Snapshot `json:"anchors,omitempty"`
	// Footage is the persisted footage fingerprints of the live video
	// assets (index/footage.go); it covers the segments with Seq <=
	// Footage.Seq, the later segments' records add theirs at Open.
	Footage *Snapshot `json:"footage,omitempty"`
	// Fulltext is the full-text index directory (relative to the library)
	// and the last segment applied to it.
	Fulltext Fulltext `json:"fulltext"`
	// Allowlist holds the library's boilerplate phrases.
	Allowlist []string `json:"allowlist"`
	// Packs holds the library's creator packs (see pack.go).
	Packs []kit.Pack `json:"packs,omitempty"`
	// Assets and Elements count live assets and elements.
	Assets   int `json:"assets"`
	Elements int `json:"elements"`
	// Checksum is the xxhash64 (hex) of the manifest encoded with an empty
	// Checksum.
	Checksum string `json:"checksum"`
}

// Fingerprint is the subset of fingerprint options that stored data depends on.
type Fingerprint struct {
	Lanes       int    `json:"lanes"`
	ShingleSize int    `json:"shingle_size"`
	Seed        uint64 `json:"seed"`
	Bands       int    `json:"bands"`
	Rows        int    `json:"rows"`
}

// Segment is one element-store segment file.
type Segment struct {
	Seq        uint64 `json:"seq"`
	File       string `json:"file"`
	Size       int64  `json:"size"`
	XXHash     string `json:"xxhash"`
	FirstRef   uint32 `json:"first_ref"`
	Elements   int    `json:"elements"`
	Assets     int    `json:"assets"`
	Tombstones int    `json:"tombstones"`
	// Footage counts the segment's assets with footage fingerprints (an
	// Open reads the records of only such segments for footage).
	Footage int `json:"footage,omitempty"`
}

// Snapshot is a derived file valid for the segments up to Seq.
type Snapshot struct {
	File   string `json:"file"`
	Size   int64  `json:"size"`
	XXHash string `json:"xxhash"`
	Seq    uint64 `json:"seq"`
}

// Fulltext locates the full-text index.
type Fulltext struct {
	Dir string `json:"dir,omitempty"`
	// Seq is the last segment whose assets and tombstones were applied.
	Seq uint64 `json:"seq"`
}

// New returns the manifest of an empty library.
func New() *Manifest {
	return &Manifest{Format: Format, NextSeq: 1, Segments: []Segment{}, Allowlist: []string{}}
}

// HashString formats a checksum as the manifest stores it.
func HashString(sum uint64) string { return strconv.FormatUint(sum, 16) }

// ParseHash reads a checksum written by HashString.
func ParseHash(s string) (uint64, error) { return strconv.ParseUint(s, 16, 64) }

func (m *Manifest) sum() (string, error) {
	c := *m
	c.Checksum = ""
	b, err := json.Marshal(&c)
	if err != nil {
		return "", err
	}
	return HashString(xxhash.Sum64(b)), nil
}

// Clone returns a deep copy of m.
func (m *Manifest) Clone() *Manifest {
	c := *m
	c.Segments = append([]Segment(nil), m.Segments...)
	c.Allowlist = append([]string(nil), m.Allowlist...)
	c.Packs = clonePacks(m.Packs)
	if m.Fingerprint != nil {
		f := *m.Fingerprint
		c.Fingerprint = &f
	}
	if m.LSH != nil {
		s := *m.LSH
		c.LSH = &s
	}
	if m.Anchors != nil {
		s := *m.Anchors
		c.Anchors = &s
	}
	if m.Footage != nil {
		s := *m.Footage
		c.Footage = &s
	}
	if m.Sketch != nil {
		s := *m.Sketch
		c.Sketch = &s
	}
	return &c
}

// LastSeq returns the sequence number of the newest segment (0 if none).
func (m *Manifest) LastSeq() uint64 {
	if len(m.Segments) == 0 {
		return 0
	}
	return m.Segments[len(m.Segments)-1].Seq
}

// Read loads and checks the manifest of the library in directory dir. A
// missing manifest gives an error matching fs.ErrNotExist.
func Read(dir string) (*Manifest, error) { return ReadFS(vfs.OS, dir) }

// ReadFS is Read on the file system fsys.
func ReadFS(fsys vfs.FS, dir string) (*Manifest, error) {
	path := filepath.Join(dir, FileName)
	b, err := vfs.ReadFile(fsys, path)
	if err != nil {
		return nil, msg.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, msg.Errorf("manifest %s: %w: %v", path, ErrCorrupt, err)
	}
	if m.Format != Format {
		return nil, msg.Errorf("manifest %s: unsupported library format %d (this elib reads %d)", path, m.Format, Format)
	}
	want, err := m.sum()
	if err != nil {
		return nil, msg.Errorf("manifest %s: %w", path, err)
	}
	if m.Checksum != want {
		return nil, msg.Errorf("manifest %s: %w: checksum mismatch", path, ErrCorrupt)
	}
	if m.Segments == nil {
		m.Segments = []Segment{}
	}
	if m.Allowlist == nil {
		m.Allowlist = []string{}
	}
	return &m, nil
}

// WriteFS stores m as the manifest of the library in directory dir of
// fsys, atomically and durably. It sets m.Checksum.
func WriteFS(fsys vfs.FS, dir string, m *Manifest) error {
	m.Format = Format
	sum, err := m.sum()
	if err != nil {
		return msg.Errorf("encode manifest: %w", err)
	}
	m.Checksum = sum
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return msg.Errorf("encode manifest: %w", err)
	}
	if err := vfs.WriteFile(fsys, filepath.Join(dir, FileName), append(b, '\n')); err != nil {
		return msg.Errorf("write manifest: %w", err)
	}
	return nil
}

package check

import (
	"errors"
	"sort"

	"elib/element"
	"elib/fingerprint/footage"
	"elib/internal/i18n/msg"
)

// DefaultFootageThreshold is the share of a video's frames found in
// library videos above which it is rejected as re-uploaded footage (搬运).
const DefaultFootageThreshold = 0.62

// FootageSource is a source that keeps the footage fingerprints of its
// video assets (every library backend does).
type FootageSource interface {
	FootageLookup(q *footage.Fingerprint, opts footage.LookupOptions) (footage.Result, error)
}

// FootageResult is the footage part of a video's check (SPEC §3
// `footage`): the share of its fingerprinted frames found in library
// videos, union over all sources, and per source the matched stretches on
// both sides.
type FootageResult struct {
	Duplication float64 `json:"duplication"`
	// Frames are the video's fingerprinted frames (1 a second), Matched
	// those found in some library video.
	Frames  int `json:"frames"`
	Matched int `json:"matched"`
	// Threshold is the footage threshold the verdict applied: the video
	// is rejected when Duplication is strictly greater.
	Threshold float64        `json:"threshold"`
	Matches   []FootageMatch `json:"matches"`
}

// FootageMatch is one library video whose footage the checked video
// shows.
type FootageMatch struct {
	AssetID string `json:"asset_id"`
	// Title is the library asset's title, when it has one.
	Title    string          `json:"title,omitempty"`
	File     string          `json:"-"`
	Frames   int             `json:"frames"`
	Coverage float64         `json:"coverage"`
	Ranges   []footage.Range `json:"ranges"`
	// Thumbs are matched frames side by side, when the caller asked for
	// them (the HTML report, the server's check with ?thumbs=1) and could
	// read the videos; absent otherwise.
	Thumbs []FootageThumb `json:"thumbs,omitempty"`
}

// FootageThumb is one matched frame of a checked video and of the library
// video, as small JPEG images (data: URIs; empty when a video could not
// be read).
type FootageThumb struct {
	AtMs        int64  `json:"at_ms"`
	LibraryAtMs int64  `json:"library_at_ms"`
	Checked     string `json:"checked,omitempty"`
	Library     string `json:"library,omitempty"`
}

// maxFootageMatches caps the library videos a footage result names.
const maxFootageMatches = 10

// checkFootage looks up the footage of a video asset in every source that
// keeps footage and sets res.Footage (nil for an asset without footage).
// The asset's own library video is left out when it is already in the
// library or with ExcludeSelf, and always in the checked batch (--cross).
func (c *Checker) checkFootage(a *element.Asset, res *Result) error {
	if len(a.Footage) == 0 {
		return nil
	}
	q, err := footage.Decode(a.Footage)
	if err != nil {
		return err
	}
	fr := &FootageResult{Frames: len(q.Frames), Threshold: c.opts.FootageThreshold, Matches: []FootageMatch{}}
	matched := make([]bool, len(q.Frames))
	batchFrom := len(c.sources) - c.opts.BatchSources
	for si, s := range c.sources {
		fs, ok := s.(FootageSource)
		if !ok {
			continue
		}
		opts := footage.LookupOptions{}
		if si >= batchFrom || c.opts.ExcludeSelf || res.AlreadyInLibrary {
			opts.Exclude = a.ID
		}
		r, err := fs.FootageLookup(q, opts)
		if err != nil {
			return msg.Errorf("footage: %w: %w", ErrRead, err)
		}
		for i, ok := range r.FrameMatched {
			if ok && i < len(matched) {
				matched[i] = true
			}
		}
		for _, m := range r.Matches {
			fm := FootageMatch{AssetID: m.ID, Frames: m.Frames, Coverage: round4(m.Coverage), Ranges: m.Ranges}
			fr.Matches = append(fr.Matches, fm)
		}
	}
	for _, ok := range matched {
		if ok {
			fr.Matched++
		}
	}
	if fr.Frames > 0 {
		fr.Duplication = round4(float64(fr.Matched) / float64(fr.Frames))
	}
	sort.SliceStable(fr.Matches, func(i, j int) bool { return fr.Matches[i].Frames > fr.Matches[j].Frames })
	if len(fr.Matches) > maxFootageMatches {
		fr.Matches = fr.Matches[:maxFootageMatches]
	}
	for i := range fr.Matches {
		for _, s := range c.sources {
			la, err := s.Asset(fr.Matches[i].AssetID)
			if errors.Is(err, element.ErrNotFound) {
				continue
			}
			if err != nil {
				return msg.Errorf("footage: %w: %w", ErrRead, err)
			}
			fr.Matches[i].Title, fr.Matches[i].File = la.Title, la.File
			break
		}
	}
	res.Footage = fr
	return nil
}

// footageRejects reports whether the footage part rejects the result.
func (r *Result) footageRejects() bool {
	return r.Footage != nil && r.Footage.Frames > 0 &&
		float64(r.Footage.Matched)/float64(r.Footage.Frames) > r.Footage.Threshold
}

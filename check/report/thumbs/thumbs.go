// Package thumbs cuts the matched frames of a footage check for the HTML
// report: for each checked video's library matches, the frame of the
// checked video and of the library video at the start of each matched
// stretch, as small JPEG data: URIs in check.FootageMatch.Thumbs. elib
// check --format html and the server's printable report both use it.
package thumbs

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"

	"elib/check"
	"elib/media"
)

// For the first thumbMatches library videos of each checked video, the
// frames of up to thumbRanges matched stretches.
const (
	thumbMatches = 3
	thumbRanges  = 3
	thumbWidth   = 240
)

// Attach adds matched frames side by side to the footage of results: the
// checked video is at checkedPath(result) ("" to leave it out), the
// library video at its asset id under root or the path it was imported
// from, when either is on this machine. A frame that cannot be read is
// left empty (the report says so), never an error.
func Attach(ctx context.Context, results []*check.Result, checkedPath func(*check.Result) string, root string) {
	for _, res := range results {
		f := res.Footage
		if f == nil {
			continue
		}
		checked := checkedPath(res)
		for i := range f.Matches {
			if i >= thumbMatches {
				break
			}
			m := &f.Matches[i]
			libPath := ""
			var candidates []string
			if root != "" {
				candidates = append(candidates, filepath.Join(root, filepath.FromSlash(m.AssetID)))
			}
			for _, p := range append(candidates, m.File) {
				if st, err := os.Stat(p); p != "" && err == nil && st.Mode().IsRegular() {
					libPath = p
					break
				}
			}
			for j, r := range m.Ranges {
				if j >= thumbRanges {
					break
				}
				// A second into the stretch: clear of a cut at its start.
				at, libAt := min(r.StartMs+500, r.EndMs-1), min(r.LibraryStartMs+500, r.LibraryEndMs-1)
				t := check.FootageThumb{AtMs: at, LibraryAtMs: libAt}
				if checked != "" {
					t.Checked = thumbURI(ctx, checked, at)
				}
				if libPath != "" {
					t.Library = thumbURI(ctx, libPath, libAt)
				}
				m.Thumbs = append(m.Thumbs, t)
			}
		}
	}
}

// thumbURI is the frame of the video at path shown at atMs as a data: URI
// ("" when it cannot be read).
func thumbURI(ctx context.Context, path string, atMs int64) string {
	jpg, err := media.Thumbnail(ctx, media.Tools{}, path, atMs, thumbWidth, media.Limits{})
	if err != nil {
		return ""
	}
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(jpg)
}

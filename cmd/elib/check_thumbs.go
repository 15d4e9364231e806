package main

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"

	"elib/check"
	"elib/check/report"
	"elib/media"
)

// Thumbnails of matched footage in the HTML report: for the first
// thumbMatches library videos of each checked video, the first frame of
// up to thumbRanges matched stretches, from the checked video and from the
// library video when it is on this machine (its asset id under the
// library's root folder, or the path it was imported from).
const (
	thumbMatches = 3
	thumbRanges  = 3
	thumbWidth   = 240
)

// attachThumbs adds matched frames side by side to the footage of rep's
// results; a frame that cannot be read is left empty (the report says
// so), never an error.
func attachThumbs(ctx context.Context, rep *report.Report, root string) {
	for _, res := range rep.Results {
		f := res.Footage
		if f == nil {
			continue
		}
		for i := range f.Matches {
			if i >= thumbMatches {
				break
			}
			m := &f.Matches[i]
			libPath := ""
			for _, p := range []string{filepath.Join(root, filepath.FromSlash(m.AssetID)), m.File} {
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
				t := check.FootageThumb{AtMs: at, LibraryAtMs: libAt, Checked: thumbURI(ctx, res.File, at)}
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

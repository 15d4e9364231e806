// Package thumbs cuts the matched frames of a footage check: for each
// checked video's library matches, the frame of the checked video and of
// the library video a moment into each matched stretch, as small JPEG
// data: URIs in check.FootageMatch.Thumbs. elib check --format html, the
// server's printable report and its check with ?thumbs=1 (the page) use
// it.
package thumbs

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"

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

// LibraryVideo returns the path of a matched library video on this
// machine, "" when it is not here.
type LibraryVideo func(m *check.FootageMatch) string

// UnderRoot finds a library video by its asset id under root, the
// library's folder ("" finds none). An id that would lead outside root is
// not followed.
func UnderRoot(root string) LibraryVideo {
	return func(m *check.FootageMatch) string {
		if root == "" || m.AssetID == "" {
			return ""
		}
		p := filepath.Join(root, filepath.FromSlash(m.AssetID))
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			return ""
		}
		if !isFile(p) {
			return ""
		}
		return p
	}
}

// UnderRootOrImported is UnderRoot, then the path the video was imported
// from: for the command line, on the machine that imported it.
func UnderRootOrImported(root string) LibraryVideo {
	under := UnderRoot(root)
	return func(m *check.FootageMatch) string {
		if p := under(m); p != "" {
			return p
		}
		if m.File != "" && isFile(m.File) {
			return m.File
		}
		return ""
	}
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// Attach adds matched frames side by side to the footage of results: the
// checked video is at checkedPath(result) ("" to leave it out), the
// library video where library finds it (nil: left out). A frame that
// cannot be read is left empty (the report says so), never an error; it
// stops early when ctx is done.
func Attach(ctx context.Context, results []*check.Result, checkedPath func(*check.Result) string, library LibraryVideo) {
	for _, res := range results {
		f := res.Footage
		if f == nil {
			continue
		}
		checked := checkedPath(res)
		for i := range f.Matches {
			if i >= thumbMatches || ctx.Err() != nil {
				break
			}
			m := &f.Matches[i]
			libPath := ""
			if library != nil {
				libPath = library(m)
			}
			for j, r := range m.Ranges {
				if j >= thumbRanges {
					break
				}
				// Half a second into the stretch: clear of a cut at its start.
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

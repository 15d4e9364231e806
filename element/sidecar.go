package element

import (
	"os"
	"path/filepath"
	"strings"
)

// sidecarExts are the subtitle files that sit beside a video as its copy,
// in order of preference.
var sidecarExts = []string{".srt", ".ass", ".ssa", ".vtt"}

// Sidecar returns the subtitle file beside the video at path with the same
// base name (clip.srt or clip.ass for clip.mp4), or "" when there is none
// (a symbolic link is none).
// The video parser reads it as the video's copy.
func Sidecar(videoPath string) string {
	base := strings.TrimSuffix(videoPath, filepath.Ext(videoPath))
	for _, ext := range sidecarExts {
		for _, e := range []string{ext, strings.ToUpper(ext)} {
			// Lstat: a symbolic link is never a sidecar (clip.srt ->
			// ~/secret would read a file from outside the folder).
			if st, err := os.Lstat(base + e); err == nil && st.Mode().IsRegular() {
				return base + e
			}
		}
	}
	return ""
}

// SidecarVideo returns the video that the subtitle file at path is the
// sidecar of (clip.mp4 for clip.srt), or "" when path is not a subtitle
// file or no such video exists. When a video has several subtitle files
// beside it, only the one Sidecar picks belongs to it.
func SidecarVideo(path string) string {
	ext := strings.ToLower(filepath.Ext(path))
	if FormatOf(path) == "" || FormatOf(path) == FormatVideo {
		return ""
	}
	isSub := false
	for _, e := range sidecarExts {
		isSub = isSub || e == ext
	}
	if !isSub {
		return ""
	}
	base := strings.TrimSuffix(path, filepath.Ext(path))
	for _, ve := range videoExts() {
		for _, e := range []string{ve, strings.ToUpper(ve)} {
			v := base + e
			if st, err := os.Lstat(v); err == nil && st.Mode().IsRegular() && sameFile(Sidecar(v), path) {
				return v
			}
		}
	}
	return ""
}

// sameFile reports whether a and b name the same file.
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

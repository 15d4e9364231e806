// Package media reads video files (.mp4 .mov .mkv .webm) into elements and
// measures the attributes a team's hit material carries: copy text from the
// embedded subtitle stream, BGM tempo (bgm_bpm), camera movement (camera)
// and cuts per element, duration and resolution per asset.
//
// Data enters as a file path and leaves as []element.Asset. The work is
// done by external tools run as child processes — ffprobe and ffmpeg
// (Debian package ffmpeg) to probe, extract subtitles, decode audio and
// small grey frames; bpm (Debian package bpm-tools) to estimate tempo — and
// by this package's own global-motion estimate on the frames. A missing
// tool is an error naming the package to install; text formats never need
// any of them (package element does not import this one).
//
// Importing the package registers its Parser for element.FormatVideo, so
// element.ParseFile and element.Parse accept videos in any binary that
// links it (cmd/elib does).
//
// One job per file: tools.go finds the tools, probe.go reads stream facts,
// subtitles.go extracts the subtitle stream, tempo.go estimates BPM,
// frames.go decodes frames and scene cuts, estimate.go measures global
// motion between two frames, camera.go names the movement over a time
// range, video.go puts them together.
package media

// Package media reads video files (.mp4 .mov .mkv .webm) into elements and
// measures the attributes a team's hit material carries: copy text from the
// embedded subtitle stream, BGM tempo (bgm_bpm), camera movement (camera)
// and cuts per element, duration and resolution per asset, burned-in
// captions (OCR, package media/ocr) and the footage fingerprint
// (element.Asset.Footage, packages media/pdq and fingerprint/footage).
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
// decode.go runs the one ffmpeg decode whose branches feed frames.go
// (motion frames and scene cuts), footage.go (footage fingerprints) and
// burnedin.go (OCR), estimate.go measures global motion between two
// frames, camera.go names the movement over a time range, copysource.go
// decides where the copy comes from, thumbnail.go cuts a report's frame,
// video.go puts them together.
package media

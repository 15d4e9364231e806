// Package ocr reads burned-in captions: the Chinese text drawn into a
// video's pictures, as timed cues like a subtitle file's.
//
// Data enters as RGB frames sampled from a video (ReadVideo decodes them
// once with ffmpeg, 2 a second by default) and leaves as a Result: timed
// Cues with their text and colour, and the Watermarks — text that stays on
// screen for most of the video, such as an account name, which is
// metadata, not copy.
//
// The text is read by PaddleOCR's PP-OCRv4 models run through ONNX
// Runtime: DB text detection (detect.go: a probability map whose connected
// regions become boxes), then CRNN/SVTR recognition with CTC greedy
// decoding (recognize.go). The models, their character dictionary and
// libonnxruntime.so are not part of the repository: scripts/fetch-models.sh
// fetches them into a models folder (models.go says where elib looks).
// Over the sampled frames, track.go finds the caption band (the height
// where detected text stays longest, not a fixed region), merges
// consecutive frames with the same text into cues and sets the
// persistent text aside; colour.go takes the caption's fill colour from
// its pixels.
package ocr

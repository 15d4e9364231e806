// Package footage fingerprints and finds re-uploaded video footage (搬运):
// per-second PDQ hashes of a video's frames (package media/pdq), their
// compact stored form, and an index that finds, for a video being checked,
// the library videos whose frames it shows and when.
//
// Data enters as a Fingerprint that package media builds from decoded
// frames: for each second, the hash a library keeps (Stored — the centre
// 90 % of the picture: the whole frame, or the picture found inside a 9:16
// frame) and the hashes a check probes with (Probes — the stored one, the
// whole frame, its 72 % centre, the inner picture, and all their mirror
// images, so mirror, crop, letterbox and the 16:9-in-9:16 layout still
// match). A library keeps Encode's bytes (34 bytes a second, about 2 KB a
// minute; the format allows two hashes a frame, under 4 KB a minute);
// Decode reads them back for the Index.
//
// The Index bands each stored hash into its sixteen 16-bit words. An
// exhaustive lookup probes each word and its sixteen one-bit flips: two
// hashes within 31 bits differ in at most one bit in some word (16 words ×
// 2 bits would be 32), so every pair within the threshold meets in a
// bucket, and the exact Hamming distance (≤ Threshold) confirms it. The
// default lookup probes the exact words only, which finds every video
// with a frame pair within 15 bits, then compares all frames of those
// videos exactly (see LookupOptions.Exhaustive). Lookup answers per
// library video: the share of the probed video's frames it matches, the
// union over all sources, and the matched time ranges on both sides.
package footage

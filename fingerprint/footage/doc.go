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
// The Index finds every stored hash within Threshold (31 bits) of a probe,
// exactly the pairs that comparing every probe with every stored hash
// would find, without that comparison: multi-index hashing over the
// sixteen 16-bit words, where each bucket entry carries the other word of
// its 32-bit part so that nearly all unrelated entries are dropped before
// their hash is read (the pigeonhole argument is at the top of index.go).
// The buckets are flat arrays packed by a radix sort (Compact), not maps.
// Lookup answers per library video: the share of the probed video's
// frames it matches, the union over all sources, and the matched time
// ranges on both sides.
package footage

package footage

import "elib/media/pdq"

// chunkLen is how many entries one chunk of an entryStore holds (2 MB of
// hashes).
const (
	chunkBits = 16
	chunkLen  = 1 << chunkBits
)

// entryStore holds the entries' hashes and sample numbers in chunks, so
// that a bulk load of millions of entries appends without copying and
// clearing what it already holds, as a flat slice that doubles would. All
// chunks but the last are full; the first grows as it fills, so a small
// index stays small.
type entryStore struct {
	hashes [][]pdq.Hash
	sample [][]uint32
	n      int
}

func (s *entryStore) hash(e uint32) *pdq.Hash {
	return &s.hashes[e>>chunkBits][e&(chunkLen-1)]
}

func (s *entryStore) sampleAt(e uint32) uint32 {
	return s.sample[e>>chunkBits][e&(chunkLen-1)]
}

// add appends an entry: hash h of sample n.
func (s *entryStore) add(h pdq.Hash, n uint32) {
	c := len(s.hashes) - 1
	if c < 0 || len(s.hashes[c]) == chunkLen {
		size := chunkLen
		if c < 0 {
			size = 0
		}
		s.hashes = append(s.hashes, make([]pdq.Hash, 0, size))
		s.sample = append(s.sample, make([]uint32, 0, size))
		c++
	}
	s.hashes[c] = append(s.hashes[c], h)
	s.sample[c] = append(s.sample[c], n)
	s.n++
}

// truncate keeps the first n entries.
func (s *entryStore) truncate(n int) {
	k := (n + chunkLen - 1) >> chunkBits
	s.hashes, s.sample = s.hashes[:k], s.sample[:k]
	if k > 0 {
		last := n - (k-1)*chunkLen
		s.hashes[k-1], s.sample[k-1] = s.hashes[k-1][:last], s.sample[k-1][:last]
	}
	s.n = n
}

// Package radix sorts unsigned integers by their high bits with a stable
// least-significant-digit radix sort: linear in the input, for the
// thousands of packed keys a check groups at a time.
package radix

// SortHigh sorts xs by their bits from low up (x >> low), keeping the
// order of equal keys, and returns the sorted slice: xs or scratch,
// whichever holds the result (scratch is grown as needed and may be
// returned for reuse). A byte that every key shares costs one counting
// pass and no move.
func SortHigh(xs, scratch []uint64, low uint) (sorted, spare []uint64) {
	if len(xs) < 2 || low >= 64 {
		return xs, scratch
	}
	if cap(scratch) < len(xs) {
		scratch = make([]uint64, len(xs))
	}
	src, dst := xs, scratch[:len(xs)]
	var count [256]int
	for shift := low; shift < 64; shift += 8 {
		clear(count[:])
		for _, x := range src {
			count[byte(x>>shift)]++
		}
		if count[byte(src[0]>>shift)] == len(src) {
			continue // every key has this byte
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, x := range src {
			b := byte(x >> shift)
			dst[count[b]] = x
			count[b]++
		}
		src, dst = dst, src
	}
	return src, dst
}

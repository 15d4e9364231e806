package pdq

import (
	"encoding/hex"
	"fmt"
	"math/bits"
)

// Bits is the number of bits in a Hash.
const Bits = 256

// Hash is a 256-bit PDQ hash. Bit k (0 ≤ k < 256) is the k-th coefficient of
// the 16×16 DCT in row-major order, stored in word k/64 at bit k%64: the
// same numbering as the reference implementations, so String gives their
// hexadecimal form.
type Hash [4]uint64

// Bit reports whether bit k is set.
func (h Hash) Bit(k int) bool { return h[k>>6]>>(uint(k)&63)&1 == 1 }

// set sets bit k.
func (h *Hash) set(k int) { h[k>>6] |= 1 << (uint(k) & 63) }

// Ones is the number of bits set.
func (h Hash) Ones() int {
	return bits.OnesCount64(h[0]) + bits.OnesCount64(h[1]) +
		bits.OnesCount64(h[2]) + bits.OnesCount64(h[3])
}

// Word returns the i-th 16-bit word (0 ≤ i < 16): bits 16i to 16i+15, the
// unit the reference implementations print and an index bands on.
func (h Hash) Word(i int) uint16 { return uint16(h[i>>2] >> (uint(i&3) * 16)) }

// String returns the reference implementations' hexadecimal form: the
// sixteen 16-bit words from the 15th down to the 0th.
func (h Hash) String() string {
	var b [32]byte
	h.putBigEndian(b[:])
	return hex.EncodeToString(b[:])
}

// AppendBinary appends the hash's 32 bytes (the String form's bytes) to b.
func (h Hash) AppendBinary(b []byte) ([]byte, error) {
	n := len(b)
	b = append(b, make([]byte, 32)...)
	h.putBigEndian(b[n:])
	return b, nil
}

// FromBytes reads the 32 bytes AppendBinary writes.
func FromBytes(b []byte) (Hash, error) {
	if len(b) != 32 {
		return Hash{}, fmt.Errorf("pdq: a binary hash is 32 bytes, not %d", len(b))
	}
	return fromBigEndian(b), nil
}

func (h Hash) putBigEndian(b []byte) {
	for w := 0; w < 4; w++ {
		v := h[3-w]
		for i := 0; i < 8; i++ {
			b[w*8+i] = byte(v >> (56 - 8*uint(i)))
		}
	}
}

func fromBigEndian(b []byte) Hash {
	var h Hash
	for w := 0; w < 4; w++ {
		var v uint64
		for i := 0; i < 8; i++ {
			v = v<<8 | uint64(b[w*8+i])
		}
		h[3-w] = v
	}
	return h
}

package pdq

// Transform is one of the eight symmetries of a rectangle.
type Transform int

// The symmetries. Mirror (left–right, as a re-upload mirrors footage) and
// Flip (top–bottom) are the ones video footage meets; the rest complete
// the group.
const (
	Original Transform = iota
	Mirror             // left and right swapped
	Flip               // top and bottom swapped
	Rotate180
	Transpose     // about the main diagonal
	Rotate90      // clockwise
	Rotate270     // clockwise
	AntiTranspose // about the other diagonal
)

// Dihedral returns the hash of the last picture this Hasher hashed as if it
// had been transformed by t, from the DCT coefficients kept from that call:
// the k-th DCT basis function is symmetric for even k and antisymmetric for
// odd k, so a reflection negates the odd frequencies along its axis. The
// result equals hashing the transformed pixels up to float rounding near
// the median.
func (h *Hasher) Dihedral(t Transform) Hash {
	// Row i of coef is vertical frequency i+1, column j horizontal j+1:
	// frequency i+1 is odd when i is even.
	for i := 0; i < 16; i++ {
		for j := 0; j < 16; j++ {
			v := h.coef[i][j]
			oddV, oddH := i&1 == 0, j&1 == 0
			switch t {
			case Original:
				h.aux[i][j] = v
			case Mirror:
				h.aux[i][j] = neg(v, oddH)
			case Flip:
				h.aux[i][j] = neg(v, oddV)
			case Rotate180:
				h.aux[i][j] = neg(v, oddV != oddH)
			case Transpose:
				h.aux[j][i] = v
			case Rotate90:
				// (x, y) → (H−1−y, x): transpose after a vertical flip.
				h.aux[j][i] = neg(v, oddV)
			case Rotate270:
				h.aux[j][i] = neg(v, oddH)
			case AntiTranspose:
				h.aux[j][i] = neg(v, oddV != oddH)
			}
		}
	}
	return thresholdMedian(&h.aux, &h.sorted)
}

func neg(v float32, yes bool) float32 {
	if yes {
		return -v
	}
	return v
}

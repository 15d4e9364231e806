package verify

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/fingerprint/normalize"
)

// TestPartScreenAgreesWithScreens is the property PartScreen stands on: for
// random parts and library texts over a small alphabet (many chance
// grams), Reach gives the whole text's and each part's own Screen answers, and for parts
// sharing the last bit never less — also from tables a released screen
// handed back.
func TestPartScreenAgreesWithScreens(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 21))
	alphabet := []rune("的了是在有我他这中大来上个国到说们为子和你地出道也时年")
	text := func(n, letters int) normalize.Text {
		rs := make([]rune, n)
		for i := range rs {
			rs[i] = alphabet[rng.IntN(letters)]
		}
		return norm.Normalize(string(rs))
	}
	const minBigrams = 5
	for round := range 300 {
		letters := 3 + rng.IntN(len(alphabet)-3)
		nparts := 1 + rng.IntN(70)
		parts := make([]normalize.Text, nparts)
		for i := range parts {
			parts[i] = text(rng.IntN(40), letters)
		}
		var whole normalize.Text
		for _, p := range parts {
			whole.Runes = append(whole.Runes, p.Runes...)
		}
		ps := NewPartScreen(whole, parts, Options{})
		ws := NewScreen(whole, Options{})
		for range 5 {
			lib := text(rng.IntN(60), letters)
			r := ps.Reach(lib, minBigrams)
			exact, align := r.Exact, r.Align
			require.Equal(t, ws.Shared(lib), r.Shared, "round %d whole shared", round)
			require.Equal(t, ws.SharedBigrams(lib), r.SharedBigrams, "round %d whole bigrams", round)
			var last [2]bool // any part sharing the last bit would
			for i, p := range parts {
				s := NewScreen(p, Options{})
				wantExact := s.Shared(lib) > 0
				wantAlign := s.SharedBigrams(lib) >= minBigrams
				bit := PartBit(i)
				if i < MaxParts-1 {
					require.Equal(t, wantExact, exact&bit != 0, "round %d part %d exact", round, i)
					require.Equal(t, wantAlign, align&bit != 0, "round %d part %d align", round, i)
					continue
				}
				last[0] = last[0] || wantExact
				last[1] = last[1] || wantAlign
			}
			if last[0] {
				require.NotZero(t, exact&PartBit(MaxParts-1), "round %d: last bit exact", round)
			}
			if last[1] {
				require.NotZero(t, align&PartBit(MaxParts-1), "round %d: last bit align", round)
			}
		}
		ps.Release() // the next rounds' screens reuse its tables: answers as fresh ones
	}
}

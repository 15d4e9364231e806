package normalize

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/liuzl/da"
	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Normalizer normalises text. It holds the lazily-built OpenCC converter,
// built once on first use of a Traditional character (or by Warm); it is
// safe for concurrent use.
type Normalizer struct {
	once sync.Once
	conv *converter
	err  error
	load time.Duration
	// converted counts runes sent through OpenCC (for tests and metrics).
	converted atomic.Int64
}

// ConvertedRunes returns how many runes this Normalizer has sent through
// OpenCC so far; text without Traditional characters adds nothing.
func (n *Normalizer) ConvertedRunes() int64 { return n.converted.Load() }

// New returns a Normalizer. It is cheap: the OpenCC dictionaries are only
// loaded when first needed. Production code shares one (Shared): each
// Normalizer loads its own copy of the dictionaries.
func New() *Normalizer { return &Normalizer{} }

// Shared returns the process's Normalizer, created on first use: the
// fingerprint engine, the library and the search analyzers all use it, so
// the OpenCC dictionaries are loaded once. It is safe for concurrent use
// and never changes behaviour after creation.
var Shared = sync.OnceValue(New)

// Warm loads the OpenCC dictionaries now instead of on first use, and
// returns the load error, if any, and how long loading took.
func (n *Normalizer) Warm() (time.Duration, error) {
	n.once.Do(n.build)
	return n.load, n.err
}

func (n *Normalizer) build() {
	start := time.Now()
	n.conv, n.err = newConverter()
	n.load = time.Since(start)
}

// maxPhraseRunes is OpenCC's look-ahead when matching phrases.
const maxPhraseRunes = 10

// converter is a Traditional → Simplified converter over OpenCC's
// dictionaries that, unlike opencc.Convert, tracks which source runes
// produced every output rune.
type converter struct {
	// chain is a sequence of dictionary groups applied one after another;
	// inside a group the first dictionary with a prefix match wins and its
	// longest match is used (as in opencc.Convert).
	chain [][]*da.Dict
	// trad marks runes that some character dictionary of the chain maps to
	// a different character and that are not in the GB 2312 Simplified
	// character set: a run without such a rune is left alone.
	trad bitset
}

func newConverter() (*converter, error) {
	tw, err := opencc.New("tw2sp")
	if err != nil {
		return nil, fmt.Errorf("load opencc tw2sp: %w", err)
	}
	hk, err := opencc.New("hk2s")
	if err != nil {
		return nil, fmt.Errorf("load opencc hk2s: %w", err)
	}
	if len(tw.DictChains) != 2 || len(hk.DictChains) != 2 {
		return nil, fmt.Errorf("unexpected opencc conversion chains: tw2sp %v, hk2s %v", tw.DictChains, hk.DictChains)
	}
	// Regional vocabulary and variants first (Taiwan, then Hong Kong), then
	// the common Traditional → Simplified phrases and characters.
	first := append(append([]*da.Dict{}, tw.DictChains[0].Dicts...), hk.DictChains[0].Dicts...)
	firstFiles := append(append([]string{}, tw.DictChains[0].Files...), hk.DictChains[0].Files...)
	c := &converter{chain: [][]*da.Dict{first, tw.DictChains[1].Dicts}}

	var charDicts []*da.Dict
	files := append(firstFiles, tw.DictChains[1].Files...)
	dicts := append(append([]*da.Dict{}, first...), tw.DictChains[1].Dicts...)
	for i, f := range files {
		if !strings.Contains(f, "Phrases") {
			charDicts = append(charDicts, dicts[i])
		}
	}
	if len(charDicts) == 0 {
		return nil, fmt.Errorf("no opencc character dictionaries in %v", files)
	}
	c.trad = newBitset(tradLimit)
	gb := simplifiedchinese.HZGB2312.NewEncoder()
	var buf [utf8.UTFMax]byte
	for _, rg := range hanRanges {
		for r := rg[0]; r <= rg[1]; r++ {
			key := string(buf[:utf8.EncodeRune(buf[:], r)])
			for _, d := range charDicts {
				// da.Dict.Get misses some keys (a cedar quirk);
				// PrefixMatch of the single rune is reliable.
				ret, err := d.PrefixMatch(key)
				if v := ret[key]; err == nil && len(v) > 0 && v[0] != key {
					// A character of the GB 2312 simplified set (著, 乾,
					// 后) is valid Simplified text: it alone must not
					// trigger conversion (tw2sp turns 显著 into 显着).
					if _, err := gb.String(key); err != nil {
						c.trad.set(r)
					}
					break
				}
			}
		}
	}
	return c, nil
}

// hanRanges are the code-point ranges scanned for characters OpenCC
// converts: CJK ext A, unified, compatibility, ext B–F and compatibility
// supplement.
var hanRanges = [][2]rune{{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x2FA1F}}

const tradLimit = 0x2FA20

type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(r rune) { b[r>>6] |= 1 << (uint(r) & 63) }

func (b bitset) has(r rune) bool {
	return r >= 0 && int(r>>6) < len(b) && b[r>>6]&(1<<(uint(r)&63)) != 0
}

// isRunRune reports whether r belongs to a conversion run: OpenCC phrases
// never span punctuation or spaces.
func isRunRune(r rune) bool { return IsCountable(r) }

// toSimplified converts the runs of rs that contain a Traditional
// character, keeping offs aligned with the output.
func (n *Normalizer) toSimplified(rs []rune, offs []int) ([]rune, []int) {
	// Cheap pre-check without touching OpenCC: any rune at all that might
	// be Traditional? Only then load the converter.
	maybe := false
	for _, r := range rs {
		if r >= 0x3400 {
			maybe = true
			break
		}
	}
	if !maybe {
		return rs, offs
	}
	n.once.Do(n.build)
	c := n.conv
	if c == nil {
		return rs, offs
	}
	var outR []rune
	var outO []int
	copied := 0 // rs[:copied] already handled into outR (only once outR != nil)
	for i := 0; i < len(rs); {
		if !isRunRune(rs[i]) {
			i++
			continue
		}
		j := i
		need := false
		for j < len(rs) && isRunRune(rs[j]) {
			if c.trad.has(rs[j]) {
				need = true
			}
			j++
		}
		if need {
			if outR == nil {
				outR = make([]rune, 0, len(rs)+8)
				outO = make([]int, 0, len(rs)+8)
			}
			outR = append(outR, rs[copied:i]...)
			outO = append(outO, offs[copied:i]...)
			n.converted.Add(int64(j - i))
			conv, src := c.convert(rs[i:j])
			for k, r := range conv {
				outR = append(outR, r)
				outO = append(outO, offs[i+src[k]])
			}
			copied = j
		}
		i = j
	}
	if outR == nil {
		return rs, offs
	}
	outR = append(outR, rs[copied:]...)
	outO = append(outO, offs[copied:]...)
	return outR, outO
}

// convert runs the dictionary chain over run and returns the output runes
// and, for each, the index in run of the source rune it came from.
func (c *converter) convert(run []rune) ([]rune, []int) {
	in := run
	src := make([]int, len(run))
	for i := range src {
		src[i] = i
	}
	for _, group := range c.chain {
		out := make([]rune, 0, len(in))
		outSrc := make([]int, 0, len(in))
		for i := 0; i < len(in); {
			end := i + maxPhraseRunes
			if end > len(in) {
				end = len(in)
			}
			key, val := matchGroup(group, string(in[i:end]))
			if key == "" {
				out = append(out, in[i])
				outSrc = append(outSrc, src[i])
				i++
				continue
			}
			n := utf8.RuneCountInString(key)
			vr := []rune(val)
			for k, r := range vr {
				// Map output rune k into the source piece in[i:i+n]: the
				// last output rune maps to the piece's last rune.
				p := k * n / len(vr)
				if k == len(vr)-1 {
					p = n - 1
				}
				out = append(out, r)
				outSrc = append(outSrc, src[i+p])
			}
			i += n
		}
		in, src = out, outSrc
	}
	return in, src
}

// matchGroup returns the longest key (and its first value) of the first
// dictionary in group that has any prefix match of s. It walks each trie
// down s once, as da.Dict.PrefixMatch does, without building the map of
// every match that PrefixMatch returns.
func matchGroup(group []*da.Dict, s string) (key, val string) {
	b := []byte(s)
	for _, d := range group {
		if d.Trie == nil {
			continue
		}
		n := 0
		for from, i := 0, 0; i < len(b); i++ {
			to, err := d.Trie.Jump(b[i:i+1], from)
			if err != nil {
				break
			}
			if v, err := d.Trie.Value(to); err == nil && v < len(d.Values) && len(d.Values[v]) > 0 {
				n, val = i+1, d.Values[v][0]
			}
			from = to
		}
		if n > 0 {
			return s[:n], val
		}
	}
	return "", ""
}

package shingle

import (
	"elib/fingerprint/verify"
	"elib/internal/devdata"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/fingerprint/normalize"
	"elib/fingerprint/wordseg"
)

var labelRE = regexp.MustCompile(`(?m)^\s*(#.*|标题[：:].*|title:.*|\d+|\d\d:\d\d:\d\d[,.]\d+ --> .*|WEBVTT.*)$|【[^】]*】|\[(?i:hook|conflict|testimonial|conversion|story)\]|[（(]\d[\d:.s]*-\d[\d:.s]*s?[）)]|\d+s-\d+s`)

// TestMeasureShingleSize measures, on the dev set, Jaccard similarity of
// token shingles of size 1, 2, 3 between recipe d (light edit) / f (heavy
// paraphrase) assets and their main library source, and between the same
// assets and unrelated library assets. Run with ELIB_MEASURE=1 -v.
func TestMeasureShingleSize(t *testing.T) {
	if os.Getenv("ELIB_MEASURE") == "" {
		t.Skip("set ELIB_MEASURE=1 to measure")
	}
	dev := devdata.DevDir(t)
	var truth struct {
		Files []struct {
			File    string
			Recipe  string
			Sources []struct {
				AssetID     string `json:"asset_id"`
				CopiedChars int    `json:"copied_chars"`
			}
		}
	}
	var split struct {
		Files []struct {
			Assets []struct {
				ID       string
				Elements []struct{ Text string }
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(dev, "check_truth.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &truth))
	b, err = os.ReadFile(filepath.Join(dev, "split_truth.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &split))

	seg, err := wordseg.Default()
	require.NoError(t, err)
	norm := normalize.New()
	tokens := func(s string) []string { return seg.Cut(norm.Normalize(s).String()) }
	lib := map[string][]string{}
	var libIDs []string
	for _, f := range split.Files {
		for _, a := range f.Assets {
			var txt []string
			for _, e := range a.Elements {
				txt = append(txt, e.Text)
			}
			lib[a.ID] = tokens(strings.Join(txt, "\n"))
			libIDs = append(libIDs, a.ID)
		}
	}
	sort.Strings(libIDs)
	for _, n := range []int{1, 2, 3} {
		opts := Options{Size: n, MinShingles: 1}
		sims := map[string][]float64{}
		for _, f := range truth.Files {
			if (f.Recipe != "d" && f.Recipe != "f") || len(f.Sources) == 0 {
				continue
			}
			raw, err := os.ReadFile(filepath.Join(dev, f.File))
			require.NoError(t, err)
			q := Hashes(nil, tokens(labelRE.ReplaceAllString(string(raw), " ")), opts)
			src := f.Sources[0].AssetID
			sims[f.Recipe] = append(sims[f.Recipe], verify.Jaccard(q, Hashes(nil, lib[src], opts)))
			for k := 0; k < 5; k++ {
				other := libIDs[(len(f.File)*7+k*11)%len(libIDs)]
				if other != src {
					sims["unrelated"] = append(sims["unrelated"], verify.Jaccard(q, Hashes(nil, lib[other], opts)))
				}
			}
		}
		for _, k := range []string{"d", "f", "unrelated"} {
			v := sims[k]
			sort.Float64s(v)
			if len(v) == 0 {
				continue
			}
			mean := 0.0
			for _, x := range v {
				mean += x
			}
			fmt.Printf("n=%d %-9s pairs=%3d min=%.2f p25=%.2f median=%.2f mean=%.2f max=%.2f\n",
				n, k, len(v), v[0], v[len(v)/4], v[len(v)/2], mean/float64(len(v)), v[len(v)-1])
		}
	}
}

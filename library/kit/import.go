package kit

import (
	"context"
	"elib/internal/i18n/msg"
	"elib/internal/pace"
	"maps"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/boilerplate"
	"elib/fingerprint/footage"
	"elib/fingerprint/winnow"
)

// ImportResult counts what an Import stored.
type ImportResult struct {
	// Assets and Elements count the assets and elements written.
	Assets, Elements int
	// Replaced counts assets that replaced one with the same id.
	Replaced int
}

// PreparedImport is a batch of assets fingerprinted ahead of storing it
// (PrepareImport), so that a caller importing many batches fingerprints
// the next one while the library stores the previous (library.Batcher).
type PreparedImport struct {
	// Assets are the prepared assets in import order, one per id.
	Assets []Prepared
	// Extra is what a backend computes ahead besides fingerprints (the
	// PostgreSQL library's search terms); the file library needs none.
	Extra any
}

// Prepared is one asset ready to store in any library backend: its record
// (with the distinct sentence hashes of the boilerplate statistics) and its
// fingerprinted elements, refs not assigned yet.
type Prepared struct {
	// Record is the asset as stored; FirstRef is set by the backend.
	Record AssetRecord
	// Elements are the asset's elements with signature and shingles.
	Elements []ElementRecord
	// Anchors[j] are the winnow anchor hashes of Elements[j] (derived, like
	// the LSH band keys).
	Anchors [][]uint64
	// Fingerprints[j] is Elements[j]'s whole fingerprint as Engine made it.
	// Not stored: the check of the batch's outcomes after it is stored
	// takes them instead of fingerprinting the texts again
	// (insight.AfterImportPrepared).
	Fingerprints []*fingerprint.Fingerprint
	Engine       *fingerprint.Engine
}

// PrepareOptions tune Prepare.
type PrepareOptions struct {
	// Workers is the number of fingerprinting goroutines (default 1).
	Workers int
	// Progress, when set, is called as elements are fingerprinted.
	Progress func(done, total int)
	// Now stamps the assets' import time (element.MetaImported) unless
	// they carry one.
	Now time.Time
}

// ImportBatch validates assets for an import and keeps the last asset of
// each id, as if they were imported one by one.
func ImportBatch(assets []element.Asset) ([]element.Asset, error) {
	last := make(map[string]int, len(assets))
	for i := range assets {
		if assets[i].ID == "" {
			return nil, msg.Errorf("asset %d (%s) has no id", i, assets[i].File)
		}
		if err := assets[i].Validate(); err != nil {
			return nil, err
		}
		last[assets[i].ID] = i
	}
	batch := make([]element.Asset, 0, len(last))
	for i := range assets {
		if last[assets[i].ID] == i {
			batch = append(batch, assets[i])
		}
	}
	return batch, nil
}

// paceElements is how many elements Prepare fingerprints between two
// pace.Wait calls (a few milliseconds of work).
const paceElements = 128

// Prepare fingerprints every element of assets in parallel: what every
// library backend stores for them. Under a pace (package pace) in ctx it
// waits between steps of paceElements elements.
func Prepare(ctx context.Context, engine *fingerprint.Engine, assets []element.Asset, opts PrepareOptions) ([]Prepared, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	out := make([]Prepared, len(assets))
	type job struct{ a, e int }
	var jobs []job
	sents := make([][][]uint64, len(assets))
	for i := range assets {
		a := assets[i]
		a.Elements = append([]element.Element(nil), a.Elements...)
		a.Meta = stampImported(a.Meta, opts.Now)
		out[i].Record = AssetRecord{Asset: a}
		if len(a.Footage) > 0 {
			stored, err := footage.StoredForm(a.Footage)
			if err != nil {
				return nil, msg.Errorf("asset %s: %w", a.ID, err)
			}
			out[i].Record.Footage = stored
			out[i].Record.Asset.Footage = nil
		}
		out[i].Elements = make([]ElementRecord, len(a.Elements))
		out[i].Anchors = make([][]uint64, len(a.Elements))
		out[i].Fingerprints = make([]*fingerprint.Fingerprint, len(a.Elements))
		out[i].Engine = engine
		sents[i] = make([][]uint64, len(a.Elements))
		for j := range a.Elements {
			jobs = append(jobs, job{i, j})
		}
	}
	minRun := engine.Options().MinRun
	var next, done atomic.Int64
	var pmu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < max(1, opts.Workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				k := int(next.Add(1)) - 1
				if k >= len(jobs) {
					return
				}
				if k%paceElements == 0 && pace.Wait(ctx) != nil {
					return
				}
				jb := jobs[k]
				a := &out[jb.a].Record.Asset
				e := &a.Elements[jb.e]
				fp := engine.Fingerprint(e.Text)
				out[jb.a].Elements[jb.e] = ElementRecord{AssetID: a.ID, Index: jb.e + 1, Type: e.Type, Text: e.Text,
					Title: a.Title, Signature: fp.Signature, Shingles: fp.Shingles}
				out[jb.a].Anchors[jb.e] = winnow.Hashes(fp.Norm.Runes)
				out[jb.a].Fingerprints[jb.e] = fp
				for _, s := range boilerplate.Sentences(e.Text, fp.Norm, minRun) {
					sents[jb.a][jb.e] = append(sents[jb.a][jb.e], s.Hash)
				}
				if n := int(done.Add(1)); opts.Progress != nil && (n%64 == 0 || n == len(jobs)) {
					pmu.Lock()
					opts.Progress(n, len(jobs))
					pmu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Record.Sentences = distinct(sents[i])
	}
	return out, nil
}

func distinct(lists [][]uint64) []uint64 {
	var all []uint64
	for _, l := range lists {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	out := all[:0]
	for i, h := range all {
		if i == 0 || h != all[i-1] {
			out = append(out, h)
		}
	}
	return out
}

// stampImported returns meta with element.MetaImported set to now when the
// asset carries no import time yet (a copy: the caller's map is not
// changed). The time is stored with the asset, so a reindex from the store
// keeps it, and element.Asset.Published falls back to it when the asset has
// no published or created time of its own.
func stampImported(meta map[string]any, now time.Time) map[string]any {
	if _, ok := meta[element.MetaImported]; ok {
		return meta
	}
	out := make(map[string]any, len(meta)+1)
	maps.Copy(out, meta)
	out[element.MetaImported] = now.UTC().Format(element.ImportedLayout)
	return out
}

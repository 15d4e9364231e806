package library

import (
	"context"

	"elib/element"
	"elib/library/kit"
)

// Batcher imports the assets of many inputs in durable batches of about
// MaxElements elements (each batch one Import: one segment, or one
// transaction), and says when each input's batch has committed — only
// then is the input imported, whatever happens to the process later.
//
// Batches are pipelined: while one batch is stored, the next is
// fingerprinted (Library.PrepareImport), so the library's writes and the
// fingerprinting share the machine instead of taking turns. At most one
// batch is stored at a time, in order.
type Batcher struct {
	lib kit.Library
	// MaxElements is the batch size in elements. The default value is 2000.
	MaxElements int
	// Committed is called for every input whose batch committed, in order,
	// on the goroutine calling Add or Flush.
	Committed func(input string, assets, elements int)
	// BeforeStore, when set, runs with each batch's assets just before the
	// batch is stored (their metadata as the library stores it: stamped
	// with the import time, element.MetaImported, so that an asset
	// without a published time has the one it is stored with), and
	// AfterStore with its prepared assets (one per id, with their
	// fingerprints) once it has committed, both on the
	// goroutine storing it (so they overlap the next batch's
	// fingerprinting). insight's stored outcomes use them: outcomes the
	// batch changes are marked stale before, the batch's own are computed
	// after (insight.AfterImportPrepared). An error of BeforeStore fails
	// the batch; one of AfterStore is the batch's error although the
	// batch committed.
	BeforeStore func(ctx context.Context, assets []element.Asset) error
	AfterStore  func(ctx context.Context, assets []kit.Prepared) error

	// Result sums the committed batches; IDs lists their assets.
	Result kit.ImportResult
	IDs    []string

	batch    []element.Asset
	pending  []pendingInput
	elements int
	storing  *storing // the batch being stored, if any
}

type pendingInput struct {
	name             string
	assets, elements int
}

// storing is a batch whose ImportPrepared runs on its own goroutine.
type storing struct {
	done    chan struct{}
	res     kit.ImportResult
	err     error
	ids     []string
	pending []pendingInput
}

// NewBatcher returns a Batcher importing into lib.
func NewBatcher(lib kit.Library, maxElements int, committed func(input string, assets, elements int)) *Batcher {
	if maxElements <= 0 {
		maxElements = 2000
	}
	return &Batcher{lib: lib, MaxElements: maxElements, Committed: committed}
}

// Add queues the assets of one input and sends the batch on once it holds
// MaxElements elements. An error is this batch's or an earlier one's.
func (b *Batcher) Add(ctx context.Context, input string, assets []element.Asset) error {
	p := pendingInput{name: input, assets: len(assets)}
	for _, a := range assets {
		p.elements += len(a.Elements)
	}
	b.batch = append(b.batch, assets...)
	b.pending = append(b.pending, p)
	b.elements += p.elements
	if b.elements >= b.MaxElements {
		return b.send(ctx)
	}
	return nil
}

// Flush imports what is queued and waits until every batch has committed.
func (b *Batcher) Flush(ctx context.Context) error {
	if err := b.send(ctx); err != nil {
		return err
	}
	return b.Wait()
}

// send prepares the queued batch — while the previous one is still being
// stored — and, once that one has committed, starts storing this one.
func (b *Batcher) send(ctx context.Context) error {
	if len(b.batch) == 0 {
		return nil
	}
	p, err := b.lib.PrepareImport(ctx, b.batch)
	if err != nil {
		if werr := b.Wait(); werr != nil {
			return werr
		}
		return err
	}
	if err := b.Wait(); err != nil {
		return err
	}
	s := &storing{done: make(chan struct{}), pending: b.pending}
	for _, a := range b.batch {
		s.ids = append(s.ids, a.ID)
	}
	batch := b.batch
	if b.BeforeStore != nil {
		batch = stamped(batch, p.Assets)
	}
	b.batch, b.pending, b.elements = nil, nil, 0
	b.storing = s
	before, after := b.BeforeStore, b.AfterStore
	go func() {
		defer close(s.done)
		if before != nil {
			if s.err = before(ctx, batch); s.err != nil {
				return
			}
		}
		s.res, s.err = b.lib.ImportPrepared(ctx, p)
		if s.err == nil && after != nil {
			s.err = after(ctx, p.Assets)
		}
	}()
	return nil
}

// Wait waits for the batch being stored, if any, and reports its inputs;
// a caller giving up before Flush calls it before closing the library.
func (b *Batcher) Wait() error {
	s := b.storing
	if s == nil {
		return nil
	}
	<-s.done
	b.storing = nil
	if s.err != nil {
		return s.err
	}
	b.Result.Assets += s.res.Assets
	b.Result.Elements += s.res.Elements
	b.Result.Replaced += s.res.Replaced
	b.IDs = append(b.IDs, s.ids...)
	for _, p := range s.pending {
		if b.Committed != nil {
			b.Committed(p.name, p.assets, p.elements)
		}
	}
	return nil
}

// stamped returns the assets with the metadata their prepared records
// hold (the import time stamped in), matched by id.
func stamped(assets []element.Asset, prep []kit.Prepared) []element.Asset {
	meta := make(map[string]map[string]any, len(prep))
	for i := range prep {
		meta[prep[i].Record.Asset.ID] = prep[i].Record.Asset.Meta
	}
	out := make([]element.Asset, len(assets))
	for i, a := range assets {
		if m, ok := meta[a.ID]; ok {
			a.Meta = m
		}
		out[i] = a
	}
	return out
}

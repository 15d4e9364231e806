package library

import (
	"context"

	"elib/element"
	"elib/index"
)

// Batcher imports the assets of many inputs in durable batches of about
// MaxElements elements (each batch one Import: one segment, or one
// transaction), and says when each input's batch has committed — only
// then is the input imported, whatever happens to the process later.
type Batcher struct {
	lib Library
	// MaxElements is the batch size in elements. The default value is 2000.
	MaxElements int
	// Committed is called for every input whose batch committed, in order.
	Committed func(input string, assets, elements int)

	// Result sums the committed batches; IDs lists their assets.
	Result index.ImportResult
	IDs    []string

	batch    []element.Asset
	pending  []pendingInput
	elements int
}

type pendingInput struct {
	name             string
	assets, elements int
}

// NewBatcher returns a Batcher importing into lib.
func NewBatcher(lib Library, maxElements int, committed func(input string, assets, elements int)) *Batcher {
	if maxElements <= 0 {
		maxElements = 2000
	}
	return &Batcher{lib: lib, MaxElements: maxElements, Committed: committed}
}

// Add queues the assets of one input and imports the batch once it holds
// MaxElements elements.
func (b *Batcher) Add(ctx context.Context, input string, assets []element.Asset) error {
	p := pendingInput{name: input, assets: len(assets)}
	for _, a := range assets {
		p.elements += len(a.Elements)
	}
	b.batch = append(b.batch, assets...)
	b.pending = append(b.pending, p)
	b.elements += p.elements
	if b.elements >= b.MaxElements {
		return b.Flush(ctx)
	}
	return nil
}

// Flush imports what is queued.
func (b *Batcher) Flush(ctx context.Context) error {
	if len(b.batch) == 0 {
		return nil
	}
	res, err := b.lib.Import(ctx, b.batch)
	if err != nil {
		return err
	}
	b.Result.Assets += res.Assets
	b.Result.Elements += res.Elements
	b.Result.Replaced += res.Replaced
	for _, a := range b.batch {
		b.IDs = append(b.IDs, a.ID)
	}
	for _, p := range b.pending {
		if b.Committed != nil {
			b.Committed(p.name, p.assets, p.elements)
		}
	}
	b.batch, b.pending, b.elements = b.batch[:0], b.pending[:0], 0
	return nil
}

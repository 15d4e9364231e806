package main

import (
	"elib/internal/i18n"
	"sync"

	"elib/fingerprint"
	"elib/fingerprint/wordseg"
)

// engineLoader starts loading the tokenizer (the slowest step of a cold
// start, ~0.9 s) in the background so parsing and library opening overlap
// with it.
type engineLoader struct {
	once   sync.Once
	done   chan struct{}
	engine *fingerprint.Engine
	err    error
}

func newEngineLoader() *engineLoader {
	l := newLazyEngineLoader()
	go l.load()
	return l
}

// newLazyEngineLoader is an engineLoader that loads at the first Engine
// call: for commands that may need no engine (stats over stored outcomes).
func newLazyEngineLoader() *engineLoader {
	return &engineLoader{done: make(chan struct{})}
}

// engineOptions are the options of the engine engineLoader loads.
var engineOptions = fingerprint.Options{}

func (l *engineLoader) load() {
	l.once.Do(func() {
		defer close(l.done)
		seg, err := wordseg.Default()
		if err != nil {
			l.err = i18n.Errorf("load tokenizer: %w", err)
			return
		}
		l.engine, l.err = fingerprint.New(engineOptions, seg)
	})
}

// Engine loads the engine, or waits for the load to finish.
func (l *engineLoader) Engine() (*fingerprint.Engine, error) {
	l.load()
	<-l.done
	return l.engine, l.err
}

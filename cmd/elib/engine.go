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
	l := &engineLoader{done: make(chan struct{})}
	go l.load()
	return l
}

func (l *engineLoader) load() {
	l.once.Do(func() {
		defer close(l.done)
		seg, err := wordseg.Default()
		if err != nil {
			l.err = i18n.Errorf("load tokenizer: %w", err)
			return
		}
		l.engine, l.err = fingerprint.New(fingerprint.Options{}, seg)
	})
}

// Engine waits for the load to finish.
func (l *engineLoader) Engine() (*fingerprint.Engine, error) {
	<-l.done
	return l.engine, l.err
}

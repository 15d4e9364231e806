package index

import (
	"elib/internal/i18n/msg"
	"strconv"
	"strings"

	"elib/index/manifest"
	"elib/library/kit"
)

// Creator packs are stored in the manifest beside the allowlist: written
// atomically with it, carried over by Reindex, read by every opener. These
// four methods are the whole storage seam of packs.

// Packs returns the library's packs, oldest first (from the manifest in
// memory: the error is always nil).
func (l *Library) Packs() ([]kit.Pack, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.man.Clone().Packs, nil
}

// Pack returns the pack id (kit.ErrNotFound when there is none).
func (l *Library) Pack(id string) (kit.Pack, error) {
	l.mu.RLock()
	ps := l.man.Clone().Packs
	l.mu.RUnlock()
	for _, p := range ps {
		if p.ID == id {
			return p, nil
		}
	}
	return kit.Pack{}, msg.Errorf("pack %q: %w", id, kit.ErrNotFound)
}

// PackAdd stores p. An empty p.ID gets the next free "pack-N"; the id is
// returned.
func (l *Library) PackAdd(p kit.Pack) (string, error) {
	id := ""
	err := l.editPacks(func(ps []kit.Pack) ([]kit.Pack, error) {
		next := 1
		for _, q := range ps {
			if p.ID != "" && q.ID == p.ID {
				return nil, msg.Errorf("pack %q: %w", p.ID, kit.ErrPackExists)
			}
			if n, err := strconv.Atoi(strings.TrimPrefix(q.ID, "pack-")); err == nil && strings.HasPrefix(q.ID, "pack-") {
				next = max(next, n+1)
			}
		}
		if p.ID == "" {
			p.ID = "pack-" + strconv.Itoa(next)
		}
		id = p.ID
		return append(ps, p), nil
	})
	return id, err
}

// PackRemove removes the pack id (kit.ErrNotFound when there is none).
func (l *Library) PackRemove(id string) error {
	return l.editPacks(func(ps []kit.Pack) ([]kit.Pack, error) {
		for i, p := range ps {
			if p.ID == id {
				return append(ps[:i:i], ps[i+1:]...), nil
			}
		}
		return nil, msg.Errorf("pack %q: %w", id, kit.ErrNotFound)
	})
}

// editPacks changes the packs under the writer lock and commits a new
// manifest generation (on the library's file system: the memory library's
// is in memory).
func (l *Library) editPacks(edit func([]kit.Pack) ([]kit.Pack, error)) error {
	if err := l.writable(); err != nil {
		return msg.Errorf("packs: %w", err)
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.RLock()
	m := l.man.Clone()
	l.mu.RUnlock()
	ps, err := edit(m.Packs)
	if err != nil {
		return err
	}
	m.Packs = ps
	m.Generation++
	if err := manifest.WriteFS(l.fs, l.dir, m); err != nil {
		return msg.Errorf("packs: %w", err)
	}
	l.mu.Lock()
	l.man = m
	l.mu.Unlock()
	return nil
}

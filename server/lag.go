package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"elib/check"
	"elib/internal/i18n/msg"
)

// errReplicaBehind refuses a check or search while the library's database
// trails its primary by more than Options.MaxReplicaLag.
var errReplicaBehind = errors.New("replica behind")

// replicaBehind is errReplicaBehind with what the reply says.
type replicaBehind struct{ err error }

func (e *replicaBehind) Error() string        { return e.err.Error() }
func (e *replicaBehind) Unwrap() error        { return e.err }
func (e *replicaBehind) Is(target error) bool { return target == errReplicaBehind }

// lagSampleInterval is how often at most a burst of requests asks the
// database for its lag.
const lagSampleInterval = 250 * time.Millisecond

// lagCache is the last lag reading.
type lagCache struct {
	mu  sync.Mutex
	at  time.Time
	lag time.Duration
	err error
}

// replicaLag returns how far the library trails its primary (0 for
// libraries that cannot), read at most every lagSampleInterval; ok is
// false for such libraries.
func (s *Server) replicaLag(ctx context.Context) (lag time.Duration, ok bool, err error) {
	l := s.lagger
	if l == nil {
		return 0, false, nil
	}
	c := &s.lag
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := s.opts.Now(); c.at.IsZero() || now.Sub(c.at) >= lagSampleInterval || now.Before(c.at) {
		c.lag, c.err = l.ReplicaLag(ctx)
		c.at = now
	}
	return c.lag, true, c.err
}

// current refuses work while the library trails its primary by more than
// Options.MaxReplicaLag, so that every answer sees the imports committed
// more than that long ago.
func (s *Server) current(ctx context.Context) error {
	if s.opts.MaxReplicaLag <= 0 {
		return nil
	}
	lag, _, err := s.replicaLag(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", check.ErrLibraryUnavailable, err)
	}
	if lag > s.opts.MaxReplicaLag {
		return &replicaBehind{msg.Errorf("the library's database is a replica %s behind its primary (this server's bound is %s): imports of that time are not visible yet; retry shortly or use a server on the primary",
			lag.Round(100*time.Millisecond), s.opts.MaxReplicaLag)}
	}
	return nil
}

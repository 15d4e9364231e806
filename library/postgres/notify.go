package postgres

import (
	"context"
	"errors"
	"time"
)

// changesChannel is the channel every write NOTIFYs on commit.
const changesChannel = "elib_changes"

// Changes returns a channel that receives a value soon after any process
// commits a write to the library (LISTEN elib_changes), so a server picks
// up other processes' allowlist, pack and import changes at once instead
// of at its next poll. Signals coalesce: one value may stand for several
// commits. After a lost connection it reconnects and signals once, since
// commits may have been missed meanwhile. The channel closes when ctx is
// done. A replica cannot LISTEN (notifications are not replicated): there
// the channel never fires and polling remains the only way.
func (l *Library) Changes(ctx context.Context) <-chan struct{} {
	out := make(chan struct{}, 1)
	signal := func() {
		select {
		case out <- struct{}{}:
		default:
		}
	}
	go func() {
		defer close(out)
		backoff := 100 * time.Millisecond
		for first := true; ctx.Err() == nil; first = false {
			err := l.listen(ctx, signal, !first)
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, errStandby) {
				<-ctx.Done()
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 5*time.Second)
		}
	}()
	return out
}

// errStandby reports a database in recovery, which cannot LISTEN.
var errStandby = errors.New("replica: LISTEN is not available")

// listen holds one connection listening on changesChannel until it fails
// or ctx is done, calling signal for every notification (and once after
// connecting when resumed, for commits missed while disconnected).
func (l *Library) listen(ctx context.Context, signal func(), resumed bool) error {
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection leaves the pool: a LISTENing session must not serve
	// other queries.
	pc := conn.Hijack()
	defer pc.Close(context.Background())
	var standby bool
	if err := pc.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
		return err
	}
	if standby {
		return errStandby
	}
	if _, err := pc.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return err
	}
	if resumed {
		signal()
	}
	for {
		if _, err := pc.WaitForNotification(ctx); err != nil {
			return err
		}
		signal()
	}
}

// ReplicaLag reports how far the database's view trails its primary: 0 on
// a primary or on a replica that has replayed all the WAL it received;
// otherwise the time since the last commit it replayed, or since it
// started when it has replayed none (an upper bound when the primary was
// idle before the commits still to replay).
func (l *Library) ReplicaLag(ctx context.Context) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, l.opts.Timeout)
	defer cancel()
	var seconds float64
	err := l.pool.QueryRow(ctx, `SELECT CASE
		WHEN NOT pg_is_in_recovery() THEN 0
		WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
		ELSE extract(epoch FROM now() - coalesce(pg_last_xact_replay_timestamp(), pg_postmaster_start_time())) END::float8`).Scan(&seconds)
	if err != nil {
		return 0, wrap(l.desc, "replica lag", err)
	}
	return time.Duration(max(seconds, 0) * float64(time.Second)), nil
}

package server

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"elib/element"
)

// DefaultMediaSlots is the number of media jobs (an uploaded video probed
// and decoded by ffmpeg) that run at once: one per two cores, at least
// one. A media job takes a core or more of ffmpeg for seconds.
func DefaultMediaSlots() int { return max(1, runtime.NumCPU()/2) }

// errMediaBusy is returned when no media slot frees up within the queue
// timeout.
var errMediaBusy = errors.New("server busy: every media slot stayed taken")

// isVideo reports whether an upload called name, with the request's
// format field, is parsed as a video: a format of element's table read
// from a file (InputFormat.File), spooled and parsed in a media slot.
func isVideo(name, format string) bool {
	if format = strings.TrimSpace(format); format == "" {
		format = element.FormatOf(name)
	}
	f, ok := element.LookupFormat(format)
	return ok && f.File
}

// uploadParser returns the fileParser of a request whose work is bounded
// by ctx: text formats parse at once; a video first takes a media slot
// (errMediaBusy after Options.QueueTimeout) and runs under ctx, its tools
// killed and its temporary files removed when ctx is done (the request's
// deadline, or the client leaving). A job cut short ends the request with
// ctx's error, never a per-file error.
func (s *Server) uploadParser(ctx context.Context) fileParser {
	return func(u uploadFile, opts element.ParseOptions) (input, error) {
		if u.Path == "" && !isVideo(u.Name, opts.Format) {
			assets, err := element.Parse(u.Name, u.Data, opts)
			return input{File: u.Name, Assets: assets, Err: err}, nil
		}
		if err := s.acquireMedia(ctx); err != nil {
			return input{}, err
		}
		defer func() { <-s.mediaSlots }()
		start := time.Now()
		opts.Context = ctx
		var assets []element.Asset
		var err error
		if u.Path != "" {
			assets, err = element.ParseVideoFile(u.Name, u.Path, opts)
		} else {
			assets, err = element.Parse(u.Name, u.Data, opts)
		}
		s.metrics.mediaJob(time.Since(start), err)
		if ctx.Err() != nil {
			return input{}, fmt.Errorf("video %s: %w", u.Name, ctx.Err())
		}
		return input{File: u.Name, Assets: assets, Err: err}, nil
	}
}

// acquireMedia takes a media slot, waiting at most Options.QueueTimeout
// (and never past ctx).
func (s *Server) acquireMedia(ctx context.Context) error {
	select {
	case s.mediaSlots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(s.opts.QueueTimeout)
	defer t.Stop()
	select {
	case s.mediaSlots <- struct{}{}:
		return nil
	case <-t.C:
		return errMediaBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

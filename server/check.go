package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"elib/api"
	"elib/check"
	"elib/check/report"
	"elib/check/report/thumbs"
	"elib/pack"
)

// threshold picks the request's threshold or, when it gives none, the
// server's: the one place a request's default is applied.
func (s *Server) threshold(t *float64) (float64, error) {
	if t == nil {
		return *s.opts.Threshold, nil
	}
	if err := check.ValidThreshold(*t); err != nil {
		return 0, badRequest("%v", err)
	}
	return *t, nil
}

// session returns the check session of one request: the server's checker
// (or its --exclude-self twin) judging at sopts' thresholds, with pack
// packID's licence and slot rule when it names one, and the library's
// fatigue warnings.
func (s *Server) session(ctx context.Context, sopts check.SessionOptions, packID string, excludeSelf bool) (*check.Session, error) {
	c, err := s.checkerFor(excludeSelf)
	if err != nil {
		return nil, err
	}
	if packID != "" {
		p, err := s.pack(packID)
		if err != nil {
			return nil, err
		}
		sopts.Variant = pack.Variant(p)
	}
	if f := s.currentFatigue(ctx); f != nil {
		sopts.Warner = f
	}
	sess, err := c.Session(sopts)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	return sess, nil
}

// inputErrors converts parse failures into report entries, in the
// request's language; it reports whether every input failed.
func inputErrors(r *http.Request, ins []input) (errs []report.FileError, allFailed bool) {
	allFailed = true
	for _, in := range ins {
		if in.Err != nil {
			errs = append(errs, report.NewFileError(in.File, in.Err).In(printerOf(r)))
		}
		if len(in.Assets) > 0 {
			allFailed = false
		}
	}
	return errs, allFailed
}

// handleCheck is POST /v1/check: the JSON of `elib check --format json`.
func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request) { s.serveCheck(w, r, "json") }

// handleReport is POST /v1/report: the same check as POST /v1/check,
// answered with the printable HTML report of `elib check --format html`
// (the page posts its check form here, multipart, into a new tab).
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) { s.serveCheck(w, r, "html") }

// serveCheck runs a check request and writes the report in format (json
// or html).
func (s *Server) serveCheck(w http.ResponseWriter, r *http.Request, format string) {
	req, ctx, cancel, err := s.readCheckInputs(w, r)
	defer cancel()
	defer req.Close()
	if err != nil {
		s.writeErr(w, r, "check", err)
		return
	}
	threshold, err := s.threshold(req.Threshold)
	if err != nil {
		s.writeErr(w, r, "check", err)
		return
	}
	footageThreshold := check.DefaultFootageThreshold
	if req.FootageThreshold != nil {
		if footageThreshold, err = s.threshold(req.FootageThreshold); err != nil {
			s.writeErr(w, r, "check", err)
			return
		}
	}
	errs, allFailed := inputErrors(r, req.Inputs)
	if allFailed {
		writeInputError(w, r, errs[0])
		return
	}
	sess, err := s.session(r.Context(), check.SessionOptions{Threshold: threshold, FootageThreshold: footageThreshold}, req.Pack, req.ExcludeSelf)
	if err != nil {
		s.writeErr(w, r, "check", err)
		return
	}
	rep := &report.Report{Threshold: threshold, Errors: errs, Zone: s.opts.Zone}
	for _, in := range req.Inputs {
		for i := range in.Assets {
			start := time.Now()
			heavy := utf8.RuneCountInString(in.Assets[i].CopyText()) > heavyCheckChars
			if err := s.acquire(ctx, heavy); err != nil {
				s.writeErr(w, r, "check "+in.File, err)
				return
			}
			res, err := sess.Check(ctx, in.File, &in.Assets[i])
			s.release(heavy)
			if err != nil {
				s.metrics.checkFailed()
				s.writeErr(w, r, "check "+in.File, err)
				return
			}
			s.metrics.checked(res.Verdict, time.Since(start))
			rep.Results = append(rep.Results, res)
		}
	}
	if format == "html" || r.URL.Query().Get("thumbs") == "1" {
		// Matched frames, side by side: the printable report always,
		// the JSON reply when asked (the page does), as they weigh ~10
		// KB each.
		if err := s.attachThumbs(ctx, rep.Results, req.videos); err != nil {
			s.writeErr(w, r, "check", err)
			return
		}
	}
	s.finishReport(ctx, r, rep, format)
	// report.Write is exactly `elib check --format json`.
	buf := &cappedBuffer{max: s.opts.MaxReplyBytes}
	if err := report.Write(buf, format, rep); err != nil {
		s.writeErr(w, r, "check", fmt.Errorf("encode check reply: %w", err))
		return
	}
	if format == "json" && r.URL.Query().Get("split") == "1" {
		// The page checks a video with one upload and one parse: the
		// reply carries the split of what it checked beside the report.
		if buf, err = withSplit(buf, req.Inputs, s.opts.MaxReplyBytes); err != nil {
			s.writeErr(w, r, "check", fmt.Errorf("encode check reply: %w", err))
			return
		}
	}
	f, _ := report.LookupFormat(format) // Write took it
	w.Header().Set("Content-Type", f.ContentType)
	if f.Binary {
		w.Header().Set("Content-Disposition", `attachment; filename="elib-check.`+f.Name+`"`)
	}
	if format == "html" {
		// The report is self-contained: its own inline style, nothing else.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	}
	_, _ = w.Write(buf.Bytes())
}

// attachThumbs cuts the matched frames of the footage of results (the
// uploaded videos at videos[file], the library's under
// Options.MediaRoot) in a media slot: each frame is an ffmpeg run.
func (s *Server) attachThumbs(ctx context.Context, results []*check.Result, videos map[string]string) error {
	any := false
	for _, res := range results {
		any = any || (res.Footage != nil && len(res.Footage.Matches) > 0)
	}
	if !any {
		return nil
	}
	if err := s.acquireMedia(ctx); err != nil {
		return err
	}
	defer func() { <-s.mediaSlots }()
	thumbs.Attach(ctx, results, func(res *check.Result) string { return videos[res.File] }, thumbs.UnderRoot(s.opts.MediaRoot))
	return ctx.Err()
}

// withSplit adds "split" (POST /v1/split's reply for the same inputs) to
// a check's JSON reply: POST /v1/check?split=1.
func withSplit(report *cappedBuffer, ins []input, max int64) (*cappedBuffer, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(report.Bytes(), &fields); err != nil {
		return nil, err
	}
	split := api.Split{Files: []api.SplitFile{}}
	for _, in := range ins {
		split.Files = append(split.Files, api.NewSplitFile(in.File, in.Assets, in.Err))
	}
	raw, err := json.Marshal(split)
	if err != nil {
		return nil, err
	}
	fields["split"] = raw
	out := &cappedBuffer{max: max}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return out, enc.Encode(fields)
}

package server

import (
	"errors"
	"net/http"
	"strconv"

	"elib/element"
)

// infoResponse is GET /v1/info, what the web page shows about the server.
type infoResponse struct {
	// Library describes the library (Options.LibraryDesc); LibraryName
	// is its bare name (the page says the rest in its own language).
	Library     string `json:"library"`
	LibraryName string `json:"library_name,omitempty"`
	Assets      int    `json:"assets"` // live: imports and refreshes show at once
	Elements    int    `json:"elements,omitempty"`
	// MaxBodyBytes is the largest upload (a video); MaxCheckBytes the
	// largest script.
	MaxBodyBytes  int64          `json:"max_body_bytes"`
	MaxCheckBytes int64          `json:"max_check_bytes"`
	Sample        bool           `json:"sample"`
	Writable      bool           `json:"writable"`
	Threshold     float64        `json:"threshold"`
	Version       string         `json:"version"`
	Types         []element.Type `json:"types"`
	// TimeZone is the team's time zone the page shows times in
	// (Options.Zone: the library's, or serve's --tz).
	TimeZone string `json:"time_zone,omitempty"`
}

func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request) {
	out := infoResponse{
		Library: s.opts.LibraryDesc, LibraryName: s.opts.LibraryName, Sample: s.opts.Sample, Writable: s.opts.Token != "" && !s.opts.ReadOnly,
		MaxBodyBytes: s.opts.MaxBodyBytes, MaxCheckBytes: s.opts.MaxCheckBytes,
		Threshold: *s.opts.Threshold, Version: s.opts.Version, Types: element.Types,
	}
	var err error
	if out.Assets, err = s.opts.Library.AssetCount(); err != nil {
		s.writeErr(w, r, "info", unavailable(err))
		return
	}
	if out.Elements, err = s.opts.Library.ElementCount(); err != nil {
		s.writeErr(w, r, "info", unavailable(err))
		return
	}
	if s.opts.Zone != nil {
		out.TimeZone = s.opts.Zone.String()
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{"status": "ok"}
	status := http.StatusOK
	assets, err1 := s.opts.Library.AssetCount()
	elements, err2 := s.opts.Library.ElementCount()
	gen, err3 := s.opts.Library.Generation()
	out["assets"], out["elements"], out["generation"] = assets, elements, gen
	if err := errors.Join(err1, err2, err3); err != nil {
		s.opts.Logger.Warn("health: library read failed", "err", err)
		out["status"], out["error"] = "unavailable", "the library's database could not be read"
		status = http.StatusServiceUnavailable
	}
	if lag, ok, err := s.replicaLag(r.Context()); ok {
		switch {
		case err != nil:
			out["status"], out["error"] = "unavailable", "the library's database could not be read"
			status = http.StatusServiceUnavailable
		case s.opts.MaxReplicaLag > 0 && lag > s.opts.MaxReplicaLag:
			out["status"] = "lagging"
			status = http.StatusServiceUnavailable
		}
		out["replica_lag_seconds"] = lag.Seconds()
	}
	if status != http.StatusOK {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	}
	writeJSON(w, status, out)
}

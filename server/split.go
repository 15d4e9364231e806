package server

import (
	"net/http"

	"elib/api"
)

// handleSplit is POST /v1/split.
func (s *Server) handleSplit(w http.ResponseWriter, r *http.Request) {
	req, _, cancel, err := s.readCheckInputs(w, r)
	defer cancel()
	defer req.Close()
	if err != nil {
		s.writeErr(w, r, "split", err)
		return
	}
	errs, allFailed := inputErrors(req.Inputs)
	if allFailed {
		writeError(w, http.StatusBadRequest, errs[0].String())
		return
	}
	out := api.Split{Files: []api.SplitFile{}}
	for _, in := range req.Inputs {
		out.Files = append(out.Files, api.NewSplitFile(in.File, in.Assets, in.Err))
	}
	s.reply(w, r, http.StatusOK, out)
}

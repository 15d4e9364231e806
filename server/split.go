package server

import (
	"net/http"

	"elib/api"
	"elib/check/report"
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
	errs, allFailed := inputErrors(r, req.Inputs)
	if allFailed {
		writeInputError(w, r, errs[0])
		return
	}
	out := api.Split{Files: []api.SplitFile{}}
	for _, in := range req.Inputs {
		f := api.NewSplitFile(in.File, in.Assets, in.Err)
		if in.Err != nil {
			f.Error = report.NewFileError(in.File, in.Err).In(printerOf(r)).Error
		}
		out.Files = append(out.Files, f)
	}
	s.reply(w, r, http.StatusOK, out)
}

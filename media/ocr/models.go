package ocr

import (
	"elib/internal/i18n/msg"
	"os"
	"path/filepath"
)

// Model files a models folder holds (scripts/fetch-models.sh fetches them).
const (
	DetModelFile = "ch_PP-OCRv4_det_infer.onnx"
	RecModelFile = "ch_PP-OCRv4_rec_infer.onnx"
	DictFile     = "ppocr_keys_v1.txt"
	RuntimeFile  = "libonnxruntime.so"
)

// EnvModels names the environment variable that points at the models
// folder when no --models flag is given.
const EnvModels = "ELIB_MODELS"

// FetchCommand is the command that fetches the models; errors name it.
const FetchCommand = "scripts/fetch-models.sh"

// ErrNoModels reports a missing models folder or file; its message names
// the command that fetches them.
var ErrNoModels = msg.New("OCR models not found")

// ModelsDir picks the models folder: explicit when set, else $ELIB_MODELS,
// else ./models when it holds the models. It returns "" when none is set
// and ./models has no models.
func ModelsDir(explicit string) string {
	if explicit != "" {
		return explicit
	}
	if d := os.Getenv(EnvModels); d != "" {
		return d
	}
	if CheckModels("models") == nil {
		return "models"
	}
	return ""
}

// CheckModels returns nil when dir holds every model file, else an error
// wrapping ErrNoModels that names what is missing and the fetch command.
func CheckModels(dir string) error {
	if dir == "" {
		return msg.Errorf("%w: burned-in captions need them; run %s (fetches them into ./models), then pass --models DIR or set %s",
			ErrNoModels, FetchCommand, EnvModels)
	}
	for _, f := range []string{DetModelFile, RecModelFile, DictFile, RuntimeFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Size() == 0 {
			return msg.Errorf("%w: %s has no %s; run %s %s to fetch them", ErrNoModels, dir, f, FetchCommand, dir)
		}
	}
	return nil
}

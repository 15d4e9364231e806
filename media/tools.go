package media

import (
	"errors"
	"fmt"
	"os/exec"
)

// ErrMissingTool reports an external tool that is not installed; the
// message names the Debian package that provides it.
var ErrMissingTool = errors.New("missing tool")

// Tools are the paths of the external programs media runs. The zero value
// looks each one up in PATH when it is needed.
type Tools struct {
	// FFmpeg decodes audio and frames and extracts subtitles. The default
	// value is "ffmpeg" from PATH.
	FFmpeg string
	// FFprobe reads stream facts. The default value is "ffprobe" from PATH.
	FFprobe string
	// BPM estimates tempo (bpm-tools). The default value is "bpm" from PATH.
	BPM string
}

// debianPackage names the Debian package of each tool.
var debianPackage = map[string]string{"ffmpeg": "ffmpeg", "ffprobe": "ffmpeg", "bpm": "bpm-tools"}

// resolve returns the path of tool (explicit, else from PATH) or an error
// naming the Debian package to install.
func resolve(explicit, tool string) (string, error) {
	name := explicit
	if name == "" {
		name = tool
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w: %s not found; install the Debian package %s (apt-get install %s)",
			ErrMissingTool, tool, debianPackage[tool], debianPackage[tool])
	}
	return p, nil
}

func (t Tools) ffmpeg() (string, error)  { return resolve(t.FFmpeg, "ffmpeg") }
func (t Tools) ffprobe() (string, error) { return resolve(t.FFprobe, "ffprobe") }
func (t Tools) bpm() (string, error)     { return resolve(t.BPM, "bpm") }

package media

import (
	"context"
	"elib/internal/i18n/msg"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrMissingTool reports an external tool that is not installed; the
// message names the Debian package that provides it.
var ErrMissingTool = msg.New("missing tool")

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
		return "", msg.Errorf("%w: %s not found; install the Debian package %s (apt-get install %s)",
			ErrMissingTool, tool, debianPackage[tool], debianPackage[tool])
	}
	return p, nil
}

func (t Tools) ffmpeg() (string, error)  { return resolve(t.FFmpeg, "ffmpeg") }
func (t Tools) ffprobe() (string, error) { return resolve(t.FFprobe, "ffprobe") }
func (t Tools) bpm() (string, error)     { return resolve(t.BPM, "bpm") }

// waitDelay is how long a killed tool's pipes may stay open before Wait
// gives up on them (a job never hangs on a tool that ignores the kill).
const waitDelay = 2 * time.Second

// command is exec.CommandContext that kills the tool when ctx is done and
// returns from Wait within waitDelay after that, whatever the pipes do.
func command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Cancel = func() error { return cmd.Process.Kill() }
	cmd.WaitDelay = waitDelay
	return cmd
}

// toolNice is the scheduling niceness the tools run at: a media job is
// batch work beside interactive checks, which must keep their latency
// when the server decodes a video (see benchmarks/RESULTS.md, issue 20).
const toolNice = 10

// start starts cmd and lowers its priority to toolNice.
func start(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	// Best effort: a failure leaves the tool at normal priority.
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, cmd.Process.Pid, toolNice)
	return nil
}

// run is cmd.Run through start.
func run(cmd *exec.Cmd) error {
	if err := start(cmd); err != nil {
		return err
	}
	return cmd.Wait()
}

// inputPath makes path absolute, so no file name is ever read as a URL or
// an option by ffmpeg ("http:host?x.mp4", "-i.mp4" are files).
func inputPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", msg.Errorf("resolve %s: %w", path, err)
	}
	return abs, nil
}

// Input options every ffmpeg and ffprobe run gets: local files only (no
// network, no pipes, no nested protocols a playlist could name) and only
// the accepted containers (a playlist is refused before it is followed).
var (
	protocolOptions = []string{"-protocol_whitelist", "file"}
	formatWhitelist = strings.Join(allowedFormats, ",")
)

// demuxerOptions are the input options of a decode run on a probed file:
// no network, the demuxer the probe found forced, decoders held to the
// pixel limit.
func demuxerOptions(info Info, l Limits) []string {
	l.EnsureDefaults()
	// One decoding thread: a media job takes about one core, whatever
	// the machine, beside the checks.
	return append(append([]string(nil), protocolOptions...),
		"-format_whitelist", formatWhitelist, "-max_pixels", strconv.Itoa(l.MaxPixels), "-threads", "1", "-f", info.Demuxer)
}

package library

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"elib/internal/i18n/msg"
	"elib/library/postgres"
	"elib/vfs"
)

// Settings are what a team sets once for its library and every command
// reads from it: a file library keeps them in settings.json beside its
// manifest, a PostgreSQL library in its elib_meta table; an in-memory
// library keeps none.
type Settings struct {
	// TimeZone is the team's time zone (an IANA name, `elib init --tz`):
	// text output, the dashboard's weeks and months and reports show
	// times in it. "" when never set: Asia/Shanghai then.
	TimeZone string `json:"time_zone,omitempty"`
}

// SettingsFile is the file a file library keeps its Settings in.
const SettingsFile = "settings.json"

// ErrNoSettings is returned by WriteSettings for a library that keeps no
// settings (an in-memory one).
var ErrNoSettings = msg.New("this library keeps no settings")

// ReadSettings returns the settings of the library at location (zero
// Settings when it has none yet).
func ReadSettings(ctx context.Context, location string) (Settings, error) {
	s, err := SchemeOf(location)
	if err != nil {
		return Settings{}, err
	}
	if s.ReadSettings == nil {
		return Settings{}, nil
	}
	return s.ReadSettings(ctx, location)
}

// WriteSettings replaces the settings of the library at location.
func WriteSettings(ctx context.Context, location string, set Settings) error {
	s, err := SchemeOf(location)
	if err != nil {
		return err
	}
	if s.WriteSettings == nil {
		return ErrNoSettings
	}
	return s.WriteSettings(ctx, location, set)
}

// readFileSettings reads dir/settings.json.
func readFileSettings(_ context.Context, dir string) (Settings, error) {
	var set Settings
	b, err := os.ReadFile(filepath.Join(dir, SettingsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return set, nil
	}
	if err != nil {
		return set, err
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return set, msg.Errorf("%s: %w", filepath.Join(dir, SettingsFile), err)
	}
	return set, nil
}

// writeFileSettings writes dir/settings.json atomically.
func writeFileSettings(_ context.Context, dir string, set Settings) error {
	b, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return err
	}
	return vfs.Write(vfs.OS, filepath.Join(dir, SettingsFile), func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// metaTimeZone is the elib_meta key of Settings.TimeZone.
const metaTimeZone = "time_zone"

func readPostgresSettings(ctx context.Context, url string) (Settings, error) {
	tz, err := postgres.ReadMeta(ctx, url, metaTimeZone)
	return Settings{TimeZone: tz}, err
}

func writePostgresSettings(ctx context.Context, url string, set Settings) error {
	return postgres.WriteMeta(ctx, url, metaTimeZone, set.TimeZone)
}

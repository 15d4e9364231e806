package check_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
	"elib/internal/devdata"
	"elib/internal/elibtest"
)

// TestAssistAnswersAlike checks the development sets' new files on one
// goroutine and with a lent core: the answers are the same, byte for
// byte, whatever the helpers did in whichever order.
func TestAssistAnswersAlike(t *testing.T) {
	eng := elibtest.Engine(t)
	dev := devDir(t)
	_, taobao := taobaoLibrary(t, eng)
	rewrite := filepath.Join(devdata.Shared(t, "dev-rewrite"), "taobao_rewrite", "new")
	for _, set := range []struct {
		name string
		lib  check.Source
		dir  string
	}{
		{"synthetic", devLibrary(t, eng, dev), filepath.Join(dev, "new")},
		{"rewrites of real copy", taobao, rewrite},
		{"collages of real copy", taobao, filepath.Join(devdata.DevRealDir(t), "taobao_collage", "new")},
	} {
		t.Run(set.name, func(t *testing.T) {
			alone, err := check.New(eng, check.Options{Assist: check.NewAssist(1)}, set.lib)
			require.NoError(t, err)
			helped, err := check.New(eng, check.Options{Assist: check.NewAssist(2)}, set.lib)
			require.NoError(t, err)
			files, err := os.ReadDir(set.dir)
			require.NoError(t, err)
			for _, f := range files {
				assets, err := element.ParseFile(filepath.Join(set.dir, f.Name()), element.ParseOptions{})
				require.NoError(t, err, f.Name())
				for i := range assets {
					want, err := alone.Check(context.Background(), f.Name(), &assets[i])
					require.NoError(t, err, f.Name())
					got, err := helped.Check(context.Background(), f.Name(), &assets[i])
					require.NoError(t, err, f.Name())
					wantJSON, err := json.Marshal(want)
					require.NoError(t, err)
					gotJSON, err := json.Marshal(got)
					require.NoError(t, err)
					require.Equal(t, string(wantJSON), string(gotJSON), f.Name())
				}
			}
		})
	}
}

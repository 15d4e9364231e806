//go:build !linux

package wordseg

import "errors"

// memfdPaths is unavailable off Linux; the cache directory is used.
func memfdPaths(map[string][]byte) ([5]string, func(), error) {
	return [5]string{}, nil, errors.New("memfd is Linux-only")
}

package main

import (
	"os"
	"testing"

	"elib/library/postgres/pgtest"
)

// TestMain stops the private PostgreSQL server the PostgreSQL tests start.
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

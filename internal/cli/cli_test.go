package cli

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the ldfi command in-process: scripts call
// `exec ldfi ...` (or `ldfi ...`).
func TestMain(m *testing.M) {
	os.Exit(testscript.RunMain(m, map[string]func() int{"ldfi": Main}))
}

// TestScripts runs every testdata/script/*.txtar. Set UPDATE_SCRIPTS=1 to
// rewrite the expected outputs (cmp) in the scripts.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") != "",
	})
}

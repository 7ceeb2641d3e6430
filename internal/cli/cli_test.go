package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ldfi/ldfi/internal/golden"
)

// TestMain lets testscript run the ldfi command in-process: scripts call
// `exec ldfi ...` (or `ldfi ...`).
func TestMain(m *testing.M) {
	os.Exit(testscript.RunMain(m, map[string]func() int{"ldfi": Main}))
}

// TestScripts runs every testdata/script/*.txtar. go test -update (the
// flag of every data-driven test, see internal/golden) rewrites the
// expected outputs (cmp) in the scripts.
//
// Every script shares one user cache directory (XDG_CACHE_HOME), so that the
// layout library compiles once for the whole run (see internal/layoutcache);
// a script may set its own.
func TestScripts(t *testing.T) {
	cache := t.TempDir()
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: golden.Updating(),
		Setup: func(env *testscript.Env) error {
			env.Setenv("XDG_CACHE_HOME", cache)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkfifo":      cmdMkfifo,
			"status":      cmdStatus,
			"poisoncache": cmdPoisonCache,
		},
	})
}

// status N PROG ARGS... runs PROG like exec and checks that it exits with
// status N; stdout and stderr are then checked as after exec.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N PROG ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: bad exit status %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("status: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// mkfifo PATH... creates named pipes (nothing ever writes to them: a
// command that opens one for reading blocks forever).
func cmdMkfifo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: mkfifo PATH...")
	}
	for _, a := range args {
		if err := syscall.Mkfifo(ts.MkAbs(a), 0o600); err != nil {
			ts.Fatalf("mkfifo %s: %v", a, err)
		}
	}
}

// poisoncache TO FROM... copies the directory tree of a layout library
// cache, the first FROM that exists, into TO with every file replaced by a
// directory of the same name, so that the library fails to read any cached
// module from TO (as it fails on a cache another user owns). FROM may be TO.
func cmdPoisonCache(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: poisoncache TO FROM...")
	}
	to, from := ts.MkAbs(args[0]), ""
	for _, a := range args[1:] {
		if _, err := os.Stat(ts.MkAbs(a)); err == nil {
			from = ts.MkAbs(a)
			break
		}
	}
	if from == "" {
		ts.Fatalf("poisoncache: none of %v exists", args[1:])
	}
	var files []string
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(from, path)
			files = append(files, rel)
		}
		return nil
	})
	ts.Check(err)
	if len(files) == 0 {
		ts.Fatalf("poisoncache: no cached file under %s", from)
	}
	for _, rel := range files {
		dst := filepath.Join(to, rel)
		if err := os.Remove(dst); err != nil && !os.IsNotExist(err) {
			ts.Fatalf("poisoncache: %v", err)
		}
		ts.Check(os.MkdirAll(dst, 0o755))
	}
	fmt.Fprintf(ts.Stdout(), "poisoned %d cached files\n", len(files))
}

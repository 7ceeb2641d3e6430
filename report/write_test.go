package report

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
)

// writeSimpleRun writes the report of one run of simple-deliv into dir:
// with omit, a violation (DOT files of run 1 with the loss); without, ok.
func writeSimpleRun(t *testing.T, dir string, omit bool) error {
	t.Helper()
	prog, err := dedalus.LoadFiles("../examples/simple-deliv.ded")
	if err != nil {
		t.Fatal(err)
	}
	var s fault.Schedule
	if omit {
		s.Omissions = []fault.Omission{{From: "a", To: "b", Time: 1}}
	}
	return writeRun(dir, prog, fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2}, s)
}

// writeRun runs s and writes its report, as ldfi run --out does.
func writeRun(dir string, prog *dedalus.Program, p fault.Params, s fault.Schedule) error {
	eng, err := eval.New(prog)
	if err != nil {
		return err
	}
	run, err := eng.Run(context.Background(), p, s, eval.Options{})
	if err != nil {
		return err
	}
	res, ev, err := search.RunEvidence(context.Background(), prog, run)
	if err != nil {
		return err
	}
	return WriteRun(dir, prog, res, ev, "test")
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, e := range ents {
		ns = append(ns, e.Name())
	}
	return ns
}

// TestWriteOwnFilesOnly: a report goes to a new or empty directory, or
// replaces an earlier report as a whole; a directory with anything else in
// it is refused before anything is written, and nothing of the user's is
// overwritten or deleted (issue 11, item 7).
func TestWriteOwnFilesOnly(t *testing.T) {
	root := t.TempDir()

	// A new directory (and its missing parent).
	rep := filepath.Join(root, "a", "rep")
	if err := writeSimpleRun(t, rep, true); err != nil {
		t.Fatal(err)
	}
	first := dirNames(t, rep)
	if !slices.Contains(first, "runs.json") || !slices.Contains(first, "index.html") || !slices.Contains(first, "spacetime-run1.dot") {
		t.Fatalf("report files: %v", first)
	}

	// An earlier report is replaced: the same names, new content.
	if err := writeSimpleRun(t, rep, false); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, rep); !slices.Equal(got, first) {
		t.Errorf("after the second write: %v, want %v", got, first)
	}
	if data, _ := os.ReadFile(filepath.Join(rep, "spacetime-run1.dot")); strings.Contains(string(data), "LOST") {
		t.Errorf("the DOT file of the earlier report was kept")
	}
	if got := dirNames(t, filepath.Join(root, "a")); !slices.Equal(got, []string{"rep"}) {
		t.Errorf("temporary files left beside the report: %v", got)
	}

	// A directory with a file of the user's: refused, untouched.
	mine := filepath.Join(root, "mine")
	if err := os.MkdirAll(mine, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"notes.dot", "index.html"} {
		if err := os.WriteFile(filepath.Join(mine, n), []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := CheckDir(mine)
	if err == nil || !strings.Contains(err.Error(), "neither empty nor an ldfi report (it holds notes.dot)") {
		t.Errorf("CheckDir(a directory of the user's) = %v", err)
	}
	if err := writeSimpleRun(t, mine, true); err == nil {
		t.Errorf("Write into a directory of the user's succeeded")
	}
	// Report-like names without an ldfi runs.json are not ldfi's either.
	if err := os.Remove(filepath.Join(mine, "notes.dot")); err != nil {
		t.Fatal(err)
	}
	if err := CheckDir(mine); err == nil || !strings.Contains(err.Error(), "no ldfi runs.json") {
		t.Errorf("CheckDir(index.html of the user's) = %v", err)
	}
	for _, n := range dirNames(t, mine) {
		if data, _ := os.ReadFile(filepath.Join(mine, n)); string(data) != "mine" {
			t.Errorf("%s was overwritten", n)
		}
	}
	// An empty directory is fine.
	empty := filepath.Join(root, "empty")
	if err := os.Mkdir(empty, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := writeSimpleRun(t, empty, true); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(empty); err != nil || st.Mode().Perm() != 0o750 {
		t.Errorf("the empty directory's mode was not kept: %v %v", st.Mode(), err)
	}
	if got := dirNames(t, root); !slices.Equal(got, []string{"a", "empty", "mine"}) {
		t.Errorf("temporary files left: %v", got)
	}
}

// TestWriteBadDir: a target that cannot take a report is refused by
// CheckDir (before a search), with the reason (issue 11, item 5).
func TestWriteBadDir(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dir, want string }{
		{"", "empty directory name"},
		{file, "not a directory"},
		{filepath.Join(file, "sub"), "not a directory"},
		{"/proc/x", "cannot write in /proc"},
		{"/", "root directory"},
	} {
		err := CheckDir(c.dir)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckDir(%q) = %v, want %q", c.dir, err, c.want)
		}
	}
	if got := dirNames(t, root); !slices.Equal(got, []string{"file"}) {
		t.Errorf("files left: %v", got)
	}
}

// TestWriteInPlace: a writable directory in a read-only parent is written
// in place, and only ldfi's files of an earlier report are removed. (The
// parent's mode does not stop root, who runs the tests here: the function
// is called directly.)
func TestWriteInPlace(t *testing.T) {
	root := t.TempDir()
	rep := filepath.Join(root, "rep")
	if err := writeSimpleRun(t, rep, true); err != nil {
		t.Fatal(err)
	}
	if err := installInPlace(rep, []dotFile{{"runs.json", `{"command":"run","verdict":"ok","ldfi_version":"x"}`}, {"index.html", "x"}}); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, rep); !slices.Equal(got, []string{"index.html", "runs.json"}) {
		t.Errorf("after an in-place write: %v", got)
	}
}

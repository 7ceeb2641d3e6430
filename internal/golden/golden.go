// Package golden runs the data-driven tests of the module: each case is a
// txtar archive (testdata/**/*.txtar) holding its inputs and its expected
// outputs as files. Every test package uses the same flag:
//
//	go test ./... -update
//
// rewrites the expected outputs from what the code produces now; read the
// diff before committing. The command-line tests use testscript instead
// (internal/cli/testdata/script).
package golden

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the expected outputs in the testdata txtar archives")

// Updating reports whether the test runs with -update.
func Updating() bool { return *update }

// Archive is one case: a txtar archive read from Path. Changes made by
// Check, CheckFile and CheckAll under -update are written back when the
// test ends.
type Archive struct {
	Path string
	*txtar.Archive
	changed bool
}

var (
	mu     sync.Mutex
	opened = map[string]*Archive{} // by path: tests that read one archive share it
)

// Read reads the archive at path. Reading the same path again (in the same
// test or another) returns the same Archive, so that updates to it add up.
func Read(t testing.TB, path string) *Archive {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	a, ok := opened[path]
	if !ok {
		ar, err := txtar.ParseFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist) && *update:
			ar = &txtar.Archive{} // a new case: -update writes it
		case err != nil:
			t.Fatal(err)
		}
		a = &Archive{Path: path, Archive: ar}
		opened[path] = a
	}
	t.Cleanup(func() {
		if err := a.flush(); err != nil {
			t.Error(err)
		}
	})
	return a
}

// Run runs f as a subtest for each archive matching pattern, named after
// the file without its extension. It fails when nothing matches.
func Run(t *testing.T, pattern string, f func(t *testing.T, a *Archive)) {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no test archives %s (%v)", pattern, err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), func(t *testing.T) {
			f(t, Read(t, path))
		})
	}
}

// Files reads the archives matching pattern (outside a test, e.g. for a
// fuzz corpus).
func Files(pattern string) ([]*txtar.Archive, error) {
	files, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	var out []*txtar.Archive
	for _, path := range files {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			return nil, err
		}
		out = append(out, ar)
	}
	return out, nil
}

// Get returns the content of the file named name.
func (a *Archive) Get(name string) (string, bool) {
	if i := a.index(name); i >= 0 {
		return string(a.Files[i].Data), true
	}
	return "", false
}

func (a *Archive) index(name string) int {
	for i, f := range a.Files {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// Check compares got with the i-th file of the archive; with -update it
// stores got there instead. A txtar file ends with a newline, so one is
// added to a non-empty got that lacks it.
func (a *Archive) Check(t testing.TB, i int, got string) {
	t.Helper()
	got = withNewline(got)
	f := &a.Files[i]
	if got == string(f.Data) {
		return
	}
	if *update {
		f.Data = []byte(got)
		a.changed = true
		return
	}
	t.Errorf("%s: %q differs from the expected output (go test -update rewrites it; read the diff):\n--- got\n%s--- want\n%s", a.Path, f.Name, got, f.Data)
}

// CheckFile is Check on the file named name; with -update a missing file
// is added at the end.
func (a *Archive) CheckFile(t testing.TB, name, got string) {
	t.Helper()
	i := a.index(name)
	if i < 0 {
		if !*update {
			t.Errorf("%s: no file %q (go test -update adds it)", a.Path, name)
			return
		}
		a.Files = append(a.Files, txtar.File{Name: name})
		i = len(a.Files) - 1
	}
	a.Check(t, i, got)
}

// CheckAll compares the archive's files, from index first on, with got,
// in order; with -update it replaces them by got. It is for outputs whose
// set of files may change (a report directory).
func (a *Archive) CheckAll(t testing.TB, first int, got []txtar.File) {
	t.Helper()
	for i := range got {
		got[i].Data = []byte(withNewline(string(got[i].Data)))
	}
	want := a.Files[first:]
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		same = got[i].Name == want[i].Name && bytes.Equal(got[i].Data, want[i].Data)
	}
	if same {
		return
	}
	if *update {
		a.Files = append(a.Files[:first:first], got...)
		a.changed = true
		return
	}
	var gotNames, wantNames []string
	for _, f := range got {
		gotNames = append(gotNames, f.Name)
	}
	for _, f := range want {
		wantNames = append(wantNames, f.Name)
	}
	if strings.Join(gotNames, " ") != strings.Join(wantNames, " ") {
		t.Errorf("%s: files %v, want %v (go test -update rewrites them; read the diff)", a.Path, gotNames, wantNames)
		return
	}
	for i := range got {
		if !bytes.Equal(got[i].Data, want[i].Data) {
			t.Errorf("%s: %q differs from the expected output (go test -update rewrites it; read the diff):\n--- got\n%s--- want\n%s", a.Path, got[i].Name, got[i].Data, want[i].Data)
		}
	}
}

func withNewline(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}

func (a *Archive) flush() error {
	mu.Lock()
	defer mu.Unlock()
	if !a.changed {
		return nil
	}
	a.changed = false
	return os.WriteFile(a.Path, txtar.Format(a.Archive), 0o644)
}

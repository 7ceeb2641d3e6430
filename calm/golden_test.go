package calm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/internal/golden"
)

// TestExamples: `ldfi calm` on every corpus program (examples/*.ded, new
// ones included) matches calm/testdata/NAME.txtar, which holds the text and
// the JSON output. go test -update writes the archive of a new program;
// read it before committing: each was reviewed by hand.
func TestExamples(t *testing.T) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("..") // positions read examples/NAME.ded, as on the command line
	files, err := filepath.Glob("examples/*.ded")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples (%v)", err)
	}
	want := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".ded")
		want[name+".txtar"] = true
		t.Run(name, func(t *testing.T) {
			prog, err := dedalus.LoadFiles(f)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Analyze(prog, nil)
			if err != nil {
				t.Fatal(err)
			}
			var text, js strings.Builder
			if err := WriteText(&text, rep); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(&js, rep); err != nil {
				t.Fatal(err)
			}
			a := golden.Read(t, filepath.Join(dir, name+".txtar"))
			a.CheckFile(t, "text", text.String())
			a.CheckFile(t, "json", js.String())
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".txtar") && !want[e.Name()] {
			t.Errorf("testdata/%s: no examples program of that name (delete the archive)", e.Name())
		}
	}
}

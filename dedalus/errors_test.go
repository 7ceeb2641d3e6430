package dedalus

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/internal/golden"
)

// formatDiags prints diagnostics one per line, related positions indented.
func formatDiags(list ErrorList) string {
	var b strings.Builder
	for _, e := range list {
		b.WriteString(e.Error())
		b.WriteByte('\n')
		for _, r := range e.Related {
			fmt.Fprintf(&b, "\trelated: %s\n", r)
		}
	}
	return b.String()
}

// TestErrorsGolden loads the malformed program of each archive of
// testdata/errors and compares its diagnostics with the archive's
// "diagnostics" file. Programs whose name starts with "warn" must have
// warnings and no errors; all others must have errors.
func TestErrorsGolden(t *testing.T) {
	if files, _ := filepath.Glob("testdata/errors/*.txtar"); len(files) < 30 {
		t.Fatalf("only %d error programs", len(files))
	}
	golden.Run(t, "testdata/errors/*.txtar", func(t *testing.T, a *golden.Archive) {
		p, list, path := loadArchive(a)
		name := filepath.Base(path)
		warnOnly := strings.HasPrefix(name, "warn") || strings.HasPrefix(name, "post_without")
		switch {
		case warnOnly && (list.HasErrors() || len(list) == 0 || p == nil):
			t.Errorf("want warnings only, got:\n%s", formatDiags(list))
		case !warnOnly && (!list.HasErrors() || p != nil):
			t.Errorf("want errors, got:\n%s", formatDiags(list))
		}
		for _, e := range list {
			if !e.Pos.IsValid() || e.Pos.File == "" {
				t.Errorf("diagnostic without file:line:col: %v", e)
			}
		}
		a.CheckFile(t, "diagnostics", formatDiags(list))
	})
}

func TestErrorListSortedAndDeduplicated(t *testing.T) {
	var d diags
	d.errorf(Pos{File: "b", Line: 1, Col: 1}, "x")
	d.errorf(Pos{File: "a", Line: 2, Col: 1}, "y")
	d.errorf(Pos{File: "a", Line: 1, Col: 5}, "z")
	d.errorf(Pos{File: "a", Line: 2, Col: 1}, "y")
	d.warnf(Pos{File: "a", Line: 1, Col: 5}, "w")
	got := d.result().Error()
	want := "a:1:5: z\na:1:5: warning: w\na:2:1: y\nb:1:1: x"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRunawayErrorsCapped(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "r(x%d)@1;\n", i)
	}
	_, err := LoadSource("many.ded", b.String())
	list, ok := err.(ErrorList)
	if !ok {
		t.Fatalf("want ErrorList, got %v", err)
	}
	if len(list) > maxErrors+1 {
		t.Errorf("%d errors, want at most %d", len(list), maxErrors+1)
	}
	if last := list[len(list)-1]; !strings.Contains(last.Msg, "too many errors") {
		t.Errorf("last error %q does not say there were too many", last)
	}
}

func TestMissingCommandLineFile(t *testing.T) {
	_, err := LoadFiles("testdata/no/such/file.ded")
	if err == nil || !strings.HasPrefix(err.Error(), "testdata/no/such/file.ded:1:1: cannot read") {
		t.Errorf("got %v", err)
	}
}

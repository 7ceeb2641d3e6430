package dedalus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestIncludeResolution(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		// sub/a.ded includes lib.ded, which is not in sub/: Molly's rule
		// falls back to the directory of the first command-line file.
		"main.ded":       `include "sub/a.ded"; include "sub/b.ded"; main("m")@1;`,
		"sub/a.ded":      `include "lib.ded"; include "shared.ded"; a("a")@1;`,
		"sub/b.ded":      `include "shared.ded"; b("b")@1;`,
		"sub/shared.ded": `shared("s")@1;`,
		"lib.ded":        `lib("l")@1;`,
	})
	p, err := LoadFiles(filepath.Join(dir, "main.ded"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range p.Files {
		rel, _ := filepath.Rel(dir, f.Path)
		got = append(got, filepath.ToSlash(rel))
	}
	// Depth first, each file once (shared.ded is included twice).
	want := "main.ded sub/a.ded lib.ded sub/shared.ded sub/b.ded"
	if strings.Join(got, " ") != want {
		t.Errorf("files %v, want %s", got, want)
	}
	var facts []string
	for _, f := range p.Facts {
		facts = append(facts, p.Relations[f.Rel].Name)
	}
	// An included file's clauses take the place of its include.
	if g := strings.Join(facts, " "); g != "lib shared a b main" {
		t.Errorf("fact order %s", g)
	}
}

func TestIncludeCycleNamesChain(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.ded": `include "a.ded"; m("x")@1;`,
		"a.ded":    `include "b.ded";`,
		"b.ded":    "\n  include \"a.ded\";",
	})
	_, err := LoadFiles(filepath.Join(dir, "main.ded"))
	list, ok := err.(ErrorList)
	if !ok || len(list) != 1 {
		t.Fatalf("want one error, got %v", err)
	}
	e := list[0]
	if e.Pos.File != filepath.Join(dir, "b.ded") || e.Pos.Line != 2 || e.Pos.Col != 3 {
		t.Errorf("error at %v", e.Pos)
	}
	if !strings.Contains(e.Msg, "include cycle: ") || !strings.Contains(e.Msg, "a.ded -> "+filepath.Join(dir, "b.ded")+" -> ") {
		t.Errorf("message does not name the chain: %s", e.Msg)
	}
	if len(e.Related) != 2 {
		t.Errorf("related %v, want the two include clauses", e.Related)
	}
}

func TestSeveralFilesOneProgram(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.ded": `r("a", 1)@1;`,
		"b.ded": `s(X, Y) :- r(X, Y);`,
	})
	p, err := LoadFiles(filepath.Join(dir, "a.ded"), filepath.Join(dir, "b.ded"), filepath.Join(dir, "a.ded"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 2 || len(p.Facts) != 1 || len(p.Rules) != 1 {
		t.Errorf("files %d facts %d rules %d", len(p.Files), len(p.Facts), len(p.Rules))
	}
	if p.Relations[p.Rel("s")].Types[1] != TypeInt {
		t.Errorf("types do not flow across files")
	}
}

func TestIncludeNotRegularFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.ded": `include "sub"; r("a")@1;`, "sub/x.ded": ``})
	_, err := LoadFiles(filepath.Join(dir, "main.ded"))
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("got %v", err)
	}
}

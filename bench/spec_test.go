package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
)

func TestParseErrors(t *testing.T) {
	const good = `{"name": "x", "files": ["x.ded"], "eot": 3, "eff": 2, "crashes": 0, "nodes": ["a", "b"], "expect": "certified", "paper": null}`
	tests := []struct {
		name, src, want string
	}{
		{"empty", ``, `b.json:1:1: unexpected end of JSON`},
		{"not an array", `{"name": "x"}`, `b.json:1:1: a bench file is a JSON array of entries`},
		{"no entries", `[]`, `b.json:1:1: no entries`},
		{"syntax", "[\n  {\"name\": \"x\",, }\n]", `b.json:2:16: invalid character ',' looking for beginning of object key string`},
		{"truncated", "[\n" + good, `b.json:2:`},
		{"trailing", "[" + good + "] x", `b.json:1:`},
		{"unknown field", "[\n" + good + ",\n  {\"name\": \"y\", \"colour\": 1}\n]", `b.json:3:3: unknown field "colour"`},
		{"type", "[\n  {\"name\": \"y\", \"eot\": \"3\"}\n]", `b.json:2:`},
		{"missing name", `[{"files": ["x.ded"], "eot": 3, "nodes": ["a"], "expect": "certified"}]`, `b.json:1:2: entry "": missing name`},
		{"no files", `[{"name": "y", "eot": 3, "nodes": ["a"], "expect": "certified"}]`, `b.json:1:2: entry "y": no files`},
		{"bad eot", `[{"name": "y", "files": ["x.ded"], "eot": 0, "nodes": ["a"], "expect": "certified"}]`, `entry "y": EOT must be at least 1, got 0`},
		{"no nodes", `[{"name": "y", "files": ["x.ded"], "eot": 3, "expect": "certified"}]`, `entry "y": the node set is empty`},
		{"bad expect", `[{"name": "y", "files": ["x.ded"], "eot": 3, "nodes": ["a"], "expect": "ok"}]`, `entry "y": expect must be "counterexample" or "certified", got "ok"`},
		{"paper without molly", `[{"name": "y", "files": ["x.ded"], "eot": 3, "nodes": ["a"], "expect": "certified", "paper": {"figure": "13"}}]`, `entry "y": paper: missing molly`},
		{"bad witness", `[{"name": "y", "files": ["x.ded"], "eot": 3, "nodes": ["a","b"], "expect": "counterexample", "witness": {"omit": ["a,b"]}}]`, `entry "y": witness: bad fault syntax`},
		{"duplicate", "[\n" + good + ",\n" + good + "\n]", `b.json:3:1: entry "x": name already used at b.json:2:1`},
		{"bad name", `[{"name": "a b", "files": ["x.ded"], "eot": 3, "nodes": ["a"], "expect": "certified"}]`, `entry "a b": a name must not contain`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("b.json", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "b.json:") {
				t.Errorf("error %q has no position", err)
			}
		})
	}
}

func TestParseGood(t *testing.T) {
	src := `[
  {"name": "x", "files": ["x.ded"], "eot": 3, "eff": 2, "crashes": 1, "nodes": ["a", "b"], "expect": "counterexample",
   "paper": {"figure": "12", "molly": 2, "random": 4.08}, "witness": {"omit": ["a,b,1"], "crash": ["a,2"]}},
  {"name": "y", "files": ["y.ded", "z.ded"], "eot": 4, "eff": 0, "crashes": 0, "nodes": ["a"], "expect": "certified", "paper": null}
]`
	es, err := Parse("b.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 {
		t.Fatalf("%d entries, want 2", len(es))
	}
	x, y := es[0], es[1]
	if x.Pos != "b.json:2:3" || y.Pos != "b.json:4:3" {
		t.Errorf("positions %s, %s", x.Pos, y.Pos)
	}
	if x.Paper == nil || *x.Paper.Molly != 2 || *x.Paper.Random != 4.08 || x.Paper.Figure != "12" {
		t.Errorf("paper %+v", x.Paper)
	}
	if p := x.Params(); p.EOT != 3 || p.EFF != 2 || p.MaxCrashes != 1 || len(p.Nodes) != 2 {
		t.Errorf("params %+v", p)
	}
	if y.Paper != nil || len(y.Files) != 2 {
		t.Errorf("y = %+v", y)
	}
}

// TestReadFileResolves: relative files are found from the current
// directory first, then from the bench file's directory.
func TestReadFileResolves(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join(sub, "p.ded"), filepath.Join(dir, "q.ded")} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bf := filepath.Join(sub, "b.json")
	src := `[{"name": "x", "files": ["p.ded", "q.ded"], "eot": 3, "nodes": ["a"], "expect": "certified"}]`
	if err := os.WriteFile(bf, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	es, err := ReadFile(bf)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(sub, "p.ded"), "q.ded"}
	if got := es[0].Files; got[0] != want[0] || got[1] != want[1] {
		t.Errorf("files %q, want %q", got, want)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("no error for a missing bench file")
	}
}

// TestCorpusBenchFile: the corpus's bench file parses and every program
// in it loads, so `ldfi bench` starts (its rows are measured elsewhere).
func TestCorpusBenchFile(t *testing.T) {
	t.Chdir("..")
	entries, err := ReadFile("examples/bench.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, err := dedalus.LoadFiles(e.Files...); err != nil {
			t.Errorf("%s: entry %q: %v", e.Pos, e.Name, err)
		}
	}
}

package dedalus

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ldfi/ldfi/internal/golden"
)

// loadArchive loads the program of a test archive: its .ded files stand
// for files of the archive's directory (so diagnostics name
// testdata/<dir>/<file>), the first one is the command-line file and the
// others are found by its includes. It returns the program, every
// diagnostic and the path of the command-line file.
func loadArchive(a *golden.Archive) (*Program, ErrorList, string) {
	dir := filepath.Dir(a.Path)
	files := map[string]string{}
	first := ""
	for _, f := range a.Files {
		if strings.HasSuffix(f.Name, ".ded") {
			path := filepath.Join(dir, f.Name)
			files[path] = string(f.Data)
			if first == "" {
				first = path
			}
		}
	}
	read := func(path string) (string, error) {
		if src, ok := files[filepath.Clean(path)]; ok {
			return src, nil
		}
		return "", &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	p, list := load(read, func(l *loader) { l.loadPath(first) })
	return p, list, first
}

// extractArchive writes the .ded files of the archive at path into a
// temporary directory and returns the path of the first one there.
func extractArchive(t *testing.T, path string) string {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir, first := t.TempDir(), ""
	for _, f := range ar.Files {
		if !strings.HasSuffix(f.Name, ".ded") {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if first == "" {
			first = p
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return first
}

// dumpProgram prints every field of a Program in a stable text form.
func dumpProgram(p *Program) string {
	var b strings.Builder
	fmt.Fprintf(&b, "strata %d pre %d post %d crash %d\n", p.NumStrata, p.Pre, p.Post, p.Crash)
	for _, f := range p.Files {
		fmt.Fprintf(&b, "file %s sha256:%s...\n", filepath.ToSlash(f.Path), f.SHA256[:12])
	}
	for i, r := range p.Relations {
		fmt.Fprintf(&b, "rel %d %s/%d %v stratum %d builtin %v pos %s\n", i, r.Name, r.Arity, r.Types, r.Stratum, r.Builtin, r.Pos)
	}
	for _, f := range p.Facts {
		fmt.Fprintf(&b, "fact %s %v @%d %s\n", p.Relations[f.Rel].Name, f.Args, f.Time, f.Pos)
	}
	for _, r := range p.Rules {
		fmt.Fprintf(&b, "rule %d %s %s stratum %d agg %v node var %d const %v pos %s\n", r.Index, r.Kind, p.Relations[r.Head].Name, r.Stratum, r.HasAgg, r.NodeVar, r.NodeConst, r.Pos)
		fmt.Fprintf(&b, "  text %s\n  vars %v\n", r.Text, r.VarNames)
		for _, a := range r.Args {
			if a.Agg != AggNone {
				fmt.Fprintf(&b, "  head %s<%d>\n", a.Agg, a.Var)
			} else {
				fmt.Fprintf(&b, "  head %s\n", dumpExpr(a.Expr))
			}
		}
		for _, a := range r.Body {
			fmt.Fprintf(&b, "  body neg=%v %s@%d %s:", a.Negated, p.Relations[a.Rel].Name, a.AtTime, a.Pos)
			for _, t := range a.Args {
				switch {
				case t.IsConst:
					fmt.Fprintf(&b, " const%v", t.Const)
				case t.IsWildcard():
					b.WriteString(" _")
				default:
					fmt.Fprintf(&b, " v%d", t.Var)
				}
			}
			b.WriteByte('\n')
		}
		for _, c := range r.Cmps {
			fmt.Fprintf(&b, "  cmp %s %s %s %s\n", dumpExpr(c.L), c.Op, dumpExpr(c.R), c.Pos)
		}
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "%s\n", w)
	}
	return b.String()
}

func dumpExpr(e *Expr) string {
	switch e.Op {
	case ExprVar:
		return fmt.Sprintf("v%d:%s", e.Var, e.Type)
	case ExprConst:
		return fmt.Sprintf("%v:%s", e.Const, e.Type)
	}
	return fmt.Sprintf("(%s %s %s):%s", dumpExpr(e.L), e.Op, dumpExpr(e.R), e.Type)
}

// TestLowerGolden lowers the program of each archive of testdata/lower and
// compares every field of the result with the archive's "program" file.
func TestLowerGolden(t *testing.T) {
	golden.Run(t, "testdata/lower/*.txtar", func(t *testing.T, a *golden.Archive) {
		p, list, _ := loadArchive(a)
		if list.HasErrors() {
			t.Fatalf("unexpected errors:\n%v", list)
		}
		a.CheckFile(t, "program", dumpProgram(p))
	})
}

func TestLoadSourceIncludes(t *testing.T) {
	path := extractArchive(t, "testdata/lower/features.txtar")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadSource(path, string(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 2 || p.Rel("tick") == NoRel {
		t.Errorf("include not loaded: %d files", len(p.Files))
	}
	q, err := LoadFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := dumpProgram(p), dumpProgram(q); a != b {
		t.Errorf("LoadSource and LoadFiles differ:\n%s\n%s", a, b)
	}
}

func TestCrashAlwaysPresent(t *testing.T) {
	p, err := LoadSource("x.ded", `r("a", 1)@1;`)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Rel("crash")
	if c == NoRel || p.Crash != c || !p.Relations[c].Builtin {
		t.Fatalf("crash missing: %+v", p.Relations)
	}
	want := []Type{TypeString, TypeString, TypeInt}
	if fmt.Sprint(p.Relations[c].Types) != fmt.Sprint(want) {
		t.Errorf("crash types %v, want %v", p.Relations[c].Types, want)
	}
	if p.Pre != NoRel || p.Post != NoRel {
		t.Errorf("pre/post should be absent")
	}
}

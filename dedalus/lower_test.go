package dedalus

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
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

func TestLowerGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/lower/*.ded")
	if len(files) == 0 {
		t.Fatal("no test programs")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			p, err := LoadFiles(path)
			if err != nil {
				t.Fatalf("unexpected errors:\n%v", err)
			}
			golden(t, strings.TrimSuffix(path, ".ded")+".golden", dumpProgram(p))
		})
	}
}

func TestLoadSourceIncludes(t *testing.T) {
	src, err := os.ReadFile("testdata/lower/features.ded")
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadSource("testdata/lower/features.ded", string(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 2 || p.Rel("tick") == NoRel {
		t.Errorf("include not loaded: %d files", len(p.Files))
	}
	q, err := LoadFiles("testdata/lower/features.ded")
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

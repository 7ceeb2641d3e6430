package dedalus

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/internal/golden"
)

// walk calls fn for every node under n.
func walk(n Node, fn func(Node)) {
	fn(n)
	switch x := n.(type) {
	case *File:
		for _, c := range x.Clauses {
			walk(c, fn)
		}
	case *FactClause:
		walk(x.Atom, fn)
	case *RuleClause:
		walk(x.Head, fn)
		for _, l := range x.Body {
			walk(l, fn)
		}
	case *Atom:
		for _, a := range x.Args {
			walk(a, fn)
		}
	case *AtomLit:
		walk(x.Atom, fn)
	case *CmpLit:
		walk(x.L, fn)
		walk(x.R, fn)
	case *BinaryExpr:
		walk(x.X, fn)
		walk(x.Y, fn)
	case *ParenExpr:
		walk(x.X, fn)
	case *AggExpr:
		walk(x.Var, fn)
	}
}

// TestPositions checks that every node's position points at its first
// token in the source.
func TestPositions(t *testing.T) {
	golden.Run(t, "testdata/lower/*.txtar", func(t *testing.T, a *golden.Archive) {
		path := filepath.Join(filepath.Dir(a.Path), a.Files[0].Name)
		src := a.Files[0].Data
		lines := strings.Split(string(src), "\n")
		f, err := ParseFile(path, string(src))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		walk(f, func(node Node) {
			if _, ok := node.(*File); ok {
				return
			}
			n++
			p := node.Pos()
			if !p.IsValid() || p.File != path {
				t.Errorf("%T %s: bad position %v", node, node, p)
				return
			}
			at := lines[p.Line-1][p.Col-1:]
			var want string
			switch x := node.(type) {
			case *AtomLit:
				want = cond(x.Negated, "notin", x.Atom.Name)
			case *IncludeClause:
				want = "include"
			case *ParenExpr:
				want = "("
			default:
				want = strings.SplitN(node.String(), "(", 2)[0]
				want = strings.SplitN(want, " ", 2)[0]
			}
			if !strings.HasPrefix(at, want) {
				t.Errorf("%T %s at %v: source there is %q, want prefix %q", node, node, p, at, want)
			}
		})
		if n < 20 {
			t.Errorf("%s: only %d nodes", path, n)
		}
	})
}

func TestParseErrorsRecoverAtSemicolon(t *testing.T) {
	f, err := ParseFile("x.ded", `r("a")@1; s(X :- t(X); u("b")@1; v(X) :- ; w("c")@2;`)
	list, ok := err.(ErrorList)
	if !ok || len(list) != 2 {
		t.Fatalf("want 2 errors, got %v", err)
	}
	var names []string
	for _, c := range f.Clauses {
		names = append(names, c.(*FactClause).Atom.Name)
	}
	if got := strings.Join(names, " "); got != "r u w" {
		t.Errorf("clauses kept: %s, want r u w", got)
	}
}

func TestScannerTokens(t *testing.T) {
	var d diags
	s := newScanner("x", "include notin :- ; , ( ) @next @async @ == != < <= > >= + - * / % name Var _ \"s\" 42 // c\n/* b */", &d)
	var got []string
	for {
		tok, _, _ := s.next()
		if tok == tEOF {
			break
		}
		got = append(got, tok.String())
	}
	want := "include notin :- ; , ( ) @next @async @ == != < <= > >= + - * / % name variable _ string integer comment comment"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	if len(d.list) != 0 {
		t.Errorf("errors: %v", d.list)
	}
}

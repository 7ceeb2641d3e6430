package dedalus

import (
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// Generators of ASTs in the image of the parser (parentheses where
// precedence needs them, normalised comments), for the round-trip
// property parse(print(ast)) == ast.

func genName() *rapid.Generator[string] {
	return rapid.StringMatching(`[a-z][a-z0-9_]{0,5}`).Filter(func(s string) bool {
		return s != "include" && s != "notin"
	})
}

func genVarName() *rapid.Generator[string] { return rapid.StringMatching(`[A-Z][A-Za-z0-9_]{0,4}`) }

func genStringValue() *rapid.Generator[string] {
	return rapid.StringMatching(`[ !#-~é→]{0,8}`)
}

func genInt(t *rapid.T, label string) int64 {
	return rapid.OneOf(rapid.Int64Range(0, 100), rapid.Int64Range(0, math.MaxInt64)).Draw(t, label)
}

func genTerm(t *rapid.T) ExprNode {
	switch rapid.IntRange(0, 3).Draw(t, "term") {
	case 0:
		return &VarExpr{Name: genVarName().Draw(t, "var")}
	case 1:
		return &WildExpr{}
	case 2:
		return &StringLit{Value: genStringValue().Draw(t, "str")}
	}
	return &IntLit{Value: genInt(t, "int")}
}

func exprPrecOf(e ExprNode) int {
	if b, ok := e.(*BinaryExpr); ok {
		return exprPrec(b.Op)
	}
	return 3
}

func genExpr(t *rapid.T, depth int) ExprNode {
	if depth <= 0 || rapid.IntRange(0, 2).Draw(t, "leaf") > 0 {
		e := genTerm(t)
		if _, wild := e.(*WildExpr); wild {
			e = &VarExpr{Name: genVarName().Draw(t, "var")}
		}
		return e
	}
	if rapid.IntRange(0, 4).Draw(t, "paren") == 0 {
		return &ParenExpr{X: genExpr(t, depth-1)}
	}
	op := ExprOp(rapid.IntRange(int(ExprAdd), int(ExprMod)).Draw(t, "op"))
	x, y := genExpr(t, depth-1), genExpr(t, depth-1)
	if exprPrecOf(x) < exprPrec(op) {
		x = &ParenExpr{X: x}
	}
	if exprPrecOf(y) <= exprPrec(op) {
		y = &ParenExpr{X: y}
	}
	return &BinaryExpr{Op: op, X: x, Y: y}
}

func genAtom(t *rapid.T, arg func(*rapid.T) ExprNode) *Atom {
	a := &Atom{Name: genName().Draw(t, "rel")}
	n := rapid.IntRange(0, 4).Draw(t, "arity")
	for i := 0; i < n; i++ {
		a.Args = append(a.Args, arg(t))
	}
	return a
}

func genTime(t *rapid.T) int64 {
	return rapid.OneOf(rapid.Int64Range(1, 10), rapid.Int64Range(1, math.MaxInt64)).Draw(t, "time")
}

func genComment(t *rapid.T) string {
	if rapid.Bool().Draw(t, "line") {
		return "//" + rapid.StringMatching(`[ -~é]{0,10}`).Draw(t, "text")
	}
	return "/*" + rapid.StringMatching(`[ -)+-~]{0,10}`).Draw(t, "text") + "*/"
}

// genComments draws a normalised comment list: no two blanks in a row, no
// leading blank when first is set.
func genComments(t *rapid.T, first, trailingBlankOK bool) []string {
	var cs []string
	n := rapid.IntRange(0, 3).Draw(t, "ncomments")
	for i := 0; i < n; i++ {
		if (len(cs) > 0 || !first) && (len(cs) == 0 || cs[len(cs)-1] != "") && rapid.Bool().Draw(t, "blank") {
			cs = append(cs, "")
		}
		cs = append(cs, genComment(t))
	}
	if trailingBlankOK && (len(cs) > 0 || !first) && rapid.Bool().Draw(t, "blank") {
		cs = append(cs, "")
	}
	return cs
}

func genClause(t *rapid.T, first bool) Clause {
	var c Clause
	switch rapid.IntRange(0, 4).Draw(t, "clause") {
	case 0:
		c = &IncludeClause{Path: rapid.StringMatching(`[a-z/._é]{1,10}`).Draw(t, "path")}
	case 1:
		c = &FactClause{Atom: genAtom(t, func(t *rapid.T) ExprNode {
			if rapid.Bool().Draw(t, "strcol") {
				return &StringLit{Value: genStringValue().Draw(t, "str")}
			}
			return &IntLit{Value: genInt(t, "int")}
		}), Time: genTime(t)}
	default:
		r := &RuleClause{Kind: RuleKind(rapid.IntRange(0, 2).Draw(t, "kind"))}
		r.Head = genAtom(t, func(t *rapid.T) ExprNode {
			if rapid.IntRange(0, 4).Draw(t, "agg") == 0 {
				var v ExprNode = &VarExpr{Name: genVarName().Draw(t, "var")}
				if rapid.IntRange(0, 5).Draw(t, "aggwild") == 0 {
					v = &WildExpr{}
				}
				return &AggExpr{Func: genName().Draw(t, "fn"), Var: v}
			}
			return genExpr(t, 3)
		})
		n := rapid.IntRange(1, 4).Draw(t, "nbody")
		for i := 0; i < n; i++ {
			if rapid.IntRange(0, 3).Draw(t, "cmp") == 0 {
				r.Body = append(r.Body, &CmpLit{Op: CmpOp(rapid.IntRange(0, 5).Draw(t, "cmpop")), L: genExpr(t, 2), R: genExpr(t, 2)})
				continue
			}
			l := &AtomLit{Negated: rapid.Bool().Draw(t, "neg"), Atom: genAtom(t, genTerm)}
			if rapid.Bool().Draw(t, "attime") {
				l.Time = genTime(t)
			}
			r.Body = append(r.Body, l)
		}
		c = r
	}
	cm := c.comments()
	cm.Doc = genComments(t, first, true)
	if rapid.IntRange(0, 3).Draw(t, "linecomment") == 0 {
		cm.Line = genComment(t)
	}
	return c
}

func genFile(t *rapid.T) *File {
	f := &File{Name: "gen.ded"}
	n := rapid.IntRange(0, 6).Draw(t, "nclauses")
	for i := 0; i < n; i++ {
		f.Clauses = append(f.Clauses, genClause(t, i == 0))
	}
	f.Comments = genComments(t, n == 0, false)
	for len(f.Comments) > 0 && f.Comments[len(f.Comments)-1] == "" {
		f.Comments = f.Comments[:len(f.Comments)-1]
	}
	return f
}

// normalise gives empty comment lists the parser's representation (nil).
func normalise(f *File) *File {
	g := stripPos(f)
	if len(g.Comments) == 0 {
		g.Comments = nil
	}
	for _, c := range g.Clauses {
		if cm := c.comments(); len(cm.Doc) == 0 {
			cm.Doc = nil
		}
	}
	return g
}

func TestRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := genFile(t)
		src := f.String()
		g, err := ParseFile("gen.ded", src)
		if err != nil {
			t.Fatalf("printed AST does not parse: %v\n%s", err, src)
		}
		if a, b := normalise(f), normalise(g); !equalASTs(a, b) {
			t.Fatalf("parse(print(ast)) != ast\nprinted:\n%s\nreprinted:\n%s", src, g.String())
		}
		if again := g.String(); again != src {
			t.Fatalf("printing is not a fixed point:\n%s\n---\n%s", src, again)
		}
	})
}

func TestPrintExamples(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`r( "a",1 )@1;`, `r("a", 1)@1;` + "\n"},
		{`h(X,Y+1*2)@next:-b(X,Y),notin c(X)@3,X!=Y;`, `h(X, Y + 1 * 2)@next :- b(X, Y), notin c(X)@3, X != Y;` + "\n"},
		{`h(X,(Y+1)*2,count<Z>):-b(X,Y,Z),Y>=0,Z<=(1);`, `h(X, (Y + 1) * 2, count<Z>) :- b(X, Y, Z), Y >= 0, Z <= (1);` + "\n"},
		{"include \"x.ded\" ;\n\n\n// c\nr(\"a\")@1;//t\n", "include \"x.ded\";\n\n// c\nr(\"a\")@1; //t\n"},
	} {
		f, err := ParseFile("x.ded", tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if got := f.String(); got != tc.want {
			t.Errorf("%q printed as\n%s\nwant\n%s", tc.in, got, tc.want)
		}
	}
}

func TestNodeStringIsSource(t *testing.T) {
	f, err := ParseFile("x.ded", `h(X, count<Y>)@async :- b(X, Y), notin c(_, "s", 2)@1, (X + 1) % 3 < 2;`)
	if err != nil {
		t.Fatal(err)
	}
	r := f.Clauses[0].(*RuleClause)
	for _, n := range []Node{r.Head, r.Body[0], r.Body[1], r.Body[2], r.Head.Args[1]} {
		if strings.ContainsAny(n.String(), "\n") || n.String() == "" {
			t.Errorf("bad String for %T: %q", n, n.String())
		}
	}
	if got := r.Body[2].String(); got != "(X + 1) % 3 < 2" {
		t.Errorf("got %q", got)
	}
	if got := r.Body[1].String(); got != `notin c(_, "s", 2)@1` {
		t.Errorf("got %q", got)
	}
}

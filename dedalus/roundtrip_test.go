package dedalus

import (
	"reflect"
)

// equalASTs compares two files ignoring positions.
func equalASTs(a, b *File) bool {
	return reflect.DeepEqual(stripPos(a), stripPos(b))
}

// stripPos returns a copy of f with every position zeroed.
func stripPos(f *File) *File {
	g := &File{Name: f.Name, Comments: f.Comments}
	for _, c := range f.Clauses {
		switch x := c.(type) {
		case *IncludeClause:
			y := *x
			y.IncludePos, y.PathPos = NoPos, NoPos
			g.Clauses = append(g.Clauses, &y)
		case *FactClause:
			y := *x
			y.Atom, y.TimePos = stripAtom(x.Atom), NoPos
			g.Clauses = append(g.Clauses, &y)
		case *RuleClause:
			y := *x
			y.Head, y.KindPos, y.Body = stripAtom(x.Head), NoPos, nil
			for _, l := range x.Body {
				switch l := l.(type) {
				case *AtomLit:
					m := *l
					m.NotinPos, m.TimePos, m.Atom = NoPos, NoPos, stripAtom(l.Atom)
					y.Body = append(y.Body, &m)
				case *CmpLit:
					y.Body = append(y.Body, &CmpLit{Op: l.Op, L: stripExpr(l.L), R: stripExpr(l.R)})
				}
			}
			g.Clauses = append(g.Clauses, &y)
		}
	}
	return g
}

func stripAtom(a *Atom) *Atom {
	b := &Atom{Name: a.Name}
	for _, e := range a.Args {
		b.Args = append(b.Args, stripExpr(e))
	}
	return b
}

func stripExpr(e ExprNode) ExprNode {
	switch x := e.(type) {
	case *VarExpr:
		return &VarExpr{Name: x.Name}
	case *WildExpr:
		return &WildExpr{}
	case *StringLit:
		return &StringLit{Value: x.Value}
	case *IntLit:
		return &IntLit{Value: x.Value}
	case *BinaryExpr:
		return &BinaryExpr{Op: x.Op, X: stripExpr(x.X), Y: stripExpr(x.Y)}
	case *ParenExpr:
		return &ParenExpr{X: stripExpr(x.X)}
	case *AggExpr:
		return &AggExpr{Func: x.Func, Var: stripExpr(x.Var)}
	case *BadExpr:
		return &BadExpr{Text: x.Text}
	}
	return e
}

package dedalus

// Lowering: the checked AST becomes a Program (program.go). It runs only
// when the checks found no error, so it may assume a well-formed program.

func (c *checker) lower(files []SourceFile) *Program {
	strata := c.strata
	p := &Program{Files: files, Pre: NoRel, Post: NoRel, Crash: NoRel}
	ids := map[string]RelID{}
	for _, r := range c.sortedRels() {
		rel := Relation{Name: r.name, Arity: r.arity, Pos: r.pos, Builtin: r.builtin, Stratum: strata[r.name]}
		for _, s := range r.slots {
			rel.Types = append(rel.Types, c.typeOf(s))
		}
		ids[r.name] = RelID(len(p.Relations))
		p.Relations = append(p.Relations, rel)
		p.NumStrata = max(p.NumStrata, rel.Stratum+1)
	}
	p.Pre, p.Post, p.Crash = p.Rel("pre"), p.Rel("post"), p.Rel("crash")
	for _, f := range c.facts {
		fact := Fact{Rel: ids[f.Atom.Name], Time: int(f.Time), Pos: f.Atom.NamePos}
		for _, a := range f.Atom.Args {
			fact.Args = append(fact.Args, constValue(a))
		}
		p.Facts = append(p.Facts, fact)
	}
	for _, ri := range c.rules {
		r := c.lowerRule(ri, ids, strata)
		r.Index = len(p.Rules)
		p.Rules = append(p.Rules, r)
		p.NumStrata = max(p.NumStrata, r.Stratum+1)
	}
	if p.NumStrata == 0 {
		p.NumStrata = 1
	}
	return p
}

func constValue(e ExprNode) Value {
	switch x := e.(type) {
	case *StringLit:
		return Value{Type: TypeString, Str: x.Value}
	case *IntLit:
		return Value{Type: TypeInt, Int: x.Value}
	}
	return Value{}
}

type ruleLowerer struct {
	c  *checker
	ri *ruleInfo
	r  *Rule
}

// varIndex numbers variables in order of first appearance (rules have few
// variables: a linear search beats a map).
func (l *ruleLowerer) varIndex(name string) int {
	for i, n := range l.r.VarNames {
		if n == name {
			return i
		}
	}
	l.r.VarNames = append(l.r.VarNames, name)
	return len(l.r.VarNames) - 1
}

func (c *checker) lowerRule(ri *ruleInfo, ids map[string]RelID, strata map[string]int) Rule {
	ast := ri.ast
	r := Rule{Kind: ast.Kind, Head: ids[ast.Head.Name], Pos: ast.Head.NamePos, Text: ast.String(), NodeVar: -1}
	l := &ruleLowerer{c: c, ri: ri, r: &r}
	r.VarNames = make([]string, 0, len(ri.vars)+1)

	// Body atoms: positive first, then negated, each in source order.
	atoms := make([]*AtomLit, 0, len(ast.Body))
	for _, neg := range []bool{false, true} {
		for _, lit := range ast.Body {
			if a, ok := lit.(*AtomLit); ok && a.Negated == neg {
				atoms = append(atoms, a)
			}
		}
	}
	r.Body = make([]BodyAtom, 0, len(atoms))
	for i, a := range atoms {
		ba := BodyAtom{Rel: ids[a.Atom.Name], Negated: a.Negated, AtTime: int(a.Time), Pos: a.Pos(), Args: make([]Term, 0, len(a.Atom.Args))}
		for j, arg := range a.Atom.Args {
			t := Term{Var: -1}
			switch x := arg.(type) {
			case *VarExpr:
				t.Var = l.varIndex(x.Name)
			case *WildExpr:
				if i == 0 && j == 0 {
					// The rule's node must be a variable: name the
					// wildcard (no user variable starts with _).
					t.Var = l.varIndex("_node")
				}
			default:
				t.IsConst, t.Const = true, constValue(arg)
			}
			ba.Args = append(ba.Args, t)
		}
		if i == 0 && len(ba.Args) > 0 {
			if t := ba.Args[0]; t.IsConst {
				r.NodeConst = t.Const
			} else {
				r.NodeVar = t.Var
			}
		}
		r.Body = append(r.Body, ba)
	}
	for _, lit := range ast.Body {
		if x, ok := lit.(*CmpLit); ok {
			r.Cmps = append(r.Cmps, Comparison{Op: x.Op, L: l.expr(x.L), R: l.expr(x.R), Pos: x.Pos()})
		}
	}
	r.Args = make([]HeadArg, 0, len(ast.Head.Args))
	for _, arg := range ast.Head.Args {
		if a, ok := arg.(*AggExpr); ok {
			r.HasAgg = true
			r.Args = append(r.Args, HeadArg{Agg: aggFunc(a.Func), Var: l.varIndex(a.Var.(*VarExpr).Name)})
			continue
		}
		r.Args = append(r.Args, HeadArg{Expr: l.expr(arg)})
	}
	if r.Kind == Deductive {
		r.Stratum = strata[ast.Head.Name]
	} else {
		for _, a := range atoms {
			r.Stratum = max(r.Stratum, strata[a.Atom.Name])
		}
	}
	return r
}

func (l *ruleLowerer) expr(e ExprNode) *Expr {
	switch x := e.(type) {
	case *VarExpr:
		return &Expr{Op: ExprVar, Var: l.varIndex(x.Name), Type: l.c.typeOf(l.ri.vars[x.Name])}
	case *StringLit, *IntLit:
		v := constValue(x)
		return &Expr{Op: ExprConst, Var: -1, Const: v, Type: v.Type}
	case *ParenExpr:
		return l.expr(x.X)
	case *BinaryExpr:
		return &Expr{Op: x.Op, Var: -1, L: l.expr(x.X), R: l.expr(x.Y), Type: TypeInt}
	}
	return &Expr{Op: ExprConst, Var: -1}
}

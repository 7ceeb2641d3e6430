package dedalus

import "strings"

// Lowering: the checked AST becomes a Program (program.go). It runs only
// when the checks found no error, so it may assume a well-formed program.

func (c *checker) lower(files []SourceFile) *Program {
	p := &Program{Files: files, Pre: NoRel, Post: NoRel, Crash: NoRel}
	lw := &lowerer{c: c}
	lw.reserve()
	p.Relations = make([]Relation, 0, len(c.sorted))
	for _, r := range c.sorted {
		rel := Relation{Name: r.name, Arity: r.arity, Pos: r.pos, Builtin: r.builtin, Stratum: r.stratum}
		if len(r.slots) > 0 {
			rel.Types = lw.types.take(len(r.slots))
			for i, s := range r.slots {
				rel.Types[i] = c.typeOf(s)
			}
		}
		p.Relations = append(p.Relations, rel)
		p.NumStrata = max(p.NumStrata, rel.Stratum+1)
	}
	p.Pre, p.Post, p.Crash = p.Rel("pre"), p.Rel("post"), p.Rel("crash")
	if len(c.facts) > 0 {
		p.Facts = make([]Fact, 0, len(c.facts))
	}
	for _, f := range c.facts {
		fact := Fact{Rel: c.relID(f.Atom.Name), Time: int(f.Time), Pos: f.Atom.NamePos}
		if len(f.Atom.Args) > 0 {
			fact.Args = lw.values.take(len(f.Atom.Args))
			for i, a := range f.Atom.Args {
				fact.Args[i] = constValue(a)
			}
		}
		p.Facts = append(p.Facts, fact)
	}

	// Rule.Text: print every rule into one buffer and cut the texts out of
	// it, instead of building one string per rule.
	var text strings.Builder
	if len(c.rules) > 0 {
		// Canonical text is about as long as the source it comes from;
		// the cap keeps a file of many facts and few rules from reserving
		// its whole size (the builder grows if the guess is short).
		size := 0
		for _, f := range files {
			size += len(f.Text)
		}
		text.Grow(min(size, 256*len(c.rules)))
	}
	ends := make([]int, len(c.rules))
	for i, ri := range c.rules {
		writeNode(&text, ri.ast)
		ends[i] = text.Len()
	}
	texts := text.String()

	if len(c.rules) > 0 {
		p.Rules = make([]Rule, 0, len(c.rules))
	}
	start := 0
	for i, ri := range c.rules {
		r := lw.lowerRule(ri, texts[start:ends[i]])
		start = ends[i]
		r.Index = len(p.Rules)
		p.Rules = append(p.Rules, r)
		p.NumStrata = max(p.NumStrata, r.Stratum+1)
	}
	if p.NumStrata == 0 {
		p.NumStrata = 1
	}
	return p
}

// reserve sizes the slabs exactly, so that lowering allocates each kind
// of value once and wastes nothing.
func (lw *lowerer) reserve() {
	c := lw.c
	types, values := 0, 0
	for _, r := range c.sorted {
		types += len(r.slots)
	}
	for _, f := range c.facts {
		values += len(f.Atom.Args)
	}
	var terms, bodies, cmps, headArgs, exprs, varNames int
	for _, ri := range c.rules {
		for _, lit := range ri.ast.Body {
			switch x := lit.(type) {
			case *AtomLit:
				bodies++
				terms += len(x.Atom.Args)
			case *CmpLit:
				cmps++
				exprs += exprCount(x.L) + exprCount(x.R)
			}
		}
		headArgs += len(ri.ast.Head.Args)
		for _, a := range ri.ast.Head.Args {
			if _, ok := a.(*AggExpr); !ok {
				exprs += exprCount(a)
			}
		}
		varNames += len(ri.vars.names) + 1
	}
	lw.types.reserve(types)
	lw.values.reserve(values)
	lw.terms.reserve(terms)
	lw.bodies.reserve(bodies)
	lw.cmps.reserve(cmps)
	lw.headArgs.reserve(headArgs)
	lw.exprs.reserve(exprs)
	lw.varNames.reserve(varNames)
}

// exprCount is the number of Expr nodes lowering makes for e.
func exprCount(e ExprNode) int {
	switch x := e.(type) {
	case *ParenExpr:
		return exprCount(x.X)
	case *BinaryExpr:
		return 1 + exprCount(x.X) + exprCount(x.Y)
	}
	return 1
}

// relID returns the RelID of a relation of the checked program.
func (c *checker) relID(name string) RelID {
	if r := c.rels[name]; r != nil {
		return RelID(r.id)
	}
	return 0
}

// bodyAtom is a body atom with its relation.
type bodyAtom struct {
	lit *AtomLit
	rel *relInfo
}

// lowerer holds the slabs (alloc.go) that the Program's small slices and
// expression nodes come from.
type lowerer struct {
	c        *checker
	types    slab[Type]
	values   slab[Value]
	terms    slab[Term]
	bodies   slab[BodyAtom]
	cmps     slab[Comparison]
	headArgs slab[HeadArg]
	exprs    slab[Expr]
	varNames slab[string]
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
	*lowerer
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

func (lw *lowerer) lowerRule(ri *ruleInfo, text string) Rule {
	ast := ri.ast
	r := Rule{Kind: ast.Kind, Head: RelID(ri.head.id), Pos: ast.Head.NamePos, Text: text, NodeVar: -1}
	l := &ruleLowerer{lowerer: lw, ri: ri, r: &r}
	// Every variable of the rule is in ri.vars, plus maybe "_node": the
	// appends of varIndex stay within this capacity.
	r.VarNames = lw.varNames.takeCap(len(ri.vars.names) + 1)

	// The phases run in this order because varIndex numbers the variables
	// in order of first appearance: body atoms, comparisons, head.
	atoms, ncmps := lw.orderBody(ri)
	l.lowerBodyAtoms(atoms)
	l.lowerCmps(ncmps)
	l.lowerHead()
	if r.Kind == Deductive {
		r.Stratum = ri.head.stratum
	} else {
		for _, a := range atoms {
			r.Stratum = max(r.Stratum, a.rel.stratum)
		}
	}
	return r
}

// orderBody returns the rule's body atoms, positive first, then negated,
// each in source order, and the number of its comparisons. The atoms are
// in c.atoms, reused across rules.
func (lw *lowerer) orderBody(ri *ruleInfo) ([]bodyAtom, int) {
	c := lw.c
	atoms := c.atoms[:0]
	ncmps := 0
	for _, neg := range [2]bool{false, true} {
		for li, lit := range ri.ast.Body {
			switch x := lit.(type) {
			case *AtomLit:
				if x.Negated == neg {
					atoms = append(atoms, bodyAtom{x, ri.body[li]})
				}
			case *CmpLit:
				if !neg {
					ncmps++
				}
			}
		}
	}
	c.atoms = atoms
	return atoms, ncmps
}

// lowerBodyAtoms fills r.Body from the ordered atoms, and the rule's node
// (NodeVar or NodeConst) from column 0 of the first.
func (l *ruleLowerer) lowerBodyAtoms(atoms []bodyAtom) {
	r := l.r
	r.Body = l.bodies.take(len(atoms))
	for i, at := range atoms {
		a := at.lit
		ba := &r.Body[i]
		*ba = BodyAtom{Rel: RelID(at.rel.id), Negated: a.Negated, AtTime: int(a.Time), Pos: a.Pos(), Args: l.terms.take(len(a.Atom.Args))}
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
			ba.Args[j] = t
		}
		if i == 0 && len(ba.Args) > 0 {
			if t := ba.Args[0]; t.IsConst {
				r.NodeConst = t.Const
			} else {
				r.NodeVar = t.Var
			}
		}
	}
}

// lowerCmps fills r.Cmps, in source order; ncmps sizes it exactly.
func (l *ruleLowerer) lowerCmps(ncmps int) {
	r := l.r
	if ncmps > 0 {
		r.Cmps = l.cmps.takeCap(ncmps)
	}
	for _, lit := range l.ri.ast.Body {
		if x, ok := lit.(*CmpLit); ok {
			r.Cmps = append(r.Cmps, Comparison{Op: x.Op, L: l.expr(x.L), R: l.expr(x.R), Pos: x.Pos()})
		}
	}
}

// lowerHead fills r.Args (and r.HasAgg) from the head's arguments.
func (l *ruleLowerer) lowerHead() {
	r := l.r
	r.Args = l.headArgs.take(len(l.ri.ast.Head.Args))
	for i, arg := range l.ri.ast.Head.Args {
		if a, ok := arg.(*AggExpr); ok {
			r.HasAgg = true
			r.Args[i] = HeadArg{Agg: aggFunc(a.Func), Var: l.varIndex(a.Var.(*VarExpr).Name)}
			continue
		}
		r.Args[i] = HeadArg{Expr: l.expr(arg)}
	}
}

func (l *ruleLowerer) expr(e ExprNode) *Expr {
	for {
		p, ok := e.(*ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	x := l.exprs.new()
	switch e := e.(type) {
	case *VarExpr:
		n, _ := l.ri.vars.get(e.Name)
		*x = Expr{Op: ExprVar, Var: l.varIndex(e.Name), Type: l.c.typeOf(n)}
	case *StringLit, *IntLit:
		v := constValue(e)
		*x = Expr{Op: ExprConst, Var: -1, Const: v, Type: v.Type}
	case *BinaryExpr:
		*x = Expr{Op: e.Op, Var: -1, L: l.expr(e.X), R: l.expr(e.Y), Type: TypeInt}
	default:
		*x = Expr{Op: ExprConst, Var: -1}
	}
	return x
}

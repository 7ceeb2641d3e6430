package dedalus

import (
	"fmt"
	"slices"
)

// This file answers questions about the nodes a program names, for the
// command line: which facts sit at nodes outside a node set (they never
// act), which node set the program itself suggests, and which pre/post
// rules read a relation nothing defines (the invariant then checks nothing).

// NodeFact names a node and the first fact located there.
type NodeFact struct {
	Node string
	Pos  Pos // the first fact (in source order) whose location is Node
}

// FactsOutside returns, for every node that is not in nodes but locates a
// fact (a string constant in column 0), that node and its first fact,
// sorted by position. Such facts are dropped by a run on nodes: the node
// never acts.
func (p *Program) FactsOutside(nodes []string) []NodeFact {
	seen := map[string]bool{}
	var out []NodeFact
	for _, f := range p.Facts {
		if len(f.Args) == 0 || f.Args[0].Type != TypeString {
			continue
		}
		n := f.Args[0].Str
		if slices.Contains(nodes, n) || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, NodeFact{Node: n, Pos: f.Pos})
	}
	slices.SortStableFunc(out, func(a, b NodeFact) int { return comparePos(a.Pos, b.Pos) })
	return out
}

// LocationConstants returns the sorted, distinct string constants that can
// reach a location: the node set a program names. A column holds locations
// when it is column 0 of a relation whose column 0 holds strings (the type
// checker makes column 0 the location; an integer column 0 names no node),
// or when a rule's variable joins it with a column that holds locations
// (peer(N, M) in log(M, V)@async :- value(N, V), peer(N, M): column 1 of
// peer), to a fixpoint. The constants are those of facts, rule heads and
// body atoms in such columns. Constants compared in a rule's comparisons
// only, or computed, are not counted.
func (p *Program) LocationConstants() []string {
	loc := p.locationColumns()
	set := map[string]bool{}
	add := func(rel RelID, c int, v Value) {
		if v.Type == TypeString && loc.has(rel, c) {
			set[v.Str] = true
		}
	}
	for _, f := range p.Facts {
		for c, v := range f.Args {
			add(f.Rel, c, v)
		}
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		for c, h := range r.Args {
			if h.Expr != nil && h.Expr.Op == ExprConst {
				add(r.Head, c, h.Expr.Const)
			}
		}
		for _, a := range r.Body {
			for c, t := range a.Args {
				if t.IsConst {
					add(a.Rel, c, t.Const)
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// locColumns says, per relation and column, whether the column holds
// locations.
type locColumns [][]bool

// has reports whether column c of rel holds locations; out-of-range
// relations and columns (as in a program with errors) hold none.
func (l locColumns) has(rel RelID, c int) bool {
	return rel >= 0 && int(rel) < len(l) && c < len(l[rel]) && l[rel][c]
}

// mark makes column c of rel a location column and reports whether that
// is new (so that the fixpoint knows to go on).
func (l locColumns) mark(rel RelID, c int) bool {
	if rel < 0 || int(rel) >= len(l) || c >= len(l[rel]) || l[rel][c] {
		return false
	}
	l[rel][c] = true
	return true
}

// locationColumns returns the program's location columns (see
// LocationConstants): the string columns 0, then, to a fixpoint, the
// columns that a rule's variable joins with a location column.
func (p *Program) locationColumns() locColumns {
	loc := make(locColumns, len(p.Relations))
	for i, r := range p.Relations {
		loc[i] = make([]bool, len(r.Types))
		if len(r.Types) > 0 && r.Types[0] == TypeString {
			loc[i][0] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for i := range p.Rules {
			if loc.spread(&p.Rules[i]) {
				changed = true
			}
		}
	}
	return loc
}

// spread marks as location columns those of r (head and body) that hold a
// variable which also appears in a location column of r, and reports
// whether it marked any.
func (l locColumns) spread(r *Rule) bool {
	vars := map[int]bool{} // variables of the rule at location columns
	for c, h := range r.Args {
		if h.Expr != nil && h.Expr.Op == ExprVar && l.has(r.Head, c) {
			vars[h.Expr.Var] = true
		}
	}
	for _, a := range r.Body {
		for c, t := range a.Args {
			if t.Var >= 0 && l.has(a.Rel, c) {
				vars[t.Var] = true
			}
		}
	}
	changed := false
	for c, h := range r.Args {
		if h.Expr != nil && h.Expr.Op == ExprVar && vars[h.Expr.Var] && l.mark(r.Head, c) {
			changed = true
		}
	}
	for _, a := range r.Body {
		for c, t := range a.Args {
			if t.Var >= 0 && vars[t.Var] && l.mark(a.Rel, c) {
				changed = true
			}
		}
	}
	return changed
}

// UndefinedInvariantReads returns an error for every atom of a pre or post
// rule that reads a relation no fact and no rule head defines (nor the
// runtime, as crash): such an atom never holds, so a positive one makes
// the rule derive nothing and a negated one is always true; either way
// the invariant does not mean what it says (usually a misspelled name).
// The front end only warns about undefined relations (Program.Warnings);
// commands that check the invariant make this case an error. Sorted by
// position.
func (p *Program) UndefinedInvariantReads() ErrorList {
	if p.Pre == NoRel && p.Post == NoRel {
		return nil
	}
	defined := make([]bool, len(p.Relations))
	for i, r := range p.Relations {
		defined[i] = r.Builtin
	}
	for _, f := range p.Facts {
		defined[f.Rel] = true
	}
	for i := range p.Rules {
		defined[p.Rules[i].Head] = true
	}
	var list ErrorList
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.Head == NoRel || r.Head != p.Pre && r.Head != p.Post {
			continue
		}
		for _, a := range r.Body {
			if a.Rel >= 0 && int(a.Rel) < len(defined) && !defined[a.Rel] {
				name := p.Relations[r.Head].Name
				list = append(list, &Error{Pos: a.Pos, Severity: SeverityError,
					Msg: fmt.Sprintf("%s reads relation %s, which is never defined (no fact or rule head): the invariant would check nothing (a misspelled name?)", name, p.Relations[a.Rel].Name)})
			}
		}
	}
	list.Sort()
	return list
}

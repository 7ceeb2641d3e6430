package calm

import "github.com/ldfi/ldfi/dedalus"

// flags computes every property, in dependency order: the levels of local
// relations, grow (a greatest fixpoint: an invariant over time, proved by
// induction on time), finite, then component by component, inputs first,
// union (a greatest fixpoint within the component), rec and settled (from
// the component's finished inputs only: "eventually" properties cannot be
// assumed around a cycle).
func (a *analysis) flags() {
	a.levels()
	a.growAll()
	a.finiteAll()
	a.union = make([]bool, a.n)
	a.rec = make([]bool, a.n)
	a.settled = make([]bool, a.n)
	a.failed = make([]ruleFail, len(a.prog.Rules))
	for c := range a.comps {
		a.curComp = c
		a.unionComp(c)
		a.recComp(c)
		a.settledComp(c)
	}
}

// growAll: a relation never loses a tuple when it is carried forward
// unconditionally, or has no fact (a fact holds at one time only) and
// every rule deriving it never stops deriving what it derived.
func (a *analysis) growAll() {
	a.grow = make([]bool, a.n)
	for r := range a.grow {
		a.grow[r] = true
	}
	for changed := true; changed; {
		changed = false
		for r := range a.n {
			if !a.grow[r] || a.persist[r] {
				continue
			}
			g := a.factMax[r] == 0
			for _, i := range a.byHead[r] {
				g = g && a.growRule(i)
			}
			if !g {
				a.grow[r], changed = false, true
			}
		}
	}
}

// inventive reports whether rule i can produce values absent from its
// body: arithmetic in the head, count or sum (min and max pick a value).
func inventive(r *dedalus.Rule) bool {
	for _, h := range r.Args {
		if h.Agg == dedalus.AggCount || h.Agg == dedalus.AggSum {
			return true
		}
		if h.Expr != nil && h.Expr.Op != dedalus.ExprVar && h.Expr.Op != dedalus.ExprConst {
			return true
		}
	}
	return false
}

// finiteAll: a relation holds finitely many tuples over a whole run unless
// its component invents values around a cycle (a counter), or one of its
// rules puts into its head a value taken from an unbounded relation (a
// clock's time). Read at a fixed time, any relation is finite.
func (a *analysis) finiteAll() {
	a.finite = make([]bool, a.n)
	for _, members := range a.comps {
		fin := true
		for _, m := range members {
			for _, i := range a.byHead[m] {
				fin = fin && a.unboundedAtom(i) < 0
			}
		}
		for _, m := range members {
			a.finite[m] = fin
		}
	}
}

// unboundedAtom returns the body atom through which rule i may derive
// unboundedly many tuples, or -1: a positive atom of the rule's own
// component when the rule invents values, or an unbounded atom from a
// lower component that alone binds a variable of the head (a variable
// also bound by a finite atom ranges over finitely many values).
func (a *analysis) unboundedAtom(i int) int {
	r := &a.prog.Rules[i]
	c := a.comp[r.Head]
	head := headVars(r)
	bounded := map[int]bool{}
	for k := range r.Body {
		b := &r.Body[k]
		if b.Negated {
			continue
		}
		if a.comp[b.Rel] == c && inventive(r) && b.AtTime == 0 {
			return k
		}
		if b.AtTime != 0 || a.comp[b.Rel] == c || a.finite[b.Rel] {
			for _, t := range b.Args {
				bounded[t.Var] = true
			}
		}
	}
	for k := range r.Body {
		b := &r.Body[k]
		if b.Negated || b.AtTime != 0 || a.comp[b.Rel] == c || a.finite[b.Rel] {
			continue
		}
		for _, t := range b.Args {
			if t.Var >= 0 && head[t.Var] && !bounded[t.Var] {
				return k
			}
		}
	}
	return -1
}

// headVars is the set of variables rule r's head uses.
func headVars(r *dedalus.Rule) map[int]bool {
	vars := map[int]bool{}
	var walk func(e *dedalus.Expr)
	walk = func(e *dedalus.Expr) {
		if e == nil {
			return
		}
		if e.Op == dedalus.ExprVar {
			vars[e.Var] = true
		}
		walk(e.L)
		walk(e.R)
	}
	for _, h := range r.Args {
		if h.Agg != dedalus.AggNone {
			vars[h.Var] = true
		}
		walk(h.Expr)
	}
	return vars
}

// unionComp decides union for the message-derived members of component c:
// start from every finite one and drop those with a rule that fails
// ruleUnion, until none changes. Inside the component an atom counts as
// growing only if its relation is a candidate and grows, which is what the
// argument by induction on derivations needs.
func (a *analysis) unionComp(c int) {
	cand := map[dedalus.RelID]bool{}
	for _, m := range a.comps[c] {
		if a.tainted[m] && a.finite[m] {
			cand[dedalus.RelID(m)] = true
		}
	}
	v := view{
		union: func(r dedalus.RelID) bool {
			if a.comp[r] == c {
				return cand[r]
			}
			return a.union[r]
		},
		grow: func(r dedalus.RelID) bool { return a.grow[r] },
	}
	for changed := true; changed; {
		changed = false
		for _, m := range a.comps[c] {
			r := dedalus.RelID(m)
			if !cand[r] {
				continue
			}
			for _, i := range a.byHead[r] {
				if f := a.ruleUnion(i, v); !a.selfCopy[i] && f.kind != "" {
					// Keep the cause seen at removal: later, with fewer
					// candidates, the rule may fail only for reading
					// relations removed because of it.
					a.failed[i] = f
					delete(cand, r)
					changed = true
					break
				}
			}
		}
	}
	for _, m := range a.comps[c] {
		a.union[m] = cand[dedalus.RelID(m)] || !a.tainted[m] && a.finite[m]
		for _, i := range a.byHead[m] {
			if a.tainted[m] && !a.selfCopy[i] && a.failed[i].kind == "" {
				a.failed[i] = a.ruleUnion(i, v)
			}
		}
	}
}

// recComp: a member eventually holds exactly its union when it grows to a
// finite union, or when it has no fact and each of its rules is recRule.
func (a *analysis) recComp(c int) {
	for _, m := range a.comps[c] {
		r := dedalus.RelID(m)
		if !a.tainted[r] {
			a.rec[r] = a.level[r].constant() || a.grow[r] && a.finite[r]
			continue
		}
		rec := a.grow[r] && a.union[r]
		if !rec && a.factMax[r] == 0 {
			rec = true
			for _, i := range a.byHead[r] {
				rec = rec && a.recRule(i)
			}
		}
		a.rec[r] = rec
	}
}

// settledComp: a member is settled (the same in every schedule from some
// time on: confluent at EOT) when it is local, when it eventually holds its
// union, or when its component has no cycle through time and every atom
// its rules read from outside the component is settled: each step then
// computes it from settled inputs, whatever the operators (notin,
// aggregates), since messages sent at or after EFF are never late.
func (a *analysis) settledComp(c int) {
	ok := !a.temporal[c]
	for _, m := range a.comps[c] {
		for _, i := range a.byHead[m] {
			r := &a.prog.Rules[i]
			for k := range r.Body {
				b := &r.Body[k]
				if a.comp[b.Rel] != c && !a.settledAtom(b) {
					ok = false
				}
			}
		}
	}
	for _, m := range a.comps[c] {
		a.settled[m] = !a.tainted[m] || a.rec[m] || ok
	}
}

// settledAtom reports whether body atom b is settled: local, or a settled
// relation read at the current time (a read at a fixed time after 1 sees
// what had arrived by then).
func (a *analysis) settledAtom(b *dedalus.BodyAtom) bool {
	return a.local(b) || b.AtTime == 0 && a.settled[b.Rel]
}

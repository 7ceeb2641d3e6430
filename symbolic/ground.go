package symbolic

import (
	"encoding/binary"
	"strings"

	"github.com/go-air/gini/z"

	"github.com/ldfi/ldfi/dedalus"
)

// binding is the state of one join: variable values and which are set.
type binding struct {
	vals  []dedalus.Value
	set   []bool
	body  []tupleID // positive body tuples, in body order
	order []int     // positive atom indexes in join order
}

// joinOrder orders a rule's positive atoms greedily: next the atom with the
// most columns bound by constants or earlier atoms, ties in body order.
func joinOrder(r *dedalus.Rule) []int {
	var pos []int
	for i, a := range r.Body {
		if !a.Negated {
			pos = append(pos, i)
		}
	}
	bound := make([]bool, len(r.VarNames))
	var order []int
	used := make([]bool, len(pos))
	for range pos {
		best, bestScore := -1, -1
		for k, i := range pos {
			if used[k] {
				continue
			}
			score := 0
			for _, term := range r.Body[i].Args {
				if term.IsConst || (term.Var >= 0 && bound[term.Var]) {
					score++
				}
			}
			if score > bestScore {
				best, bestScore = k, score
			}
		}
		used[best] = true
		order = append(order, pos[best])
		for _, term := range r.Body[pos[best]].Args {
			if term.Var >= 0 {
				bound[term.Var] = true
			}
		}
	}
	return order
}

// atomTime is the time a body atom reads at t, and false when it reads the
// future (a positive atom then has no match, a negated one always holds).
func atomTime(a *dedalus.BodyAtom, t int) (int, bool) {
	if a.AtTime == 0 {
		return t, true
	}
	if a.AtTime > t {
		return 0, false
	}
	return a.AtTime, true
}

// bindings calls fn for every binding of r's positive atoms over the
// universe at time t. fn reads b.vals and b.body (in body order).
func (e *encoder) bindings(ri int, t int, fn func(b *binding) error) error {
	r := &e.prog.Rules[ri]
	b := &binding{
		vals:  make([]dedalus.Value, len(r.VarNames)),
		set:   make([]bool, len(r.VarNames)),
		order: e.orders[ri],
	}
	npos := len(b.order)
	b.body = make([]tupleID, npos)
	// slot maps an atom index to its position in b.body (body order).
	slot := make(map[int]int, npos)
	k := 0
	for i, a := range r.Body {
		if !a.Negated {
			slot[i] = k
			k++
		}
	}
	probe := make([]dedalus.Value, 0, 8)
	var rec func(depth int) error
	rec = func(depth int) error {
		if depth == npos {
			return fn(b)
		}
		ai := b.order[depth]
		a := &r.Body[ai]
		at, ok := atomTime(a, t)
		if !ok {
			return nil
		}
		var mask uint64
		probe = probe[:0]
		for c, term := range a.Args {
			switch {
			case term.IsConst:
				mask |= 1 << uint(c)
				probe = append(probe, term.Const)
			case term.Var >= 0 && b.set[term.Var]:
				mask |= 1 << uint(c)
				probe = append(probe, b.vals[term.Var])
			default:
				probe = append(probe, dedalus.Value{})
			}
		}
		rows := e.u.lookup(a.Rel, at, mask, probe)
		var newly []int
		for _, id := range rows {
			args := e.u.tuples[id].args
			ok := true
			newly = newly[:0]
			for c, term := range a.Args {
				if term.Var < 0 {
					continue
				}
				if b.set[term.Var] {
					if args[c] != b.vals[term.Var] {
						ok = false
						break
					}
					continue
				}
				b.vals[term.Var], b.set[term.Var] = args[c], true
				newly = append(newly, term.Var)
			}
			if ok {
				b.body[slot[ai]] = id
				if err := rec(depth + 1); err != nil {
					return err
				}
			}
			for _, v := range newly {
				b.set[v] = false
			}
		}
		return nil
	}
	return rec(0)
}

// ground is what a binding contributes once the rule's static filters pass:
// the rule's node, its head values (aggregate columns left zero) and its
// condition.
type ground struct {
	node string
	head []dedalus.Value
	inst instance
}

// instantiate applies the filters that do not depend on the schedule (the
// rule's node in the node set, comparisons, arithmetic) and builds the
// instance's condition. ok is false when the binding never fires.
func (e *encoder) instantiate(r *dedalus.Rule, t int, b *binding) (g ground, ok bool, err error) {
	node := r.NodeConst
	if r.NodeVar >= 0 {
		node = b.vals[r.NodeVar]
	}
	if node.Type != dedalus.TypeString || !e.nodeSet[node.Str] {
		return g, false, nil
	}
	// Comparisons in order, then the head, as the evaluator computes
	// them: an overflow it would meet is an error here too.
	var over *overflowAt
	for i := range r.Cmps {
		ok := compare(&r.Cmps[i], b.vals, &over)
		if over != nil {
			return g, false, e.overflowError(r, over)
		}
		if !ok {
			return g, false, nil
		}
	}
	head := make([]dedalus.Value, len(r.Args))
	for c, h := range r.Args {
		if h.Agg != dedalus.AggNone {
			continue
		}
		v, ok := evalExpr(h.Expr, b.vals, &over)
		if over != nil {
			return g, false, e.overflowError(r, over)
		}
		if !ok {
			return g, false, nil
		}
		head[c] = v
	}
	lits := make([]z.Lit, 0, len(r.Body))
	var inner []tupleID
	k := 0
	for i := range r.Body {
		a := &r.Body[i]
		if a.Negated {
			continue
		}
		id := b.body[k]
		k++
		tp := &e.u.tuples[id]
		if tp.final {
			lits = append(lits, tp.lit)
			continue
		}
		if r.Kind != dedalus.Deductive || tp.time != t || e.prog.Relations[tp.rel].Stratum != r.Stratum {
			return g, false, e.unsupported(a.Pos, "reads %s at time %d before it is complete", e.prog.Relations[tp.rel].Name, tp.time)
		}
		inner = append(inner, id)
	}
	for i := range r.Body {
		a := &r.Body[i]
		if !a.Negated {
			continue
		}
		l, err := e.negated(a, t, b.vals)
		if err != nil {
			return g, false, err
		}
		lits = append(lits, l)
	}
	cond := e.c.Ands(lits...)
	if cond == e.c.F {
		return g, false, nil
	}
	return ground{node: node.Str, head: head, inst: instance{cond: cond, inner: inner}}, true, nil
}

// negated returns the literal of `notin a` under vals: true when no tuple of
// the universe matches (wildcards match anything), else NOT the OR of the
// matches.
func (e *encoder) negated(a *dedalus.BodyAtom, t int, vals []dedalus.Value) (z.Lit, error) {
	at, ok := atomTime(a, t)
	if !ok {
		return e.c.T, nil
	}
	var mask uint64
	probe := make([]dedalus.Value, len(a.Args))
	for c, term := range a.Args {
		switch {
		case term.IsConst:
			mask |= 1 << uint(c)
			probe[c] = term.Const
		case term.Var >= 0:
			mask |= 1 << uint(c)
			probe[c] = vals[term.Var]
		}
	}
	// The same negated pattern recurs in many instances (notin crash(_,
	// X, _) in every rule of X): remember its literal. The matched tuples
	// are final, so no tuple can join the pattern later.
	key := string(maskKey(binary.LittleEndian.AppendUint64(
		binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, uint32(a.Rel)), uint32(at)), mask), mask, probe))
	if l, ok := e.negCache[key]; ok {
		return l, nil
	}
	rows := e.u.lookup(a.Rel, at, mask, probe)
	ms := make([]z.Lit, 0, len(rows))
	for _, id := range rows {
		tp := &e.u.tuples[id]
		if !tp.final {
			return 0, e.unsupported(a.Pos, "negates %s at time %d before it is complete", e.prog.Relations[a.Rel].Name, at)
		}
		ms = append(ms, tp.lit)
	}
	l := e.c.Ors(ms...).Not()
	e.negCache[key] = l
	return l, nil
}

// evalExpr evaluates x over vals with dedalus.Arith (the evaluator's
// arithmetic); false for a division by zero. The first overflow met is
// recorded in *over.
func evalExpr(x *dedalus.Expr, vals []dedalus.Value, over **overflowAt) (dedalus.Value, bool) {
	switch x.Op {
	case dedalus.ExprVar:
		return vals[x.Var], true
	case dedalus.ExprConst:
		return x.Const, true
	}
	l, ok := evalExpr(x.L, vals, over)
	if !ok {
		return l, false
	}
	r, ok := evalExpr(x.R, vals, over)
	if !ok {
		return r, false
	}
	v, ok, overflow := dedalus.Arith(x.Op, l.Int, r.Int)
	if overflow && *over == nil {
		*over = &overflowAt{op: x.Op, a: l.Int, b: r.Int}
	}
	return dedalus.Value{Type: dedalus.TypeInt, Int: v}, ok
}

// compareValues orders two values of one type.
func compareValues(l, r dedalus.Value) int {
	if l.Type == dedalus.TypeString {
		return strings.Compare(l.Str, r.Str)
	}
	switch {
	case l.Int < r.Int:
		return -1
	case l.Int > r.Int:
		return 1
	}
	return 0
}

func compare(c *dedalus.Comparison, vals []dedalus.Value, over **overflowAt) bool {
	l, ok1 := evalExpr(c.L, vals, over)
	r, ok2 := evalExpr(c.R, vals, over)
	if !ok1 || !ok2 {
		return false
	}
	d := compareValues(l, r)
	switch c.Op {
	case dedalus.CmpEq:
		return d == 0
	case dedalus.CmpNe:
		return d != 0
	case dedalus.CmpLt:
		return d < 0
	case dedalus.CmpLe:
		return d <= 0
	case dedalus.CmpGt:
		return d > 0
	}
	return d >= 0
}

package symbolic

import (
	"slices"

	"github.com/go-air/gini/z"

	"github.com/ldfi/ldfi/dedalus"
)

// aggGroup collects the possible members of one aggregate group: per
// aggregate column, each distinct value of the aggregated variable and the
// condition under which some binding contributes it.
type aggGroup struct {
	head    []dedalus.Value
	members map[int]map[dedalus.Value][]z.Lit // column -> value -> conditions
}

// aggregate grounds an aggregate rule at time t. Its body reads only lower
// strata (the front end's stratification), so every condition is final and
// the candidate heads can be listed at once: one per group and possible
// aggregate value, holding exactly when the members that hold give that
// value.
func (e *encoder) aggregate(ri, t int) error {
	r := &e.prog.Rules[ri]
	groups := map[string]*aggGroup{}
	var order []string
	err := e.bindings(ri, t, func(b *binding) error {
		g, ok, err := e.instantiate(r, t, b)
		if err != nil || !ok {
			return err
		}
		if err := e.count(r); err != nil {
			return err
		}
		k := string(maskKey(nil, ^uint64(0), g.head))
		grp := groups[k]
		if grp == nil {
			grp = &aggGroup{head: g.head, members: map[int]map[dedalus.Value][]z.Lit{}}
			groups[k] = grp
			order = append(order, k)
		}
		for c, h := range r.Args {
			if h.Agg == dedalus.AggNone {
				continue
			}
			if grp.members[c] == nil {
				grp.members[c] = map[dedalus.Value][]z.Lit{}
			}
			v := b.vals[h.Var]
			grp.members[c][v] = append(grp.members[c][v], g.inst.cond)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range order {
		if err := e.aggregateGroup(r, t, groups[k]); err != nil {
			return err
		}
	}
	return nil
}

// valueLit is one possible value of an aggregate column and when it is
// the column's value.
type valueLit struct {
	v   dedalus.Value
	lit z.Lit
}

func (e *encoder) aggregateGroup(r *dedalus.Rule, t int, grp *aggGroup) error {
	// Each aggregate column has mutually exclusive possible values; a head
	// tuple is one choice per column, holding when all choices hold.
	heads := []valueLit{{lit: e.c.T}}
	vals := [][]dedalus.Value{slices.Clone(grp.head)}
	for c, h := range r.Args {
		if h.Agg == dedalus.AggNone {
			continue
		}
		choices, err := e.aggValues(r, h.Agg, grp.members[c])
		if err != nil {
			return err
		}
		var nh []valueLit
		var nv [][]dedalus.Value
		for i, hd := range heads {
			for _, ch := range choices {
				l := e.c.And(hd.lit, ch.lit)
				if l == e.c.F {
					continue
				}
				row := slices.Clone(vals[i])
				row[c] = ch.v
				nh = append(nh, valueLit{lit: l})
				nv = append(nv, row)
			}
		}
		if len(nh) > maxSumStates {
			return e.unsupported(r.Pos, "more than %d possible aggregate results in one group", maxSumStates)
		}
		heads, vals = nh, nv
	}
	for i, hd := range heads {
		id, _ := e.u.add(r.Head, t, vals[i])
		e.u.tuples[id].insts = append(e.u.tuples[id].insts, instance{cond: hd.lit})
	}
	return nil
}

// aggValues lists the possible values of one aggregate column over its
// members (value -> condition), each with the condition that it is the
// result: count and sum over distinct values, min and max by order.
func (e *encoder) aggValues(r *dedalus.Rule, f dedalus.AggFunc, members map[dedalus.Value][]z.Lit) ([]valueLit, error) {
	type member struct {
		v   dedalus.Value
		lit z.Lit
	}
	var ms []member
	for v, conds := range members {
		ms = append(ms, member{v, e.c.Ors(conds...)})
	}
	slices.SortFunc(ms, func(a, b member) int { return compareValues(a.v, b.v) })
	lits := make([]z.Lit, len(ms))
	for i, m := range ms {
		lits[i] = m.lit
	}
	switch f {
	case dedalus.AggCount:
		// atLeast[k] holds when at least k members hold (a unary counter).
		atLeast := e.counter(lits)
		var out []valueLit
		for k := 1; k <= len(ms); k++ {
			exact := atLeast[k]
			if k < len(ms) {
				exact = e.c.And(exact, atLeast[k+1].Not())
			}
			out = append(out, valueLit{dedalus.Value{Type: dedalus.TypeInt, Int: int64(k)}, exact})
		}
		return out, nil
	case dedalus.AggMin, dedalus.AggMax:
		if f == dedalus.AggMax {
			slices.Reverse(ms)
		}
		var out []valueLit
		none := e.c.T // no earlier member holds
		for _, m := range ms {
			out = append(out, valueLit{m.v, e.c.And(m.lit, none)})
			none = e.c.And(none, m.lit.Not())
		}
		return out, nil
	}
	vs := make([]dedalus.Value, len(ms))
	for i, m := range ms {
		vs[i] = m.v
	}
	return e.sumValues(r, vs, lits)
}

// sumValues lists the possible sums of the members (values vs, each
// holding when its literal does) with the condition of each: a table from
// partial sums to the condition of reaching them, with "some member
// holds" tracked so the empty group gives nothing.
func (e *encoder) sumValues(r *dedalus.Rule, vs []dedalus.Value, lits []z.Lit) ([]valueLit, error) {
	table := map[state]z.Lit{{0, false}: e.c.T}
	for i, v := range vs {
		lit := lits[i]
		next := map[state]z.Lit{}
		put := func(st state, l z.Lit) {
			if l == e.c.F {
				return // unreachable: keeps the table small
			}
			if cur, ok := next[st]; ok {
				next[st] = e.c.Or(cur, l)
			} else {
				next[st] = l
			}
		}
		// Visit the states in order: gate creation must not depend on map
		// order, or the solver's model (and so the output) could vary.
		for _, st := range sortedStates(table) {
			l := table[st]
			put(st, e.c.And(l, lit.Not()))
			take := e.c.And(l, lit)
			if take == e.c.F {
				continue
			}
			sum, _, over := dedalus.Arith(dedalus.ExprAdd, st.sum, v.Int)
			if over {
				return nil, e.unsupported(r.Pos, "integer overflow in sum<> of rule %s, for a set of members that holds in some schedule", r.Text)
			}
			put(state{sum, true}, take)
		}
		if len(next) > maxSumStates {
			return nil, e.unsupported(r.Pos, "a sum with more than %d possible values", maxSumStates)
		}
		table = next
	}
	var out []valueLit
	for _, st := range sortedStates(table) {
		if l := table[st]; st.nonEmpty && l != e.c.F {
			out = append(out, valueLit{dedalus.Value{Type: dedalus.TypeInt, Int: st.sum}, l})
		}
	}
	slices.SortFunc(out, func(a, b valueLit) int { return compareValues(a.v, b.v) })
	return out, nil
}

// counter returns atLeast with atLeast[k] true when at least k of lits hold
// (k = 0..len(lits)), built as a unary adder (quadratic, fine for the group
// sizes of protocols).
func (e *encoder) counter(lits []z.Lit) []z.Lit {
	atLeast := []z.Lit{e.c.T}
	for _, l := range lits {
		next := make([]z.Lit, len(atLeast)+1)
		next[0] = e.c.T
		for k := 1; k <= len(atLeast); k++ {
			with := e.c.And(atLeast[k-1], l)
			if k < len(atLeast) {
				next[k] = e.c.Or(atLeast[k], with)
			} else {
				next[k] = with
			}
		}
		atLeast = next
	}
	return atLeast
}

// state is a partial sum of a sum<> group and whether any member was taken.
type state struct {
	sum      int64
	nonEmpty bool
}

func sortedStates(table map[state]z.Lit) []state {
	out := make([]state, 0, len(table))
	for st := range table {
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b state) int {
		switch {
		case a.sum != b.sum:
			if a.sum < b.sum {
				return -1
			}
			return 1
		case a.nonEmpty == b.nonEmpty:
			return 0
		case a.nonEmpty:
			return 1
		}
		return -1
	})
	return out
}

package dedalus

import (
	"fmt"
	"strings"
)

// Stratification over the same-timestep dependency graph: an edge goes
// from each body relation of a deductive rule to its head; it is negative
// when the body atom is negated or the rule aggregates. A negative edge
// inside a strongly connected component is an error. Edges of @next and
// @async rules do not constrain (their results belong to the next time).

type depEdge struct {
	from, to string
	neg      bool
	rule     *RuleClause
	pos      Pos // the literal that makes the edge
}

type stratifier struct {
	edges []depEdge
	out   map[string][]int // relation -> indexes of edges leaving it
	rels  []string         // sorted relation names (graph nodes)

	index, low map[string]int
	onStack    map[string]bool
	stack      []string
	counter    int
	sccs       [][]string // in Tarjan's emission order (sinks first)
	sccOf      map[string]int
}

// stratify computes the stratum of every relation and reports negation or
// aggregation through a same-timestep cycle.
func (c *checker) stratify() map[string]int {
	st := &stratifier{out: map[string][]int{}}
	for _, r := range c.sortedRels() {
		st.rels = append(st.rels, r.name)
	}
	for _, ri := range c.rules {
		rule := ri.ast
		if rule.Kind != Deductive {
			continue
		}
		agg := hasAgg(rule)
		for _, l := range rule.Body {
			a, ok := l.(*AtomLit)
			if !ok || c.rels[a.Atom.Name] == nil || c.rels[rule.Head.Name] == nil {
				continue
			}
			pos := a.Atom.NamePos
			if a.Negated {
				pos = a.NotinPos
			}
			st.out[a.Atom.Name] = append(st.out[a.Atom.Name], len(st.edges))
			st.edges = append(st.edges, depEdge{from: a.Atom.Name, to: rule.Head.Name, neg: a.Negated || agg, rule: rule, pos: pos})
		}
	}
	st.index, st.low, st.onStack, st.sccOf = map[string]int{}, map[string]int{}, map[string]bool{}, map[string]int{}
	for _, r := range st.rels {
		if _, seen := st.index[r]; !seen {
			st.strongConnect(r)
		}
	}

	// Negative edges inside a component.
	for _, e := range st.edges {
		if !e.neg || st.sccOf[e.from] != st.sccOf[e.to] {
			continue
		}
		if c.d.full() {
			c.d.dropped = true
			break
		}
		cycle := st.path(e.to, e.from)
		what := "notin " + e.from
		if hasAgg(e.rule) {
			what = "aggregation over " + e.from
		}
		err := &Error{Pos: e.pos, Severity: SeverityError,
			Msg: fmt.Sprintf("not stratifiable: %s in a rule for %s, which is on a same-timestep cycle (%s); break the cycle with @next", what, e.to, strings.Join(append(cycle, e.to), " -> "))}
		for i := 0; i+1 < len(cycle); i++ {
			if r := st.edgeRule(cycle[i], cycle[i+1]); r != nil {
				err.Related = append(err.Related, r.Head.NamePos)
			}
		}
		c.d.add(err)
	}

	// Strata: walk the components from sources to sinks.
	strata := map[string]int{}
	for i := len(st.sccs) - 1; i >= 0; i-- {
		s := 0
		for _, r := range st.sccs[i] {
			s = max(s, strata[r])
		}
		for _, r := range st.sccs[i] {
			strata[r] = s
		}
		for _, r := range st.sccs[i] {
			for _, ei := range st.out[r] {
				e := st.edges[ei]
				if st.sccOf[e.to] == i {
					continue
				}
				strata[e.to] = max(strata[e.to], s+cond(e.neg, 1, 0))
			}
		}
	}
	return strata
}

func (st *stratifier) strongConnect(v string) {
	st.index[v] = st.counter
	st.low[v] = st.counter
	st.counter++
	st.stack = append(st.stack, v)
	st.onStack[v] = true
	for _, ei := range st.out[v] {
		w := st.edges[ei].to
		if _, seen := st.index[w]; !seen {
			st.strongConnect(w)
			st.low[v] = min(st.low[v], st.low[w])
		} else if st.onStack[w] {
			st.low[v] = min(st.low[v], st.index[w])
		}
	}
	if st.low[v] == st.index[v] {
		var scc []string
		for {
			w := st.stack[len(st.stack)-1]
			st.stack = st.stack[:len(st.stack)-1]
			st.onStack[w] = false
			st.sccOf[w] = len(st.sccs)
			scc = append(scc, w)
			if w == v {
				break
			}
		}
		st.sccs = append(st.sccs, scc)
	}
}

// path returns a shortest path of relations from a to b inside a's
// component (breadth first, edges in source order).
func (st *stratifier) path(a, b string) []string {
	prev := map[string]string{a: ""}
	queue := []string{a}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if v == b {
			break
		}
		for _, ei := range st.out[v] {
			w := st.edges[ei].to
			if _, seen := prev[w]; seen || st.sccOf[w] != st.sccOf[a] {
				continue
			}
			prev[w] = v
			queue = append(queue, w)
		}
	}
	var p []string
	for v := b; v != ""; v = prev[v] {
		p = append([]string{v}, p...)
		if v == a {
			break
		}
	}
	return p
}

func (st *stratifier) edgeRule(from, to string) *RuleClause {
	for _, ei := range st.out[from] {
		if st.edges[ei].to == to {
			return st.edges[ei].rule
		}
	}
	return nil
}

func hasAgg(r *RuleClause) bool {
	for _, a := range r.Head.Args {
		if _, ok := a.(*AggExpr); ok {
			return true
		}
	}
	return false
}

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

// Graph nodes are relation ids (relInfo.id, the index in c.sorted), so
// that the graph lives in slices rather than maps keyed by name.
type depEdge struct {
	from, to int32
	neg      bool
	rule     *RuleClause
	lit      *AtomLit // the literal that makes the edge
}

// pos is where an error about the edge points: the literal.
func (e *depEdge) pos() Pos {
	if e.lit.Negated {
		return e.lit.NotinPos
	}
	return e.lit.Atom.NamePos
}

type stratifier struct {
	rels  []*relInfo // c.sorted
	edges []depEdge  // in source order
	// The edges leaving relation v are edges[outEdge[outStart[v]:outStart[v+1]]],
	// in source order (a compressed adjacency list: one slice for all).
	outStart []int
	outEdge  []int

	// Tarjan's algorithm; index is 1 + the visit number (0: not visited).
	index, low []int
	onStack    []bool
	stack      []int
	counter    int
	sccOf      []int // relation -> component, numbered in emission order (sinks first)
	members    []int // relations grouped by component, in emission order
	sccStart   []int // component i is members[sccStart[i]:sccStart[i+1]]
}

func (st *stratifier) out(v int) []int { return st.outEdge[st.outStart[v]:st.outStart[v+1]] }

// stratify computes the stratum of every relation (relInfo.stratum) and
// reports negation or aggregation through a same-timestep cycle.
func (c *checker) stratify() {
	n := len(c.sorted)
	st := &stratifier{rels: c.sorted}
	st.edges = c.dependencyEdges()
	st.buildAdjacency(n)
	st.components(n)
	c.reportNegativeCycles(st)
	st.assignStrata()
}

// dependencyEdges returns the edges body relation -> head relation of the
// deductive rules, negative for a negated atom or an aggregating rule.
func (c *checker) dependencyEdges() []depEdge {
	nedges := 0
	for _, ri := range c.rules {
		if ri.ast.Kind == Deductive {
			nedges += len(ri.ast.Body) // an upper bound: comparisons make no edge
		}
	}
	edges := make([]depEdge, 0, nedges)
	for _, ri := range c.rules {
		rule := ri.ast
		if rule.Kind != Deductive {
			continue
		}
		head := ri.head
		if head == nil {
			continue
		}
		agg := hasAgg(rule)
		for li, l := range rule.Body {
			a, ok := l.(*AtomLit)
			if !ok {
				continue
			}
			from := ri.body[li]
			if from == nil {
				continue
			}
			edges = append(edges, depEdge{from: int32(from.id), to: int32(head.id), neg: a.Negated || agg, rule: rule, lit: a})
		}
	}
	return edges
}

// buildAdjacency builds the adjacency lists of the n relations: count,
// prefix sums, then fill in edge order.
func (st *stratifier) buildAdjacency(n int) {
	st.outStart = make([]int, n+1)
	for _, e := range st.edges {
		st.outStart[e.from+1]++
	}
	for v := 0; v < n; v++ {
		st.outStart[v+1] += st.outStart[v]
	}
	st.outEdge = make([]int, len(st.edges))
	fill := make([]int, n)
	copy(fill, st.outStart[:n])
	for i, e := range st.edges {
		st.outEdge[fill[e.from]] = i
		fill[e.from]++
	}
}

// components finds the strongly connected components of the n relations
// (Tarjan).
func (st *stratifier) components(n int) {
	ints := make([]int, 3*n) // index, low, sccOf in one allocation
	st.index, st.low, st.sccOf = ints[:n:n], ints[n:2*n:2*n], ints[2*n:]
	st.onStack = make([]bool, n)
	st.members = make([]int, 0, n)
	st.sccStart = append(make([]int, 0, n+1), 0)
	for v := range n {
		if st.index[v] == 0 {
			st.strongConnect(v)
		}
	}
}

// reportNegativeCycles reports every negative edge inside a component.
func (c *checker) reportNegativeCycles(st *stratifier) {
	for _, e := range st.edges {
		if !e.neg || st.sccOf[e.from] != st.sccOf[e.to] {
			continue
		}
		if c.d.full() {
			c.d.dropped = true
			break
		}
		cycle := st.path(int(e.to), int(e.from))
		from, to := st.rels[e.from].name, st.rels[e.to].name
		what := "notin " + from
		if hasAgg(e.rule) {
			what = "aggregation over " + from
		}
		names := make([]string, 0, len(cycle)+1)
		for _, v := range cycle {
			names = append(names, st.rels[v].name)
		}
		names = append(names, to)
		err := &Error{Pos: e.pos(), Severity: SeverityError,
			Msg: fmt.Sprintf("not stratifiable: %s in a rule for %s, which is on a same-timestep cycle (%s); break the cycle with @next", what, to, strings.Join(names, " -> "))}
		for i := 0; i+1 < len(cycle); i++ {
			if r := st.edgeRule(cycle[i], cycle[i+1]); r != nil {
				err.Related = append(err.Related, r.Head.NamePos)
			}
		}
		c.d.add(err)
	}
}

// assignStrata walks the components from sources to sinks: a component's
// stratum is the largest of its members', and a negative edge out of it
// raises its target above it.
func (st *stratifier) assignStrata() {
	for i := len(st.sccStart) - 2; i >= 0; i-- {
		scc := st.members[st.sccStart[i]:st.sccStart[i+1]]
		s := 0
		for _, v := range scc {
			s = max(s, st.rels[v].stratum)
		}
		for _, v := range scc {
			st.rels[v].stratum = s
		}
		for _, v := range scc {
			for _, ei := range st.out(v) {
				e := st.edges[ei]
				if st.sccOf[e.to] == i {
					continue
				}
				to := st.rels[e.to]
				to.stratum = max(to.stratum, s+cond(e.neg, 1, 0))
			}
		}
	}
}

func (st *stratifier) strongConnect(v int) {
	st.counter++
	st.index[v] = st.counter
	st.low[v] = st.counter
	st.stack = append(st.stack, v)
	st.onStack[v] = true
	for _, ei := range st.out(v) {
		w := int(st.edges[ei].to)
		if st.index[w] == 0 {
			st.strongConnect(w)
			st.low[v] = min(st.low[v], st.low[w])
		} else if st.onStack[w] {
			st.low[v] = min(st.low[v], st.index[w])
		}
	}
	if st.low[v] == st.index[v] {
		scc := len(st.sccStart) - 1
		for {
			w := st.stack[len(st.stack)-1]
			st.stack = st.stack[:len(st.stack)-1]
			st.onStack[w] = false
			st.sccOf[w] = scc
			st.members = append(st.members, w)
			if w == v {
				break
			}
		}
		st.sccStart = append(st.sccStart, len(st.members))
	}
}

// path returns a shortest path of relations from a to b inside a's
// component (breadth first, edges in source order). It runs only to
// report an error.
func (st *stratifier) path(a, b int) []int {
	prev := make([]int, len(st.rels)) // 1 + predecessor; -1 for a; 0: unseen
	prev[a] = -1
	queue := []int{a}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if v == b {
			break
		}
		for _, ei := range st.out(v) {
			w := int(st.edges[ei].to)
			if prev[w] != 0 || st.sccOf[w] != st.sccOf[a] {
				continue
			}
			prev[w] = v + 1
			queue = append(queue, w)
		}
	}
	var p []int
	for v := b; ; v = prev[v] - 1 {
		p = append([]int{v}, p...)
		if v == a || prev[v] <= 0 {
			break
		}
	}
	return p
}

func (st *stratifier) edgeRule(from, to int) *RuleClause {
	for _, ei := range st.out(from) {
		if int(st.edges[ei].to) == to {
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

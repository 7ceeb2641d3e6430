package hypothesis

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/crillab/gophersat/solver"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// A fault variable of the encoding: one omission or one crash time.
type faultVar struct {
	crash bool
	c     fault.Crash
	o     fault.Omission
}

func (f faultVar) String() string {
	if f.crash {
		return f.c.String()
	}
	return f.o.String()
}

// state of a graph node once the base faults are applied and constants
// folded.
type state int8

const (
	open      state = 0  // depends on the fault variables
	survives  state = 1  // survives every schedule extending the base
	destroyed state = -1 // removed by the base faults alone
)

// encoding is the CNF form of "some outcome is cut" over one support. It is
// a pure function of the support, the parameters and the base schedule
// (Exclude adds clauses to it); the enumeration in minimal.go only adds a
// size bound and blocking clauses.
//
// Variables 1..len(faults) are the fault variables, in canonical order:
// first, per node n and relevant crash time c (ascending), the order
// variable by(n,c) = "n crashed at or before c", with by(n,c) → by(n,c')
// for c < c'; then one variable per omission. The crash of n in a model is
// at the first c with by(n,c) true, so a node crashes at most once by
// construction. A send event e is removed when omit(e) or by(e.From, c) for
// the last relevant c <= e.Time: two literals at most.
//
// Each open And/Or/Not graph node v that an outcome can reach gets a
// variable x_v that is implied true whenever v survives (the one-sided,
// Plaisted–Greenbaum half of Tseitin: outcome roots only ever need to be
// false). Send nodes get no variable: "¬x_e" is replaced by the literals
// that remove e.
//
//	And:     x_v ∨ ¬x_c1 ∨ … ∨ ¬x_cn
//	Or:      ¬x_c ∨ x_v for each child c
//	roots:   ¬x_r1 ∨ … ∨ ¬x_rm (at least one outcome is cut)
//
// A Not node needs the opposite bound on its child (x_v ≥ ¬val(c) needs
// x_c ≤ val(c)), so the open nodes reachable below a Not are exact: their
// variables get the full Tseitin equivalence (the clauses above plus
// ¬x_v ∨ x_ci for each child of an And, ¬x_v ∨ x_c1 ∨ … ∨ x_cn for an Or),
// and their send nodes get a variable too, x_e ↔ ¬removed(e):
// x_e ∨ omit(e) ∨ by(from, t) and ¬x_e ∨ ¬l for each of those literals.
// A Not node itself is always encoded as x_v ↔ ¬x_c. The nodes above the
// Nots keep the one-sided clauses (exact children satisfy "≥" trivially).
// Graphs without Not get exactly the one-sided encoding.
//
// The crash budget is "at most B of by(n, last time of n)", a native
// cardinality constraint, and the size of a schedule is the number of
// omission variables plus the number of by(n, last) variables that are true.
type encoding struct {
	p          fault.Params
	base       fault.Schedule // canonical
	faults     []faultVar     // variable i+1; crash entries are by(n,c)
	omitVar    map[fault.Omission]int
	crashVar   map[fault.Crash]int // by(n,c)
	crashTimes map[string][]int    // per node: relevant crash times, ascending
	nodeVar    []int               // per graph node: its variable, 0 if none
	nvars      int
	constrs    []solver.CardConstr
	// rootCut: the base faults alone cut an outcome (the only minimal
	// extension is the empty one). noCut: no outcome can be cut at all.
	rootCut, noCut bool
	// hasNot: the graph has a Not node, so cutting may not be monotone in
	// the fault set.
	hasNot bool
	// allExcluded: an Exclude entry is contained in every extension.
	allExcluded bool
	// post: Exclude entries checked on the hypotheses found (see exclude).
	post []fault.Schedule

	// For evaluating schedules on the folded graph (see cuts).
	graph    *lineage.Graph
	st       []state
	order    []lineage.NodeID // the reachable open nodes, children first
	sends    []lineage.NodeID // the send nodes of order
	inner    *lineage.Plan    // the other nodes of order (And, Or, Not)
	roots    []lineage.NodeID // the open roots
	val      []bool
	sendRm   []fault.Removal  // per reachable send node: the faults that can remove it
	sendOmit []int            // per reachable send node: its omission variable (0: none)
	sendFrom []int            // per reachable send node: its sender's index in nodeIdx (-1: none)
	notSends []lineage.NodeID // the reachable open send nodes below a Not
	// nots: the reachable open Not nodes; nestedNots: one is below another.
	nots       []lineage.NodeID
	nestedNots bool
	nodeIdx    map[string]int // the nodes of the parameters, by name
	omitted    []bool         // scratch: per variable
	crashAt    []int          // scratch: crash time per node index (0: none)
	// err is the first evaluation error of cuts (a bug: the graph was
	// checked).
	err error
}

// encode builds the encoding. The graph is checked (lineage.Graph.Check:
// children before parents, IDs in range) and errors are returned, never
// panics.
func encode(s *lineage.Support, p fault.Params, base fault.Schedule) (*encoding, error) {
	g := &s.Graph
	if err := g.Check(); err != nil {
		return nil, err
	}
	e := &encoding{
		p:          p,
		graph:      g,
		base:       base,
		omitVar:    map[fault.Omission]int{},
		crashVar:   map[fault.Crash]int{},
		crashTimes: map[string][]int{},
	}
	st := e.fold()
	roots, err := e.openRoots(s.Outcomes, st)
	if err != nil {
		return nil, err
	}
	if e.rootCut {
		return e, nil
	}
	if len(roots) == 0 {
		e.noCut = true
		return e, nil
	}
	reach, exact := reachable(g, st, roots)
	if err := e.planEvaluation(st, roots, reach); err != nil {
		return nil, err
	}
	e.addFaultVars(reach)
	e.indexSends()
	e.addNodeVars(reach, exact)
	e.addGraphClauses(st, roots, reach, exact)
	e.addCrashClauses()
	// Without Not, open roots survive the base alone. With Not, an open
	// root may be false with no added fault (a Not of a send the base
	// keeps): then the empty extension is the only minimal one.
	if e.hasNot && e.cuts(nil) {
		e.rootCut = true
	}
	return e, nil
}

// crashBudget is the number of crashes an extension of the base can add.
func (e *encoding) crashBudget() int { return e.p.MaxCrashes - len(e.base.Crashes) }

// canOmit reports whether an omission can remove ev.
func (e *encoding) canOmit(ev lineage.Event) bool {
	return e.p.RemovedBy(ev.From, ev.To, ev.Time).Omittable
}

// canCrash reports whether a crash the extension can add removes ev (crash
// times start at 1).
func (e *encoding) canCrash(ev lineage.Event) bool {
	if !e.p.RemovedBy(ev.From, ev.To, ev.Time).Crashable || ev.Time < 1 || e.crashBudget() <= 0 {
		return false
	}
	_, crashed := e.base.CrashTime(ev.From)
	return !crashed
}

// fold returns the state of every graph node once constants and the base
// faults are folded, bottom-up, and sets hasNot.
func (e *encoding) fold() []state {
	g := e.graph
	st := make([]state, len(g.Nodes))
	for i, n := range g.Nodes {
		switch n.Kind {
		case lineage.True:
			st[i] = survives
		case lineage.False:
			st[i] = destroyed
		case lineage.Send:
			ev := n.Event
			switch {
			case e.p.Lost(e.base, ev.From, ev.To, ev.Time):
				st[i] = destroyed
			case !e.canOmit(ev) && !e.canCrash(ev):
				st[i] = survives
			default:
				st[i] = open
			}
		case lineage.Not:
			st[i] = -st[n.Children[0]] // survives ↔ destroyed; open stays open
			e.hasNot = true
		case lineage.And, lineage.Or:
			// And: absorbing state destroyed, unit survives; Or: the dual.
			absorb, unit := destroyed, survives
			if n.Kind == lineage.Or {
				absorb, unit = survives, destroyed
			}
			st[i] = unit
			for _, c := range n.Children {
				if st[c] == absorb {
					st[i] = absorb
					break
				}
				if st[c] == open {
					st[i] = open
				}
			}
		}
	}
	return st
}

// openRoots returns the open outcome roots, sorted and without duplicates,
// and sets rootCut if the base alone destroys one (then the roots are not
// needed: openRoots returns nil).
func (e *encoding) openRoots(outcomes []lineage.Outcome, st []state) ([]lineage.NodeID, error) {
	var roots []lineage.NodeID
	for _, o := range outcomes {
		if o.Root < 0 || int(o.Root) >= len(e.graph.Nodes) {
			return nil, fmt.Errorf("%w: outcome %s has root %d out of range", ErrGraph, o.Tuple, o.Root)
		}
		switch st[o.Root] {
		case destroyed:
			e.rootCut = true
		case open:
			roots = append(roots, o.Root)
		}
	}
	if e.rootCut {
		return nil, nil
	}
	slices.Sort(roots)
	return slices.Compact(roots), nil
}

// reachable returns the open nodes the roots reach and, among them, the
// exact ones: those below a Not. Their variables must equal their values
// (see the type comment), so their children are exact too.
func reachable(g *lineage.Graph, st []state, roots []lineage.NodeID) (reach, exact []bool) {
	reach = make([]bool, len(g.Nodes))
	for _, r := range roots {
		reach[r] = true
	}
	for i := len(g.Nodes) - 1; i >= 0; i-- {
		if !reach[i] {
			continue
		}
		for _, c := range g.Nodes[i].Children {
			if st[c] == open {
				reach[c] = true
			}
		}
	}
	exact = make([]bool, len(g.Nodes))
	for i := len(g.Nodes) - 1; i >= 0; i-- {
		if !reach[i] || !exact[i] && g.Nodes[i].Kind != lineage.Not {
			continue
		}
		for _, c := range g.Nodes[i].Children {
			if st[c] == open {
				exact[c] = true
			}
		}
	}
	return reach, exact
}

// planEvaluation sets what cuts needs to evaluate a schedule on the folded
// graph: the states, roots, initial values, and the reachable nodes in
// order, split into sends and a plan for the others.
func (e *encoding) planEvaluation(st []state, roots []lineage.NodeID, reach []bool) error {
	g := e.graph
	e.st, e.roots, e.val = st, roots, make([]bool, len(g.Nodes))
	for i, x := range st {
		e.val[i] = x == survives // open nodes: overwritten by cuts
	}
	var inner []lineage.NodeID
	for i := range g.Nodes {
		if reach[i] {
			e.order = append(e.order, lineage.NodeID(i))
			if g.Nodes[i].Kind == lineage.Send {
				e.sends = append(e.sends, lineage.NodeID(i))
			} else {
				inner = append(inner, lineage.NodeID(i))
			}
		}
	}
	var err error
	e.inner, err = g.Plan(inner)
	return err
}

// addFaultVars numbers the fault variables: the omissions and crash times
// of the reachable, open send events. A crash of n at time c removes n's
// sends at c and later, so only the send times of n's events are distinct
// choices: we use them (clamped to EOT), i.e. the latest time with a given
// effect.
func (e *encoding) addFaultVars(reach []bool) {
	times := map[string]map[int]bool{}
	omits := map[fault.Omission]bool{}
	for i, n := range e.graph.Nodes {
		if !reach[i] || n.Kind != lineage.Send {
			continue
		}
		ev := n.Event
		if e.canOmit(ev) {
			omits[fault.Omission{From: ev.From, To: ev.To, Time: ev.Time}] = true
		}
		if e.canCrash(ev) {
			if times[ev.From] == nil {
				times[ev.From] = map[int]bool{}
			}
			times[ev.From][min(ev.Time, e.p.EOT)] = true
		}
	}
	for n, ts := range times {
		for t := range ts {
			e.faults = append(e.faults, faultVar{crash: true, c: fault.Crash{Node: n, Time: t}})
			e.crashTimes[n] = append(e.crashTimes[n], t)
		}
		slices.Sort(e.crashTimes[n])
	}
	for o := range omits {
		e.faults = append(e.faults, faultVar{o: o})
	}
	slices.SortFunc(e.faults, compareFault)
	for i, f := range e.faults {
		if f.crash {
			e.crashVar[f.c] = i + 1
		} else {
			e.omitVar[f.o] = i + 1
		}
	}
	e.nvars = len(e.faults)
}

// indexSends fills the per-send tables of cuts: the faults that can remove
// each reachable send, its omission variable and its sender's index.
func (e *encoding) indexSends() {
	g := e.graph
	e.nodeIdx = map[string]int{}
	for i, n := range e.p.Nodes {
		e.nodeIdx[n] = i
	}
	e.sendRm = make([]fault.Removal, len(g.Nodes))
	e.sendOmit = make([]int, len(g.Nodes))
	e.sendFrom = make([]int, len(g.Nodes))
	for _, i := range e.sends {
		ev := g.Nodes[i].Event
		e.sendRm[i] = e.p.RemovedBy(ev.From, ev.To, ev.Time)
		e.sendOmit[i] = e.omitVar[fault.Omission{From: ev.From, To: ev.To, Time: ev.Time}]
		e.sendFrom[i] = -1
		if j, ok := e.nodeIdx[ev.From]; ok {
			e.sendFrom[i] = j
		}
	}
}

// addNodeVars numbers the variables of the reachable inner nodes and exact
// sends, and lists the exact sends and the Not nodes.
func (e *encoding) addNodeVars(reach, exact []bool) {
	e.nodeVar = make([]int, len(e.graph.Nodes))
	for i, n := range e.graph.Nodes {
		if reach[i] && (n.Kind != lineage.Send || exact[i]) {
			e.nvars++
			e.nodeVar[i] = e.nvars
		}
		if reach[i] && n.Kind == lineage.Send && exact[i] {
			e.notSends = append(e.notSends, lineage.NodeID(i))
		}
		if reach[i] && n.Kind == lineage.Not {
			e.nots = append(e.nots, lineage.NodeID(i))
			e.nestedNots = e.nestedNots || exact[i]
		}
	}
}

// cutLits appends the literals that make node c false.
func (e *encoding) cutLits(lits []int, c lineage.NodeID) []int {
	if n := e.graph.Nodes[c]; n.Kind == lineage.Send && e.nodeVar[c] == 0 {
		return append(lits, e.removedLits(n.Event)...)
	}
	return append(lits, -e.nodeVar[c])
}

// clause adds the clause "at least one of lits".
func (e *encoding) clause(lits ...int) { e.constrs = append(e.constrs, solver.AtLeast1(lits...)) }

// addGraphClauses adds the clauses of the reachable nodes (see the type
// comment) and the one saying that some root is cut.
func (e *encoding) addGraphClauses(st []state, roots []lineage.NodeID, reach, exact []bool) {
	for i, n := range e.graph.Nodes {
		if !reach[i] {
			continue
		}
		x := e.nodeVar[i]
		cs := openChildren(n.Children, st)
		switch n.Kind {
		case lineage.Send:
			if exact[i] { // x ↔ no removing literal is true
				rm := e.removedLits(n.Event)
				e.clause(append([]int{x}, rm...)...)
				for _, l := range rm {
					e.clause(-x, -l)
				}
			}
		case lineage.And:
			lits := []int{x}
			for _, c := range cs {
				lits = e.cutLits(lits, c)
			}
			e.clause(lits...)
			if exact[i] { // x → every child survives
				for _, c := range cs {
					e.clause(-x, e.nodeVar[c])
				}
			}
		case lineage.Or:
			for _, c := range cs {
				e.clause(e.cutLits([]int{x}, c)...)
			}
			if exact[i] { // x → some child survives
				lits := []int{-x}
				for _, c := range cs {
					lits = append(lits, e.nodeVar[c])
				}
				e.clause(lits...)
			}
		case lineage.Not: // the child is exact: x ↔ ¬x_c, both ways always
			e.clause(x, e.nodeVar[cs[0]])
			e.clause(-x, -e.nodeVar[cs[0]])
		}
	}
	var rootLits []int
	for _, r := range roots {
		rootLits = e.cutLits(rootLits, r)
	}
	e.clause(rootLits...)
}

// addCrashClauses adds the crash order (by(n,c) → by(n,c') for c < c') and
// the crash budget.
func (e *encoding) addCrashClauses() {
	var lasts []int
	for _, n := range sortedKeys(e.crashTimes) {
		ts := e.crashTimes[n]
		for j := 1; j < len(ts); j++ {
			e.clause(-e.by(n, ts[j-1]), e.by(n, ts[j]))
		}
		lasts = append(lasts, e.by(n, ts[len(ts)-1]))
	}
	if budget := e.crashBudget(); len(lasts) > budget {
		e.constrs = append(e.constrs, atMost(lasts, budget))
	}
}

// apply records xs in the scratch tables omitted and crashAt (on is
// false: clears them).
func (e *encoding) apply(xs []faultVar, on bool) {
	if e.crashAt == nil {
		e.omitted = make([]bool, len(e.faults)+1)
		e.crashAt = make([]int, len(e.nodeIdx))
	}
	for _, f := range xs {
		switch {
		case f.crash && on:
			e.crashAt[e.nodeIdx[f.c.Node]] = f.c.Time
		case f.crash:
			e.crashAt[e.nodeIdx[f.c.Node]] = 0
		default:
			e.omitted[e.omitVar[f.o]] = on
		}
	}
}

// lost reports whether the faults applied remove reachable send node i
// (fault.Removal.Cause on the scratch tables).
func (e *encoding) lost(i lineage.NodeID) bool {
	crash := 0
	if j := e.sendFrom[i]; j >= 0 {
		crash = e.crashAt[j]
	}
	return e.sendRm[i].Cause(crash, e.omitted[e.sendOmit[i]]) != fault.Kept
}

// monotoneWithin reports whether cutting is monotone over the subsets of
// xs because every Not node has the same value under all of them: either
// xs removes no send below a Not, or every reachable Not has a child whose
// own formula has no Not (so is monotone: its value under a subset lies
// between its values under xs and under no added fault) with the same
// value under xs and under no added fault.
func (e *encoding) monotoneWithin(xs []faultVar) bool {
	e.apply(xs, true)
	removes := slices.ContainsFunc(e.notSends, e.lost)
	e.apply(xs, false)
	if !removes {
		return true
	}
	if len(e.nots) == 0 || e.nestedNots {
		return false
	}
	e.cuts(nil)
	at0 := make([]bool, len(e.nots))
	for k, n := range e.nots {
		at0[k] = e.val[n]
	}
	e.cuts(xs)
	for k, n := range e.nots {
		if e.val[n] != at0[k] {
			return false
		}
	}
	return true
}

// cuts reports whether base ∪ xs cuts an outcome, evaluating (with
// lineage.Plan) only the reachable open part of the folded graph: the
// folded nodes hold their constant values in e.val, the send nodes get
// theirs from the faults applied. The plan was checked by encode, so an
// evaluation error is a bug; it is kept in e.err (see run.solve) and the
// answer is then false.
func (e *encoding) cuts(xs []faultVar) bool {
	e.apply(xs, true)
	val := e.val
	for _, i := range e.sends {
		val[i] = !e.lost(i)
	}
	e.apply(xs, false)
	if err := e.inner.Eval(val); err != nil {
		if e.err == nil {
			e.err = fmt.Errorf("hypothesis: internal error: %w", err)
		}
		return false
	}
	return slices.ContainsFunc(e.roots, func(r lineage.NodeID) bool { return !val[r] })
}

// by is the variable by(n,c), 0 if c is not a relevant crash time of n.
func (e *encoding) by(n string, c int) int { return e.crashVar[fault.Crash{Node: n, Time: c}] }

// crashedBy is the literal "n crashed at or before t": by(n,c) for the
// last relevant c <= t, or 0 when no relevant crash is that early.
func (e *encoding) crashedBy(n string, t int) int {
	v := 0
	for _, c := range e.crashTimes[n] {
		if c <= t {
			v = e.by(n, c)
		}
	}
	return v
}

// removedLits are the literals one of which removes event ev: its
// omission and "its sender crashed by its time", as far as
// fault.Params.RemovedBy allows them and they have variables.
func (e *encoding) removedLits(ev lineage.Event) []int {
	var lits []int
	rm := e.p.RemovedBy(ev.From, ev.To, ev.Time)
	if v := e.omitVar[fault.Omission{From: ev.From, To: ev.To, Time: ev.Time}]; v != 0 && rm.Omittable {
		lits = append(lits, v)
	}
	if v := e.crashedBy(ev.From, ev.Time); v != 0 && rm.Crashable {
		lits = append(lits, v)
	}
	return lits
}

// absent is the clause body "schedule does not contain f" for a fault of a
// model: ¬omit, or for crash(n,c): ¬by(n,c) ∨ by(n,previous time).
func (e *encoding) absent(f faultVar) []int {
	if !f.crash {
		return []int{-e.omitVar[f.o]}
	}
	lits := []int{-e.crashVar[f.c]}
	if prev := e.crashedBy(f.c.Node, f.c.Time-1); prev != 0 {
		lits = append(lits, prev)
	}
	return lits
}

// maxSize is the largest possible number of added faults.
func (e *encoding) maxSize() int { return len(e.omitVar) + len(e.crashTimes) }

// sizeLits are the literals whose count is the number of added faults.
func (e *encoding) sizeLits() []int {
	var lits []int
	for _, n := range sortedKeys(e.crashTimes) {
		ts := e.crashTimes[n]
		lits = append(lits, e.by(n, ts[len(ts)-1]))
	}
	for i, f := range e.faults {
		if !f.crash {
			lits = append(lits, i+1)
		}
	}
	return lits
}

// decode reads the added faults of a model (model[v-1] is variable v).
func (e *encoding) decode(model []bool) []faultVar {
	var out []faultVar
	crashed := map[string]bool{}
	for i, f := range e.faults {
		if i >= len(model) || !model[i] {
			continue
		}
		if f.crash {
			if crashed[f.c.Node] {
				continue // by(n,c) for a later c: the crash is at the first
			}
			crashed[f.c.Node] = true
		}
		out = append(out, f)
	}
	return out
}

// block is the clause that excludes every model containing all of xs.
func (e *encoding) block(xs []faultVar) solver.CardConstr {
	var lits []int
	for _, f := range xs {
		lits = append(lits, e.absent(f)...)
	}
	return solver.AtLeast1(lits...)
}

// subsets is a small CNF whose models are the proper subsets of xs that
// cut an outcome (variable j+1: xs[j] is kept). Only the reachable nodes
// that some fault of xs removes something below get a variable, with the
// full Tseitin equivalence; the others keep their value with no added
// fault. nvars is its number of variables.
func (e *encoding) subsets(xs []faultVar) (cs []solver.CardConstr, nvars int) {
	e.cuts(nil)
	b := subsetBuilder{e: e, xs: xs, val0: e.val, nodeVar: map[lineage.NodeID]int{}, nvars: len(xs)}
	for _, i := range e.order {
		if n := &e.graph.Nodes[i]; n.Kind == lineage.Send {
			b.addSend(i, n.Event)
		} else {
			b.addInner(i, n)
		}
	}
	var cut []int
	for _, r := range e.roots {
		if x, ok := b.nodeVar[r]; ok {
			cut = append(cut, -x)
		}
	}
	if len(cut) == 0 {
		return nil, 0 // no subset changes a root
	}
	b.clause(cut...)
	var drop []int
	for j := range xs {
		drop = append(drop, -(j + 1))
	}
	b.clause(drop...)
	return b.cs, b.nvars
}

// subsetBuilder builds the CNF of encoding.subsets.
type subsetBuilder struct {
	e       *encoding
	xs      []faultVar
	val0    []bool                 // node values with no added fault (only read)
	nodeVar map[lineage.NodeID]int // the nodes with a variable
	cs      []solver.CardConstr
	nvars   int
}

func (b *subsetBuilder) clause(lits ...int) { b.cs = append(b.cs, solver.AtLeast1(lits...)) }

func (b *subsetBuilder) newVar(i lineage.NodeID) int {
	b.nvars++
	b.nodeVar[i] = b.nvars
	return b.nvars
}

// removers are the literals of the faults of xs that remove ev
// (fault.Removal.Cause).
func (b *subsetBuilder) removers(ev lineage.Event) []int {
	rm := b.e.p.RemovedBy(ev.From, ev.To, ev.Time)
	var lits []int
	for j, f := range b.xs {
		if f.crash && f.c.Node == ev.From && rm.Cause(f.c.Time, false) != fault.Kept ||
			!f.crash && f.o == (fault.Omission{From: ev.From, To: ev.To, Time: ev.Time}) && rm.Cause(0, true) != fault.Kept {
			lits = append(lits, j+1)
		}
	}
	return lits
}

// survivesLit is the literal "c survives", or 0 when c is constant over the
// subsets; then constValue is its value.
func (b *subsetBuilder) survivesLit(c lineage.NodeID) (lit int, constValue bool) {
	if x, ok := b.nodeVar[c]; ok {
		return x, false
	}
	if b.e.st[c] == open {
		return 0, b.val0[c]
	}
	return 0, b.e.st[c] == survives
}

// addSend gives send node i a variable if a fault of xs removes it:
// x ↔ no remover is kept.
func (b *subsetBuilder) addSend(i lineage.NodeID, ev lineage.Event) {
	rm := b.removers(ev)
	if len(rm) == 0 {
		return
	}
	x := b.newVar(i)
	for _, l := range rm {
		b.clause(-x, -l)
	}
	b.clause(append([]int{x}, rm...)...)
}

// addInner gives And/Or/Not node i a variable, with the full equivalence,
// unless it keeps its value with no added fault.
func (b *subsetBuilder) addInner(i lineage.NodeID, n *lineage.Node) {
	var lits []int
	for _, c := range n.Children {
		l, cv := b.survivesLit(c)
		switch {
		case l != 0:
			lits = append(lits, l)
		case n.Kind == lineage.And && !cv, n.Kind == lineage.Or && cv:
			return // an absorbing constant child fixes the node
		}
	}
	if len(lits) == 0 {
		return // not affected: it keeps its value with no added fault
	}
	x := b.newVar(i)
	switch n.Kind {
	case lineage.And: // x ↔ all lits
		neg := []int{x}
		for _, l := range lits {
			b.clause(-x, l)
			neg = append(neg, -l)
		}
		b.clause(neg...)
	case lineage.Or: // x ↔ some lit
		for _, l := range lits {
			b.clause(x, -l)
		}
		b.clause(append([]int{-x}, lits...)...)
	case lineage.Not:
		b.clause(x, lits[0])
		b.clause(-x, -lits[0])
	}
}

// openChildren returns the distinct open children.
func openChildren(cs []lineage.NodeID, st []state) []lineage.NodeID {
	var out []lineage.NodeID
	for _, c := range cs {
		if st[c] == open && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// exclude adds a clause that forbids every extension whose canonical
// schedule contains x (and so x's supersets). The clause must only remove
// sets whose supersets it removes too (or the level enumeration would
// propose a superset of an excluded minimal set instead of it). That fails
// when x holds a base omission that a crash in the extension can absorb
// (Canonical drops it): such an x is kept in post, and the hypotheses that
// contain it are filtered out after they are found.
func (e *encoding) exclude(x fault.Schedule) {
	x = x.Canonical()
	var lits []int
	for _, c := range x.Crashes {
		if t, ok := e.base.CrashTime(c.Node); ok && t == c.Time {
			continue // every extension has it
		}
		if e.crashVar[c] == 0 {
			return // no extension has it: nothing to exclude
		}
		lits = append(lits, e.absent(faultVar{crash: true, c: c})...)
	}
	for _, o := range x.Omissions {
		if v := e.omitVar[o]; v != 0 {
			lits = append(lits, -v)
			continue
		}
		if !slices.Contains(e.base.Omissions, o) {
			return
		}
		if e.crashedBy(o.From, o.Time) != 0 {
			e.post = append(e.post, x)
			return
		}
		// A base omission no extension can absorb: always contained.
	}
	if len(lits) == 0 {
		e.allExcluded = true
		return
	}
	e.constrs = append(e.constrs, solver.AtLeast1(lits...))
}

// schedule is the canonical schedule base ∪ xs.
func (e *encoding) schedule(xs []faultVar) fault.Schedule {
	s := fault.Schedule{
		Omissions: slices.Clone(e.base.Omissions),
		Crashes:   slices.Clone(e.base.Crashes),
	}
	for _, f := range xs {
		if f.crash {
			s.Crashes = append(s.Crashes, f.c)
		} else {
			s.Omissions = append(s.Omissions, f.o)
		}
	}
	return s.Canonical()
}

// atMost is "at most k of lits", as gophersat's native cardinality
// constraint "at least len(lits)-k of the negations".
func atMost(lits []int, k int) solver.CardConstr {
	neg := make([]int, len(lits))
	for i, l := range lits {
		neg[i] = -l
	}
	return solver.CardConstr{Lits: neg, AtLeast: len(lits) - k}
}

func compareFault(a, b faultVar) int {
	if a.crash != b.crash {
		if a.crash {
			return -1
		}
		return 1
	}
	if a.crash {
		return cmp.Or(strings.Compare(a.c.Node, b.c.Node), cmp.Compare(a.c.Time, b.c.Time))
	}
	return cmp.Or(strings.Compare(a.o.From, b.o.From), strings.Compare(a.o.To, b.o.To), cmp.Compare(a.o.Time, b.o.Time))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

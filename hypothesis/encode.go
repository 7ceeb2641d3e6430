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
// (Exclude adds clauses to it); the enumeration in minimal.go only adds
// cardinality bounds and blocking clauses.
//
// Variables 1..len(faults) are the fault variables, in canonical order
// (crashes by node then time, then omissions). Each open graph node v that
// an outcome can reach gets a variable x_v that is implied true whenever v
// survives (the one-sided, Plaisted–Greenbaum half of Tseitin: the outcome
// roots only ever need to be false):
//
//	Send e:  x_v ∨ omit(e) ∨ crash(e.From, c) for each crash time c <= e.Time
//	And:     x_v ∨ ¬x_c1 ∨ … ∨ ¬x_cn
//	Or:      ¬x_c ∨ x_v for each child c
//	roots:   ¬x_r1 ∨ … ∨ ¬x_rm (at least one outcome is cut)
//
// plus at most one crash time per node and at most the remaining crash
// budget over all crash variables (native cardinality constraints).
type encoding struct {
	base       fault.Schedule // canonical
	faults     []faultVar
	omitVar    map[fault.Omission]int
	crashVar   map[fault.Crash]int
	crashTimes map[string][]int // per node: relevant crash times, ascending
	nodeVar    []int            // per graph node: its variable, 0 if none
	nvars      int
	constrs    []solver.CardConstr
	// rootCut: the base faults alone cut an outcome (the only minimal
	// extension is the empty one). noCut: no outcome can be cut at all.
	rootCut, noCut bool
	// allExcluded: an Exclude entry is contained in every extension.
	allExcluded bool
}

// encode builds the encoding. The graph is checked (children before
// parents, IDs in range) and errors are returned, never panics.
func encode(s *lineage.Support, p fault.Params, base fault.Schedule) (*encoding, error) {
	g := &s.Graph
	e := &encoding{
		base:       base,
		omitVar:    map[fault.Omission]int{},
		crashVar:   map[fault.Crash]int{},
		crashTimes: map[string][]int{},
	}
	budget := p.MaxCrashes - len(base.Crashes)
	canOmit := func(ev lineage.Event) bool {
		return ev.From != ev.To && p.HasNode(ev.From) && p.HasNode(ev.To) && ev.Time >= 1 && ev.Time < p.EFF
	}
	canCrash := func(ev lineage.Event) bool {
		if ev.From == ev.To || !p.HasNode(ev.From) || ev.Time < 1 || budget <= 0 {
			return false
		}
		_, crashed := base.CrashTime(ev.From)
		return !crashed
	}

	// Fold constants and the base faults, bottom-up.
	st := make([]state, len(g.Nodes))
	for i, n := range g.Nodes {
		for _, c := range n.Children {
			if c < 0 || int(c) >= i {
				return nil, fmt.Errorf("%w: node %d has child %d (children must come before their parent)", ErrGraph, i, c)
			}
		}
		switch n.Kind {
		case lineage.True:
			st[i] = survives
		case lineage.False:
			st[i] = destroyed
		case lineage.Send:
			ev := n.Event
			switch {
			case ev.From != ev.To && base.Lost(ev.From, ev.To, ev.Time):
				st[i] = destroyed
			case !canOmit(ev) && !canCrash(ev):
				st[i] = survives
			default:
				st[i] = open
			}
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
		default:
			return nil, fmt.Errorf("%w: node %d has unknown kind %d", ErrGraph, i, n.Kind)
		}
	}

	// Open roots, and the open nodes they reach.
	var roots []lineage.NodeID
	for _, o := range s.Outcomes {
		if o.Root < 0 || int(o.Root) >= len(g.Nodes) {
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
		return e, nil
	}
	slices.Sort(roots)
	roots = slices.Compact(roots)
	if len(roots) == 0 {
		e.noCut = true
		return e, nil
	}
	reach := make([]bool, len(g.Nodes))
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

	// Fault variables: the omissions and crash times of the reachable,
	// open send events. A crash of n at time c removes n's sends at c and
	// later, so only the send times of n's events are distinct choices: we
	// use them (clamped to EOT), i.e. the latest time with a given effect.
	times := map[string]map[int]bool{}
	omits := map[fault.Omission]bool{}
	for i, n := range g.Nodes {
		if !reach[i] || n.Kind != lineage.Send {
			continue
		}
		ev := n.Event
		if canOmit(ev) {
			omits[fault.Omission{From: ev.From, To: ev.To, Time: ev.Time}] = true
		}
		if canCrash(ev) {
			if times[ev.From] == nil {
				times[ev.From] = map[int]bool{}
			}
			times[ev.From][min(ev.Time, p.EOT)] = true
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

	// Node variables and clauses.
	e.nodeVar = make([]int, len(g.Nodes))
	for i := range g.Nodes {
		if reach[i] {
			e.nvars++
			e.nodeVar[i] = e.nvars
		}
	}
	for i, n := range g.Nodes {
		if !reach[i] {
			continue
		}
		x := e.nodeVar[i]
		switch n.Kind {
		case lineage.Send:
			ev := n.Event
			lits := []int{x}
			if v := e.omitVar[fault.Omission{From: ev.From, To: ev.To, Time: ev.Time}]; v != 0 {
				lits = append(lits, v)
			}
			for _, t := range e.crashTimes[ev.From] {
				if t <= ev.Time {
					lits = append(lits, e.crashVar[fault.Crash{Node: ev.From, Time: t}])
				}
			}
			e.constrs = append(e.constrs, solver.AtLeast1(lits...))
		case lineage.And:
			lits := []int{x}
			for _, c := range openChildren(n.Children, st) {
				lits = append(lits, -e.nodeVar[c])
			}
			e.constrs = append(e.constrs, solver.AtLeast1(lits...))
		case lineage.Or:
			for _, c := range openChildren(n.Children, st) {
				e.constrs = append(e.constrs, solver.AtLeast1(-e.nodeVar[c], x))
			}
		}
	}
	var rootLits []int
	for _, r := range roots {
		rootLits = append(rootLits, -e.nodeVar[r])
	}
	e.constrs = append(e.constrs, solver.AtLeast1(rootLits...))

	// Crash constraints: one time per node, and the budget.
	var allCrashes []int
	crashNodes := 0
	for _, n := range sortedKeys(e.crashTimes) {
		var vs []int
		for _, t := range e.crashTimes[n] {
			vs = append(vs, e.crashVar[fault.Crash{Node: n, Time: t}])
		}
		if len(vs) > 1 {
			e.constrs = append(e.constrs, solver.AtMost1(vs...))
		}
		allCrashes = append(allCrashes, vs...)
		crashNodes++
	}
	if crashNodes > budget {
		e.constrs = append(e.constrs, atMost(allCrashes, budget))
	}
	return e, nil
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
// schedule contains x (and so x's supersets).
func (e *encoding) exclude(x fault.Schedule) {
	x = x.Canonical()
	var lits []int
	for _, c := range x.Crashes {
		if t, ok := e.base.CrashTime(c.Node); ok && t == c.Time {
			continue // every extension has it
		}
		v := e.crashVar[c]
		if v == 0 {
			return // no extension has it: nothing to exclude
		}
		lits = append(lits, -v)
	}
	for _, o := range x.Omissions {
		if v := e.omitVar[o]; v != 0 {
			lits = append(lits, -v)
			continue
		}
		if !slices.Contains(e.base.Omissions, o) {
			return
		}
		// A base omission stays in the extension unless the extension
		// crashes its sender at or before its time (Canonical drops it).
		for _, t := range e.crashTimes[o.From] {
			if t <= o.Time {
				lits = append(lits, e.crashVar[fault.Crash{Node: o.From, Time: t}])
			}
		}
	}
	if len(lits) == 0 {
		e.allExcluded = true
		return
	}
	e.constrs = append(e.constrs, solver.AtLeast1(lits...))
}

// faultLits are the literals of all fault variables.
func (e *encoding) faultLits() []int {
	lits := make([]int, len(e.faults))
	for i := range lits {
		lits[i] = i + 1
	}
	return lits
}

// schedule turns a set of fault variables into the canonical schedule
// base ∪ faults.
func (e *encoding) schedule(vars []int) fault.Schedule {
	s := fault.Schedule{
		Omissions: slices.Clone(e.base.Omissions),
		Crashes:   slices.Clone(e.base.Crashes),
	}
	for _, v := range vars {
		if f := e.faults[v-1]; f.crash {
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

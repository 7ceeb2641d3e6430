package symbolic

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/go-air/gini/logic"
	"github.com/go-air/gini/z"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// ErrUnsupported is wrapped by the error returned for a program construct
// the exact encoding cannot express; the error names it with file:line:col.
var ErrUnsupported = errors.New("cannot be encoded exactly")

// ErrTooLarge is wrapped by the error returned when the universe of ground
// rule instances exceeds Options.MaxInstances; the error names the relation.
var ErrTooLarge = errors.New("the formula is too large")

// DefaultMaxInstances bounds the ground rule instances when
// Options.MaxInstances is zero.
const DefaultMaxInstances = 4_000_000

// maxSumStates bounds the subset-sum table of one sum<> group.
const maxSumStates = 4096

// encoder builds the circuit of one program under one set of bounds.
type encoder struct {
	ctx     context.Context
	prog    *dedalus.Program
	p       fault.Params
	c       *logic.C
	u       *universe
	nodeSet map[string]bool
	orders  [][]int // per rule: positive atoms in join order
	// hasDeductive marks relations derived by same-timestep rules: their
	// tuples are final only once their stratum is done.
	hasDeductive []bool
	readsCrash   bool
	maxInst      int
	instances    int
	instByRel    []int
	seen         map[string]bool // instance keys of the current stratum
	keybuf       []byte
	negCache     map[string]z.Lit // negated patterns: (rel, time, mask, values) -> literal
	strata       []stratumPlan

	faults faultVars
}

func (e *encoder) unsupported(pos dedalus.Pos, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", pos, ErrUnsupported, fmt.Sprintf(format, args...))
}

func newEncoder(ctx context.Context, prog *dedalus.Program, p fault.Params, maxInst int) *encoder {
	if maxInst <= 0 {
		maxInst = DefaultMaxInstances
	}
	e := &encoder{
		ctx: ctx, prog: prog, p: p, c: logic.NewC(),
		u:            newUniverse(len(prog.Relations), p.EOT),
		nodeSet:      map[string]bool{},
		orders:       make([][]int, len(prog.Rules)),
		hasDeductive: make([]bool, len(prog.Relations)),
		instByRel:    make([]int, len(prog.Relations)),
		negCache:     map[string]z.Lit{},
		maxInst:      maxInst,
	}
	for _, n := range p.Nodes {
		e.nodeSet[n] = true
	}
	for i := range prog.Rules {
		r := &prog.Rules[i]
		e.orders[i] = joinOrder(r)
		if r.Kind == dedalus.Deductive {
			e.hasDeductive[r.Head] = true
		}
		for _, a := range r.Body {
			if a.Rel == prog.Crash {
				e.readsCrash = true
			}
		}
	}
	e.faults = newFaultVars(e.c, p)
	e.strata = planStrata(prog, e.hasDeductive)
	return e
}

// stratumPlan lists a stratum's deductive rules so that a rule comes after
// the rules deriving what it reads in the same stratum; cyclic reports
// positive recursion within the stratum, where grounding must repeat
// rounds until no tuple is new.
type stratumPlan struct {
	rules  []int
	cyclic bool
}

func planStrata(prog *dedalus.Program, hasDeductive []bool) []stratumPlan {
	plans := make([]stratumPlan, prog.NumStrata)
	for s := range plans {
		// byHead[h] are the stratum's rules deriving h, in source order.
		byHead := map[dedalus.RelID][]int{}
		var heads []dedalus.RelID
		for i := range prog.Rules {
			r := &prog.Rules[i]
			if r.Kind != dedalus.Deductive || r.Stratum != s {
				continue
			}
			if _, ok := byHead[r.Head]; !ok {
				heads = append(heads, r.Head)
			}
			byHead[r.Head] = append(byHead[r.Head], i)
		}
		state := map[dedalus.RelID]int{} // 1 visiting, 2 done
		var visit func(h dedalus.RelID)
		visit = func(h dedalus.RelID) {
			state[h] = 1
			for _, ri := range byHead[h] {
				for _, a := range prog.Rules[ri].Body {
					if a.Negated || !hasDeductive[a.Rel] || prog.Relations[a.Rel].Stratum != s {
						continue
					}
					switch state[a.Rel] {
					case 0:
						visit(a.Rel)
					case 1:
						plans[s].cyclic = true
					}
				}
			}
			state[h] = 2
			plans[s].rules = append(plans[s].rules, byHead[h]...)
		}
		for _, h := range heads {
			if state[h] == 0 {
				visit(h)
			}
		}
	}
	return plans
}

// build computes the universe and the circuit for times 1..EOT.
func (e *encoder) build() error {
	if err := e.checkSupported(); err != nil {
		return err
	}
	for t := 1; t <= e.p.EOT; t++ {
		if err := e.ctx.Err(); err != nil {
			return err
		}
		e.startTime(t)
		for s := 0; s < e.prog.NumStrata; s++ {
			if err := e.stratum(t, s); err != nil {
				return err
			}
		}
		if err := e.carry(t); err != nil {
			return err
		}
	}
	return nil
}

// checkSupported rejects, before any work, what the encoding cannot
// express.
func (e *encoder) checkSupported() error {
	for i := range e.prog.Rules {
		r := &e.prog.Rules[i]
		if !r.HasAgg {
			continue
		}
		if r.Kind != dedalus.Deductive {
			return e.unsupported(r.Pos, "an aggregate in an %s rule", r.Kind)
		}
		for _, a := range r.Body {
			if !a.Negated && e.hasDeductive[a.Rel] && e.prog.Relations[a.Rel].Stratum >= r.Stratum {
				return e.unsupported(a.Pos, "an aggregate over %s, which is derived in the same stratum", e.prog.Relations[a.Rel].Name)
			}
		}
	}
	return nil
}

// startTime adds the facts and the crash oracle of time t and finalizes
// the tuples of relations that no same-timestep rule derives.
func (e *encoder) startTime(t int) {
	for _, f := range e.prog.Facts {
		if f.Time == t {
			id, _ := e.u.add(f.Rel, t, f.Args)
			e.u.tuples[id].base = append(e.u.tuples[id].base, e.c.T)
		}
	}
	if e.readsCrash && e.prog.Crash != dedalus.NoRel && t == 1 {
		// The oracle is the same at every time: one copy (universe.timeless).
		e.u.timeless = e.prog.Crash
		for _, o := range e.p.Nodes {
			for _, n := range e.p.Nodes {
				for c := 1; c <= e.p.EOT; c++ {
					args := []dedalus.Value{str(o), str(n), {Type: dedalus.TypeInt, Int: int64(c)}}
					id, _ := e.u.add(e.prog.Crash, t, args)
					tp := &e.u.tuples[id]
					tp.lit, tp.final = e.faults.crashAt(n, c), true
				}
			}
		}
	}
	for r := range e.u.tabs {
		if e.hasDeductive[r] {
			continue
		}
		if tab := e.u.tabs[r][t]; tab != nil {
			for _, id := range tab.rows {
				e.finalizeBase(id)
			}
		}
	}
}

func str(s string) dedalus.Value { return dedalus.Value{Type: dedalus.TypeString, Str: s} }

func (e *encoder) finalizeBase(id tupleID) {
	tp := &e.u.tuples[id]
	tp.lit = e.c.Ors(tp.base...)
	tp.final = true
}

// stratum grounds the deductive rules of stratum s at time t to a fixpoint
// of the universe, then builds the formulas of the stratum's tuples.
func (e *encoder) stratum(t, s int) error {
	rules := e.strata[s].rules
	if len(rules) == 0 {
		return e.finalizeStratum(t, s)
	}
	e.seen = map[string]bool{}
	first := true
	for round := 0; ; round++ {
		if round == maxRounds {
			return fmt.Errorf("%w: the recursion of stratum %d did not reach a fixpoint at time %d within %d rounds of grounding (does a rule build ever larger values within a timestep?)",
				ErrTooLarge, s, t, maxRounds)
		}
		before := len(e.u.tuples)
		for _, ri := range rules {
			r := &e.prog.Rules[ri]
			if r.HasAgg {
				if first {
					if err := e.aggregate(ri, t); err != nil {
						return err
					}
				}
				continue
			}
			if err := e.deduce(ri, t); err != nil {
				return err
			}
		}
		first = false
		if !e.strata[s].cyclic || len(e.u.tuples) == before {
			break // in dependency order, an acyclic stratum needs one round
		}
		if err := e.ctx.Err(); err != nil {
			return err
		}
	}
	e.seen = nil
	return e.finalizeStratum(t, s)
}

// maxRounds bounds the rounds of one same-timestep fixpoint of the
// universe. Each round adds at least one tuple, so a protocol's recursion
// (a path over its few nodes) ends in a handful; a rule that builds ever
// larger values (X + 1 feeding X) never does, and the evaluator stops it
// at its tuple limit while naive rounds over a growing set would take
// quadratic time to reach MaxInstances.
const maxRounds = 4096

// instanceKey identifies a binding by its rule and positive body tuples
// (safety makes them determine every variable), in a reused buffer.
func (e *encoder) instanceKey(ri int, body []tupleID) []byte {
	b := binary.LittleEndian.AppendUint32(e.keybuf[:0], uint32(ri))
	for _, id := range body {
		b = binary.LittleEndian.AppendUint32(b, uint32(id))
	}
	e.keybuf = b
	return b
}

// count charges one ground instance of rule r against the limit.
func (e *encoder) count(r *dedalus.Rule) error {
	e.instances++
	e.instByRel[r.Head]++
	if e.instances > e.maxInst {
		worst := 0
		for rel, n := range e.instByRel {
			if n > e.instByRel[worst] {
				worst = rel
			}
		}
		return fmt.Errorf("%w: more than %d ground rule instances (most for %s: %d)",
			ErrTooLarge, e.maxInst, e.prog.Relations[worst].Name, e.instByRel[worst])
	}
	return nil
}

// deduce grounds one non-aggregate deductive rule at time t.
func (e *encoder) deduce(ri, t int) error {
	r := &e.prog.Rules[ri]
	return e.bindings(ri, t, func(b *binding) error {
		k := e.instanceKey(ri, b.body)
		if e.seen[string(k)] {
			return nil
		}
		e.seen[string(k)] = true
		g, ok, err := e.instantiate(r, t, b)
		if err != nil || !ok {
			return err
		}
		if err := e.count(r); err != nil {
			return err
		}
		id, _ := e.u.add(r.Head, t, g.head)
		e.u.tuples[id].insts = append(e.u.tuples[id].insts, g.inst)
		return nil
	})
}

// carry grounds the @next and @async rules at time t: their heads join the
// universe at t+1 (when t+1 <= EOT) as base disjuncts; with delays, an
// @async head also at every later arrival time up to EOT.
func (e *encoder) carry(t int) error {
	if t+1 > e.p.EOT {
		return nil
	}
	for ri := range e.prog.Rules {
		r := &e.prog.Rules[ri]
		if r.Kind == dedalus.Deductive {
			continue
		}
		err := e.bindings(ri, t, func(b *binding) error {
			g, ok, err := e.instantiate(r, t, b)
			if err != nil || !ok {
				return err
			}
			if err := e.count(r); err != nil {
				return err
			}
			if r.Kind != dedalus.Async {
				e.addBase(r.Head, t+1, g.head, g.inst.cond)
				return nil
			}
			for _, a := range e.faults.arrivals(g.node, g.head[0].Str, t) {
				e.addBase(r.Head, a.at, g.head, e.c.And(g.inst.cond, a.lit))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// addBase adds cond as a base disjunct of rel(args)@at, unless it is
// constant false (the tuple then joins the universe only if something else
// derives it). at > the current time: grounding reaches it later.
func (e *encoder) addBase(rel dedalus.RelID, at int, args []dedalus.Value, cond z.Lit) {
	if cond == e.c.F || at > e.p.EOT {
		return
	}
	id, _ := e.u.add(rel, at, args)
	e.u.tuples[id].base = append(e.u.tuples[id].base, cond)
}

// finalizeStratum builds the formula of every tuple at time t of the
// relations of stratum s derived by same-timestep rules, in dependency
// order: a tuple outside any cycle is the OR of its base and its
// instances; a strongly connected set of k tuples is iterated k times from
// all-false, which reaches the least fixpoint.
func (e *encoder) finalizeStratum(t, s int) error {
	var todo []tupleID
	for r := range e.u.tabs {
		if !e.hasDeductive[r] || e.prog.Relations[r].Stratum != s {
			continue
		}
		if tab := e.u.tabs[r][t]; tab != nil {
			for _, id := range tab.rows {
				if !e.u.tuples[id].final {
					todo = append(todo, id)
				}
			}
		}
	}
	for _, scc := range e.sccs(todo) {
		if len(scc) == 1 && !e.selfLoop(scc[0]) {
			tp := &e.u.tuples[scc[0]]
			tp.lit = e.disjunction(tp, nil)
			tp.final = true
			continue
		}
		cur := make(map[tupleID]z.Lit, len(scc))
		for _, id := range scc {
			cur[id] = e.c.F
		}
		for range scc {
			next := make(map[tupleID]z.Lit, len(scc))
			for _, id := range scc {
				next[id] = e.disjunction(&e.u.tuples[id], cur)
			}
			cur = next
			if err := e.ctx.Err(); err != nil {
				return err
			}
		}
		for _, id := range scc {
			e.u.tuples[id].lit = cur[id]
			e.u.tuples[id].final = true
		}
	}
	return nil
}

// disjunction is OR(base, instances) for tp, reading the inner tuples from
// cur when present there, else their final formulas.
func (e *encoder) disjunction(tp *tuple, cur map[tupleID]z.Lit) z.Lit {
	ds := slices.Clone(tp.base)
	for _, in := range tp.insts {
		ls := []z.Lit{in.cond}
		for _, id := range in.inner {
			if l, ok := cur[id]; ok {
				ls = append(ls, l)
			} else {
				ls = append(ls, e.u.tuples[id].lit)
			}
		}
		ds = append(ds, e.c.Ands(ls...))
	}
	return e.c.Ors(ds...)
}

func (e *encoder) selfLoop(id tupleID) bool {
	for _, in := range e.u.tuples[id].insts {
		if slices.Contains(in.inner, id) {
			return true
		}
	}
	return false
}

// sccs returns the strongly connected components of the inner-dependency
// graph over todo, dependencies first (Tarjan's algorithm, iterative).
func (e *encoder) sccs(todo []tupleID) [][]tupleID {
	in := make(map[tupleID]bool, len(todo))
	for _, id := range todo {
		in[id] = true
	}
	index := map[tupleID]int{}
	low := map[tupleID]int{}
	onStack := map[tupleID]bool{}
	var stack []tupleID
	var out [][]tupleID
	type frame struct {
		id   tupleID
		deps []tupleID
		i    int
	}
	deps := func(id tupleID) []tupleID {
		var ds []tupleID
		for _, inst := range e.u.tuples[id].insts {
			for _, d := range inst.inner {
				if in[d] {
					ds = append(ds, d)
				}
			}
		}
		return ds
	}
	next := 0
	for _, root := range todo {
		if _, ok := index[root]; ok {
			continue
		}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		frames := []frame{{id: root, deps: deps(root)}}
		for len(frames) > 0 {
			f := &frames[len(frames)-1]
			if f.i < len(f.deps) {
				d := f.deps[f.i]
				f.i++
				if _, ok := index[d]; !ok {
					index[d], low[d] = next, next
					next++
					stack = append(stack, d)
					onStack[d] = true
					frames = append(frames, frame{id: d, deps: deps(d)})
				} else if onStack[d] && index[d] < low[f.id] {
					low[f.id] = index[d]
				}
				continue
			}
			id := f.id
			frames = frames[:len(frames)-1]
			if len(frames) > 0 {
				p := frames[len(frames)-1].id
				if low[id] < low[p] {
					low[p] = low[id]
				}
			}
			if low[id] == index[id] {
				var scc []tupleID
				for {
					x := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[x] = false
					scc = append(scc, x)
					if x == id {
						break
					}
				}
				out = append(out, scc)
			}
		}
	}
	return out
}

package symbolic

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/go-air/gini/logic"
	"github.com/go-air/gini/z"

	"github.com/ldfi/ldfi/fault"
)

// asyncBounds are small bounds exercising every asynchrony fault.
var asyncBounds = []fault.Params{
	{Nodes: []string{"a", "b", "c"}, EOT: 6, EFF: 4, MaxCrashes: 1, MaxDelay: 2, Duplicates: true, MaxPartitions: 1, MaxOmissions: 1, OmissionsBounded: true},
	{Nodes: []string{"a", "b"}, EOT: 5, EFF: 3, MaxDelay: 1, Duplicates: true, MaxPartitions: 2},
	{Nodes: []string{"a", "b", "c"}, EOT: 6, EFF: 6, MaxDelay: 1, MaxPartitions: 1},
	{Nodes: []string{"a", "b", "c"}, EOT: 5, EFF: 4, MaxCrashes: 2, MaxDelay: 3, MaxOmissions: 0, OmissionsBounded: true},
	{Nodes: []string{"a", "b", "c", "d"}, EOT: 4, EFF: 3, MaxPartitions: 2, MaxOmissions: 2, OmissionsBounded: true},
}

// msgSlot is one message send: from -> to at t.
type msgSlot struct {
	from, to string
	t        int
}

// allSlots lists every send of p's nodes and an outsider, at times 0..EOT.
func allSlots(p fault.Params) []msgSlot {
	var out []msgSlot
	ends := append(slices.Clone(p.Nodes), "z")
	for _, from := range ends {
		for _, to := range ends {
			for t := 0; t <= p.EOT; t++ {
				out = append(out, msgSlot{from, to, t})
			}
		}
	}
	return out
}

// randomSchedule draws a valid canonical schedule of p (rejection
// sampling).
func randomSchedule(r *rand.Rand, p fault.Params) fault.Schedule {
	node := func() string { return p.Nodes[r.IntN(len(p.Nodes))] }
	for {
		var s fault.Schedule
		for range r.IntN(p.MaxCrashes + 1) {
			s.Crashes = append(s.Crashes, fault.Crash{Node: node(), Time: 1 + r.IntN(p.EOT)})
		}
		if p.EFF > 1 {
			for range r.IntN(4) {
				s.Omissions = append(s.Omissions, fault.Omission{From: node(), To: node(), Time: 1 + r.IntN(p.EFF-1)})
			}
			for range r.IntN(4) {
				if p.MaxDelay > 0 {
					s.Delays = append(s.Delays, fault.Delay{From: node(), To: node(), Time: 1 + r.IntN(p.EFF-1), By: 1 + r.IntN(p.MaxDelay)})
				}
				if p.Duplicates {
					s.Duplicates = append(s.Duplicates, fault.Duplicate{From: node(), To: node(), Time: 1 + r.IntN(p.EFF-1), By: 1 + r.IntN(p.MaxDelay)})
				}
			}
			for range r.IntN(p.MaxPartitions + 1) {
				x := fault.Partition{From: 1 + r.IntN(p.EFF-1)}
				x.To = x.From + r.IntN(p.EFF-x.From)
				for _, n := range p.Nodes {
					g := r.IntN(2)
					x.Groups[g] = append(x.Groups[g], n)
				}
				s.Partitions = append(s.Partitions, x)
			}
		}
		if p.ValidateSchedule(s) == nil {
			return s.Canonical() // no fault twice, none redundant
		}
	}
}

// assign sets the fault inputs of f to the schedule s (every slot's inputs
// must exist) and evaluates the circuit: vs[v] is the value of variable v.
func assign(t *testing.T, f *faultVars, s fault.Schedule) []bool {
	t.Helper()
	vs := make([]bool, f.c.Len())
	set := func(m z.Lit) {
		if m == f.c.F || m == f.c.T {
			t.Fatalf("schedule %s sets a constant", s)
		}
		vs[m.Var()] = true
	}
	for _, c := range s.Crashes {
		set(f.crashAt(c.Node, c.Time))
	}
	slot := func(from, to string, tm int) *slotVars {
		sv, ok := f.slots[fault.Omission{From: from, To: to, Time: tm}]
		if !ok {
			t.Fatalf("no inputs for the slot %s->%s@%d", from, to, tm)
		}
		return sv
	}
	for _, o := range s.Omissions {
		set(f.omit[o])
	}
	for _, d := range s.Delays {
		set(slot(d.From, d.To, d.Time).late[d.By-1])
	}
	for _, d := range s.Duplicates {
		set(slot(d.From, d.To, d.Time).dup[d.By-1])
	}
	for i, x := range s.Partitions {
		pv := f.parts[i]
		for tm := x.From; tm <= x.To; tm++ {
			set(pv.in[tm-1])
		}
		second := x.Groups[0]
		if slices.Contains(second, f.p.Nodes[0]) {
			second = x.Groups[1]
		}
		for _, n := range second {
			set(pv.side[n])
		}
	}
	f.c.Eval(vs)
	return vs
}

func litValue(vs []bool, m z.Lit) bool {
	return vs[m.Var()] == m.IsPos()
}

// TestArrivalsMatchFate checks the encoding of a message's arrivals
// against fault.Params.Fate, the one rule, on random valid schedules:
// for every send (nodes, an outsider, self, every time) and every arrival
// time up to EOT, the circuit says a copy arrives iff Delivers does. The
// schedule also satisfies the fault constraints, and the fault count of
// the circuit is its size.
func TestArrivalsMatchFate(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for _, p := range asyncBounds {
		fv := newFaultVars(logic.NewC(), p)
		f := &fv
		arr := map[msgSlot][]arrival{}
		for _, m := range allSlots(p) {
			arr[m] = f.arrivals(m.from, m.to, m.t)
		}
		budget := f.omissionBudget() // before assign: its sorter adds gates
		for range 300 {
			s := randomSchedule(r, p)
			vs := assign(t, f, s)
			for m, as := range arr {
				for at := m.t + 1; at <= p.EOT; at++ {
					got := false
					for _, a := range as {
						if a.at == at {
							got = litValue(vs, a.lit)
						}
					}
					if want := p.Delivers(s, m.from, m.to, m.t, at); got != want {
						t.Fatalf("%v: schedule %s, %s->%s@%d arriving at %d: circuit %v, Fate %v", p, s, m.from, m.to, m.t, at, got, want)
					}
				}
			}
			checkConstraints(t, f, budget, s, vs)
		}
	}
}

// checkConstraints asserts that the valid schedule s, assigned as vs,
// satisfies every fault clause and the omission budget (LitNull: none),
// and that the circuit counts its faults.
func checkConstraints(t *testing.T, f *faultVars, budget z.Lit, s fault.Schedule, vs []bool) {
	t.Helper()
	for _, cl := range f.asyncClauses() {
		if !slices.ContainsFunc(cl, func(m z.Lit) bool { return litValue(vs, m) }) {
			t.Fatalf("schedule %s violates the clause %v", s, cl)
		}
	}
	if budget != z.LitNull {
		if !litValue(vs, budget) {
			t.Fatalf("schedule %s exceeds the omission budget in the circuit", s)
		}
	}
	n := 0
	for _, m := range f.costs() {
		if litValue(vs, m) {
			n++
		}
	}
	if n != s.Size() {
		t.Fatalf("schedule %s: the circuit counts %d faults, the schedule has %d", s, n, s.Size())
	}
}

// TestDecodeRoundTrip asserts every fault input of a random valid
// schedule, solves, and decodes: the same canonical schedule comes back.
// Then it asks the solver for arbitrary models under random assumptions
// on the inputs: each decodes to a valid schedule under which every
// message arrives when the model says.
func TestDecodeRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for _, p := range asyncBounds {
		fv := newFaultVars(logic.NewC(), p)
		f := &fv
		arr := map[msgSlot][]arrival{}
		s := newSolver(context.Background(), f.c)
		for _, m := range allSlots(p) {
			arr[m] = f.arrivals(m.from, m.to, m.t)
			for _, a := range arr[m] {
				s.cone(a.lit)
			}
		}
		f.constrain(s)
		inputs := f.c.InPos(nil)
		for range 100 {
			want := randomSchedule(r, p)
			vs := assign(t, f, want)
			var assume []z.Lit
			for _, i := range inputs {
				assume = append(assume, z.Var(i).Pos().Not())
				if vs[i] {
					assume[len(assume)-1] = z.Var(i).Pos()
				}
			}
			if sat, err := s.solve(assume...); err != nil || !sat {
				t.Fatalf("%v: the valid schedule %s is excluded by the constraints (%v)", p, want, err)
			}
			if got := f.schedule(s).Canonical(); got.String() != want.Canonical().String() {
				t.Fatalf("%v: schedule %s decodes as %s", p, want.Canonical(), got)
			}
		}
		for range 200 {
			var assume []z.Lit
			for _, i := range inputs {
				switch r.IntN(6) {
				case 0:
					assume = append(assume, z.Var(i).Pos())
				case 1:
					assume = append(assume, z.Var(i).Pos().Not())
				}
			}
			sat, err := s.solve(assume...)
			if err != nil {
				t.Fatal(err)
			}
			if !sat {
				continue
			}
			got := f.schedule(s)
			if err := p.ValidateSchedule(got.Canonical()); err != nil {
				t.Fatalf("%v: a model decodes to an invalid schedule %s: %v", p, got, err)
			}
			if err := p.ValidateSchedule(got); err != nil {
				t.Fatalf("%v: a model decodes to an invalid raw schedule %s: %v", p, got, err)
			}
			for m, as := range arr {
				for _, a := range as {
					if s.value(a.lit) != p.Delivers(got, m.from, m.to, m.t, a.at) {
						t.Fatalf("%v: in a model decoded as %s, %s->%s@%d arriving at %d is %v, Fate says otherwise", p, got, m.from, m.to, m.t, a.at, s.value(a.lit))
					}
				}
			}
		}
	}
}

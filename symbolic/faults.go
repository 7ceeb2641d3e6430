package symbolic

import (
	"github.com/go-air/gini/logic"
	"github.com/go-air/gini/z"

	"github.com/ldfi/ldfi/fault"
)

// faultVars are the inputs of the circuit: the schedule.
type faultVars struct {
	c *logic.C
	p fault.Params
	// crash[n][c-1] holds when node n crashes at time c (one-hot or none).
	crash map[string][]z.Lit
	// crashedBy[n][t] holds when n crashed at some time <= t.
	crashedBy map[string][]z.Lit
	omit      map[fault.Omission]z.Lit
	omitOrder []fault.Omission // in creation order (deterministic)

	// The asynchrony faults (async.go), only when p.Async(): per send
	// slot the delivery-time choices, and the partition slots.
	slots     map[fault.Omission]*slotVars
	slotOrder []fault.Omission // in creation order (deterministic)
	parts     []partVars
}

func newFaultVars(c *logic.C, p fault.Params) faultVars {
	f := faultVars{c: c, p: p, crash: map[string][]z.Lit{}, crashedBy: map[string][]z.Lit{}, omit: map[fault.Omission]z.Lit{}}
	if p.MaxCrashes > 0 {
		f.newCrashes()
	}
	if p.Async() {
		f.slots = map[fault.Omission]*slotVars{}
		f.newPartitions()
	}
	return f
}

// newCrashes creates, per node, the one-hot crash time and its prefix ORs.
func (f *faultVars) newCrashes() {
	c, p := f.c, f.p
	for _, n := range p.Nodes {
		vs := make([]z.Lit, p.EOT)
		by := make([]z.Lit, p.EOT+1)
		by[0] = c.F
		for t := 1; t <= p.EOT; t++ {
			vs[t-1] = c.Lit()
			by[t] = c.Or(by[t-1], vs[t-1])
		}
		f.crash[n], f.crashedBy[n] = vs, by
	}
}

// crashAt is the literal "n crashes at time t".
func (f *faultVars) crashAt(n string, t int) z.Lit {
	if vs, ok := f.crash[n]; ok && t >= 1 && t <= len(vs) {
		return vs[t-1]
	}
	return f.c.F
}

// delivered is the literal "a message from -> to sent at t is not removed",
// by fault.Params.RemovedBy.
// (Without asynchrony faults; arrivals generalizes it.)
func (f *faultVars) delivered(from, to string, t int) z.Lit {
	rm := f.p.RemovedBy(from, to, t)
	lost := f.crashedByLit(rm, from, t)
	if rm.Omittable {
		lost = f.c.Or(lost, f.omitVar(from, to, t))
	}
	return lost.Not()
}

// crashedByLit is "the sender crashed at or before t" where a crash can
// remove the message (rm.Crashable), else false.
func (f *faultVars) crashedByLit(rm fault.Removal, from string, t int) z.Lit {
	if rm.Crashable {
		if by, ok := f.crashedBy[from]; ok && t >= 1 {
			return by[min(t, len(by)-1)]
		}
	}
	return f.c.F
}

// omitVar is the omission input of the slot from -> to at t, created on
// first use.
func (f *faultVars) omitVar(from, to string, t int) z.Lit {
	o := fault.Omission{From: from, To: to, Time: t}
	v, ok := f.omit[o]
	if !ok {
		v = f.c.Lit()
		f.omit[o] = v
		f.omitOrder = append(f.omitOrder, o)
	}
	return v
}

// crashed lists, per node in Params order, "n crashes at some time".
func (f *faultVars) crashed() []z.Lit {
	var out []z.Lit
	for _, n := range f.p.Nodes {
		if by, ok := f.crashedBy[n]; ok {
			out = append(out, by[len(by)-1])
		}
	}
	return out
}

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
}

func newFaultVars(c *logic.C, p fault.Params) faultVars {
	f := faultVars{c: c, p: p, crash: map[string][]z.Lit{}, crashedBy: map[string][]z.Lit{}, omit: map[fault.Omission]z.Lit{}}
	if p.MaxCrashes == 0 {
		return f
	}
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
	return f
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
func (f *faultVars) delivered(from, to string, t int) z.Lit {
	rm := f.p.RemovedBy(from, to, t)
	lost := f.c.F
	if rm.Crashable {
		if by, ok := f.crashedBy[from]; ok && t >= 1 {
			lost = by[min(t, len(by)-1)]
		}
	}
	if rm.Omittable {
		o := fault.Omission{From: from, To: to, Time: t}
		v, ok := f.omit[o]
		if !ok {
			v = f.c.Lit()
			f.omit[o] = v
			f.omitOrder = append(f.omitOrder, o)
		}
		lost = f.c.Or(lost, v)
	}
	return lost.Not()
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

package symbolic

import (
	"github.com/go-air/gini/z"

	"github.com/ldfi/ldfi/fault"
)

// The asynchrony faults (fault/async.go) as circuit inputs. They exist only
// when fault.Params.Async(); otherwise the encoding is the omission-and-
// crash one, gate for gate.
//
// Each faultable send slot (fault.Removal.Omittable) gets a delivery-time
// choice, one-hot: late[d-1] "the first copy arrives d steps late" for d in
// 1..MaxDelay (none true: on time), and with Duplicates dup[b-1] "a second
// copy arrives b steps late". One-hot rather than a log encoding because
// every arrival time is then one input (the arrival of a copy at t+1+k is
// late[k] OR dup[k], no decoder gates), the fault count of a slot is the OR
// of its inputs, there are no out-of-range codes to exclude, and MaxDelay is
// small in any useful bound (a copy arriving after EOT is never seen): the
// pairwise at-most-one clauses stay few. Delays past EOT are kept as
// choices: the model allows them, and they lose the message without
// counting against an omission budget.
//
// Each of the MaxPartitions partition slots gets in[t-1] "the partition
// cuts sends at time t" for t in 1..EFF-1, constrained to an interval
// (empty: unused), and side[n] "node n is in the second group" for every
// node but the first (always in the first group), so that the assignments
// of side are exactly the 2^(n-1)-1 splits once one node is required on the
// second side. A slot is cut when some partition holds at its send time and
// puts its ends on different sides.

// slotVars are the delivery-time choices of one send slot.
type slotVars struct {
	late, dup []z.Lit
	// delayed and duplicated are the ORs of late and dup: the slot's
	// delay and duplicate faults, each counting one.
	delayed, duplicated z.Lit
}

// partVars are the inputs of one partition slot.
type partVars struct {
	in   []z.Lit          // in[t-1]: cuts sends at time t, 1 <= t < EFF
	side map[string]z.Lit // side[n]: n in the second group (first node: F)
	used z.Lit            // OR of in: the partition is a fault
}

// arrival is one possible arrival time of a message and its condition.
type arrival struct {
	at  int
	lit z.Lit
}

// omissionsAllowed reports whether a slot may be omitted at all: not under
// an omission budget of zero ("bugs that need no loss").
func (f *faultVars) omissionsAllowed() bool {
	return !f.p.OmissionsBounded || f.p.MaxOmissions > 0
}

// newPartitions creates the partition slots (none when EFF <= 1: no send
// time can be cut).
func (f *faultVars) newPartitions() {
	w := f.p.EFF - 1
	if w < 1 || len(f.p.Nodes) < 2 {
		return
	}
	for range f.p.MaxPartitions {
		pv := partVars{in: make([]z.Lit, w), side: map[string]z.Lit{}}
		for i := range pv.in {
			pv.in[i] = f.c.Lit()
		}
		for i, n := range f.p.Nodes {
			if i == 0 {
				pv.side[n] = f.c.F
			} else {
				pv.side[n] = f.c.Lit()
			}
		}
		pv.used = f.c.Ors(pv.in...)
		f.parts = append(f.parts, pv)
	}
}

// arrivals lists when a message from -> to sent at t can arrive (times up
// to EOT) and under which condition, by fault.Params.Fate: removed when
// the sender crashed by t, a partition cuts the slot or it is omitted;
// otherwise its first copy arrives at t+1 unless delayed, and a copy
// arrives at t+1+k when the slot is delayed or duplicated by k.
func (f *faultVars) arrivals(from, to string, t int) []arrival {
	if !f.p.Async() {
		return []arrival{{t + 1, f.delivered(from, to, t)}}
	}
	rm := f.p.RemovedBy(from, to, t)
	lost := f.crashedByLit(rm, from, t)
	if !rm.Omittable {
		return []arrival{{t + 1, lost.Not()}}
	}
	s := f.slot(from, to, t)
	if f.omissionsAllowed() {
		lost = f.c.Or(lost, f.omitVar(from, to, t))
	}
	kept := f.c.Or(lost, f.cut(from, to, t)).Not()
	out := []arrival{{t + 1, f.c.And(kept, s.delayed.Not())}}
	for k := 1; k <= f.p.MaxDelay && t+1+k <= f.p.EOT; k++ {
		copyAt := s.late[k-1]
		if s.dup != nil {
			copyAt = f.c.Or(copyAt, s.dup[k-1])
		}
		out = append(out, arrival{t + 1 + k, f.c.And(kept, copyAt)})
	}
	return out
}

// slot returns the delivery-time choices of a faultable slot, creating
// them on first use.
func (f *faultVars) slot(from, to string, t int) *slotVars {
	k := fault.Omission{From: from, To: to, Time: t}
	if s, ok := f.slots[k]; ok {
		return s
	}
	s := &slotVars{delayed: f.c.F, duplicated: f.c.F}
	for range f.p.MaxDelay {
		s.late = append(s.late, f.c.Lit())
	}
	if f.p.Duplicates {
		for range f.p.MaxDelay {
			s.dup = append(s.dup, f.c.Lit())
		}
		s.duplicated = f.c.Ors(s.dup...)
	}
	if len(s.late) > 0 {
		s.delayed = f.c.Ors(s.late...)
	}
	f.slots[k] = s
	f.slotOrder = append(f.slotOrder, k)
	return s
}

// cut is the literal "some partition cuts the slot from -> to at t" (both
// ends are nodes and 1 <= t < EFF: the caller checked Omittable).
func (f *faultVars) cut(from, to string, t int) z.Lit {
	var ds []z.Lit
	for _, pv := range f.parts {
		ds = append(ds, f.c.And(pv.in[t-1], f.c.Xor(pv.side[from], pv.side[to])))
	}
	return f.c.Ors(ds...)
}

// asyncClauses are the constraints on the asynchrony inputs, as clauses
// over inputs only: per slot at most one delay and one duplicate, a
// duplicate later than the delay (not at its time: no second arrival;
// not earlier: the copies are alike, so that is the same schedule, which
// Canonical writes with the delay first), neither with an omission; per
// partition an interval of send times, a proper split when used and no
// split when unused, and the slots used in order (symmetry: partition k+1
// only when partition k is used).
func (f *faultVars) asyncClauses() [][]z.Lit {
	var cs [][]z.Lit
	for _, k := range f.slotOrder {
		s := f.slots[k]
		cs = append(cs, atMostOne(s.late)...)
		cs = append(cs, atMostOne(s.dup)...)
		for i, d := range s.dup {
			for _, l := range s.late[i:] {
				cs = append(cs, []z.Lit{d.Not(), l.Not()})
			}
		}
		if o, ok := f.omit[k]; ok {
			for _, v := range append(append([]z.Lit(nil), s.late...), s.dup...) {
				cs = append(cs, []z.Lit{o.Not(), v.Not()})
			}
		}
	}
	for i, pv := range f.parts {
		cs = append(cs, f.partitionClauses(pv)...)
		if i > 0 {
			prev := f.parts[i-1].in
			for _, v := range pv.in {
				cs = append(cs, append([]z.Lit{v.Not()}, prev...))
			}
		}
	}
	return cs
}

// partitionClauses: in is an interval (no gap: in[s] and in[m+1] imply
// in[m] for s < m, which excludes every gap by its last false position),
// some node on the second side when in is not empty, none when it is.
func (f *faultVars) partitionClauses(pv partVars) [][]z.Lit {
	var cs [][]z.Lit
	for m := 1; m+1 < len(pv.in); m++ {
		for s := range m {
			cs = append(cs, []z.Lit{pv.in[s].Not(), pv.in[m], pv.in[m+1].Not()})
		}
	}
	var sides []z.Lit
	for _, n := range f.p.Nodes[1:] {
		sides = append(sides, pv.side[n])
		cs = append(cs, append([]z.Lit{pv.side[n].Not()}, pv.in...))
	}
	for _, v := range pv.in {
		cs = append(cs, append([]z.Lit{v.Not()}, sides...))
	}
	return cs
}

// atMostOne is the pairwise encoding (a handful of inputs per slot).
func atMostOne(vs []z.Lit) [][]z.Lit {
	var cs [][]z.Lit
	for i := range vs {
		for j := i + 1; j < len(vs); j++ {
			cs = append(cs, []z.Lit{vs[i].Not(), vs[j].Not()})
		}
	}
	return cs
}

// asyncCosts are the literals of the asynchrony faults, each counting one:
// per slot its delay and its duplicate, per partition its use.
func (f *faultVars) asyncCosts() []z.Lit {
	var out []z.Lit
	for _, k := range f.slotOrder {
		s := f.slots[k]
		if s.delayed != f.c.F {
			out = append(out, s.delayed)
		}
		if s.duplicated != f.c.F {
			out = append(out, s.duplicated)
		}
	}
	for _, pv := range f.parts {
		out = append(out, pv.used)
	}
	return out
}

// asyncVarCount is the number of asynchrony inputs (for Stats.FaultVars).
func (f *faultVars) asyncVarCount() int {
	n := 0
	for _, s := range f.slots {
		n += len(s.late) + len(s.dup)
	}
	for _, pv := range f.parts {
		n += len(pv.in) + len(pv.side) - 1
	}
	return n
}

// asyncSchedule reads the asynchrony faults of a model into s.
func (f *faultVars) asyncSchedule(m *solver, s *fault.Schedule) {
	for _, k := range f.slotOrder {
		sv := f.slots[k]
		for i, v := range sv.late {
			if m.value(v) {
				s.Delays = append(s.Delays, fault.Delay{From: k.From, To: k.To, Time: k.Time, By: i + 1})
				break
			}
		}
		for i, v := range sv.dup {
			if m.value(v) {
				s.Duplicates = append(s.Duplicates, fault.Duplicate{From: k.From, To: k.To, Time: k.Time, By: i + 1})
				break
			}
		}
	}
	for _, pv := range f.parts {
		if x, ok := f.partition(m, pv); ok {
			s.Partitions = append(s.Partitions, x)
		}
	}
}

// partition reads one partition slot: its split and its interval (the
// first to the last time in holds), and whether it is used.
func (f *faultVars) partition(m *solver, pv partVars) (fault.Partition, bool) {
	x := fault.Partition{}
	for i, v := range pv.in {
		if m.value(v) {
			if x.From == 0 {
				x.From = i + 1
			}
			x.To = i + 1
		}
	}
	if x.From == 0 {
		return x, false
	}
	for _, n := range f.p.Nodes {
		g := 0
		if pv.side[n] != f.c.F && m.value(pv.side[n]) {
			g = 1
		}
		x.Groups[g] = append(x.Groups[g], n)
	}
	return x, true
}

package eval

import "github.com/ldfi/ldfi/fault"

// The asynchrony faults in the evaluator: the schedule's delays,
// duplicates and partitions are indexed once per run by string ID, like
// omissions and crashes, and fault.Removal.Fate (the one rule) decides
// each message from them. A copy arriving at time a <= EOT is a derivation
// of the head tuple at a, made when the message is sent: tables of later
// times are filled ahead, and nothing reads a table before its time comes
// (atomTime, negFound), so an early arrival is indistinguishable from a
// tuple derived at its own time.

// indexAsync indexes the asynchrony faults of r.s for nstr string IDs.
func (r *run) indexAsync(nstr int) {
	key := func(from, to string, t int) [3]int64 {
		return [3]int64{r.lookupStr(from), r.lookupStr(to), int64(t)}
	}
	for _, d := range r.s.Delays {
		if r.late == nil {
			r.late = map[[3]int64]lateness{}
		}
		k := key(d.From, d.To, d.Time)
		l := r.late[k]
		l.delay = int32(d.By)
		r.late[k] = l
	}
	for _, d := range r.s.Duplicates {
		if r.late == nil {
			r.late = map[[3]int64]lateness{}
		}
		k := key(d.From, d.To, d.Time)
		l := r.late[k]
		l.dup = int32(d.By)
		r.late[k] = l
	}
	for _, x := range r.s.Partitions {
		pi := partIdx{side: make([]uint8, nstr), from: x.From, to: x.To}
		for g, group := range x.Groups {
			for _, n := range group {
				if id := r.lookupStr(n); id >= 0 && id < int64(nstr) {
					pi.side[id] = uint8(g + 1)
				}
			}
		}
		r.parts = append(r.parts, pi)
	}
	r.async = len(r.late) > 0 || len(r.parts) > 0
}

// cut reports whether a partition of the schedule separates from and to at
// send time t (fault.Partition.Cuts, by string ID).
func (r *run) cut(from, to int64, t int) bool {
	for i := range r.parts {
		p := &r.parts[i]
		if t < p.from || t > p.to || from < 0 || to < 0 || from >= int64(len(p.side)) || to >= int64(len(p.side)) {
			continue
		}
		if a, b := p.side[from], p.side[to]; a != 0 && b != 0 && a != b {
			return true
		}
	}
	return false
}

// asyncFate is the fate of a message from -> to sent at t under the
// schedule's asynchrony faults, given the crash and omission facts.
func (r *run) asyncFate(rm fault.Removal, crash int, omitted bool, from, to int64, t int) fault.Fate {
	l := r.late[[3]int64{from, to, int64(t)}]
	return rm.Fate(crash, omitted, r.cut(from, to, t), int(l.delay), int(l.dup))
}

// deliver derives the head tuple vals of rel of a message sent now, late
// as l says, at each of its arrival times within EOT, earliest first, each
// a derivation with the send event.
func (r *run) deliver(rel int32, l lateness, vals []int64, negs []negRec, from, to int64) {
	first := r.t + 1 + int(l.delay)
	if l.dup == 0 || l.dup == l.delay {
		if first <= r.eot {
			r.record(r.derive(rel, first, vals), negs, from, to)
		}
		return
	}
	second := r.t + 1 + int(l.dup)
	for _, at := range [2]int{min(first, second), max(first, second)} {
		if at <= r.eot {
			r.record(r.derive(rel, at, vals), negs, from, to)
		}
	}
}

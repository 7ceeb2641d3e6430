package fault

import (
	"iter"
	"slices"
	"strings"
)

// Enumerate yields every distinct canonical schedule of the model described
// by p (see Count), smallest first: by number of faults, then by String().
// The first schedule is the empty one. The order is deterministic and the
// enumeration is lazy: it holds one schedule at a time (memory linear in the
// number of possible faults), so it can be stopped early in a space far too
// large to list. Every schedule is a fresh value the caller may keep.
//
// Params should be valid (see Params.Validate); duplicate nodes are ignored
// and negative bounds count as zero.
//
// The String() order holds for node names that contain none of the
// characters " ()@" (and no "->"), which is every name Dedalus can give a
// node in practice; otherwise the order is still deterministic but may
// differ from a plain string sort in rare ties.
func Enumerate(p Params) iter.Seq[Schedule] {
	return func(yield func(Schedule) bool) {
		e := newEnumerator(p)
		for k := 0; k <= len(e.faults); k++ {
			e.found = false
			if !e.level(k, yield) {
				return
			}
			if !e.found {
				// Canonical schedules are closed under removing a fault,
				// so no size k means no larger size either.
				return
			}
		}
	}
}

// token is one possible fault of the universe.
type token struct {
	crash bool
	c     Crash
	o     Omission
	key   string // its String(), the sort key within a position
}

type enumerator struct {
	faults  []token // in canonical order (crashes by node, then omissions)
	byKey   []int   // indices of faults sorted by key
	budget  int
	chosen  []int
	crashAt map[string]int
	crashes int
	found   bool
}

func newEnumerator(p Params) *enumerator {
	nodes := slices.Clone(p.Nodes)
	slices.Sort(nodes)
	nodes = slices.Compact(nodes)
	e := &enumerator{budget: min(max(p.MaxCrashes, 0), len(nodes)), crashAt: map[string]int{}}
	if e.budget > 0 {
		for _, n := range nodes {
			for t := 1; t <= p.EOT; t++ {
				c := Crash{n, t}
				e.faults = append(e.faults, token{crash: true, c: c, key: c.String()})
			}
		}
	}
	for _, from := range nodes {
		for _, to := range nodes {
			if from == to {
				continue
			}
			for t := 1; t < p.EFF; t++ {
				o := Omission{from, to, t}
				e.faults = append(e.faults, token{o: o, key: o.String()})
			}
		}
	}
	e.byKey = make([]int, len(e.faults))
	for i := range e.byKey {
		e.byKey[i] = i
	}
	slices.SortStableFunc(e.byKey, func(a, b int) int { return strings.Compare(e.faults[a].key, e.faults[b].key) })
	return e
}

// level yields the schedules of exactly k faults; false means stop.
func (e *enumerator) level(k int, yield func(Schedule) bool) bool {
	if len(e.chosen) == k {
		e.found = true
		return yield(e.schedule())
	}
	last := -1
	if len(e.chosen) > 0 {
		last = e.chosen[len(e.chosen)-1]
	}
	need := k - len(e.chosen) // faults still to choose, this one included
	for _, i := range e.byKey {
		// The schedule lists its faults in canonical order, so the next
		// fault comes after the last one; it needs room for the rest.
		if i <= last || len(e.faults)-i < need {
			continue
		}
		f := e.faults[i]
		if f.crash {
			if e.crashes == e.budget {
				continue
			}
			if _, ok := e.crashAt[f.c.Node]; ok {
				continue
			}
			e.crashAt[f.c.Node] = f.c.Time
			e.crashes++
		} else if t, ok := e.crashAt[f.o.From]; ok && t <= f.o.Time {
			continue // implied by the crash of its sender: not canonical
		}
		e.chosen = append(e.chosen, i)
		ok := e.level(k, yield)
		e.chosen = e.chosen[:len(e.chosen)-1]
		if f.crash {
			delete(e.crashAt, f.c.Node)
			e.crashes--
		}
		if !ok {
			return false
		}
	}
	return true
}

func (e *enumerator) schedule() Schedule {
	var s Schedule
	for _, i := range e.chosen {
		if f := e.faults[i]; f.crash {
			s.Crashes = append(s.Crashes, f.c)
		} else {
			s.Omissions = append(s.Omissions, f.o)
		}
	}
	return s
}

package fault

import (
	"iter"
	"slices"
	"strings"
)

// Enumerate yields every distinct canonical schedule of the model described
// by p (see Count), smallest first: by number of faults (Size), then by
// String(). The first schedule is the empty one. Every schedule yielded is
// accepted by ValidateSchedule and left unchanged by Canonical, and every
// such schedule is yielded once. The order is deterministic and the
// enumeration is lazy: it holds one schedule at a time (memory linear in the
// number of possible faults), so it can be stopped early in a space far too
// large to list. Every schedule is a fresh value the caller may keep.
//
// The possible faults are listed once, in the order a canonical schedule
// lists them (crashes, omissions, partitions, delays, duplicates, each
// sorted as Canonical sorts it); a schedule of size k is k of them in that
// order, chosen position by position in String() order, and a fault is
// skipped when it conflicts with one chosen before it: a second crash of a
// node or one over the budget, a fault of a message whose sender crashed
// at or before its send time, a partition over the budget, overlapping or
// touching one of the same split, or cutting a chosen omission, a delay or
// duplicate of a cut or omitted message, a second delay or duplicate of a
// message, a duplicate not later than the message's delay, an omission
// over the budget.
//
// Params should be valid (see Params.Validate); duplicate nodes are ignored
// and negative bounds count as zero.
//
// The String() order holds for node names that contain none of the
// characters " ()@|,+-" (and no "->"), which is every name Dedalus can give
// a node in practice; otherwise the order is still deterministic but may
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

// kind is the kind of a possible fault, in the order of a canonical
// schedule's lists.
type kind uint8

const (
	kindCrash kind = iota
	kindOmission
	kindPartition
	kindDelay
	kindDuplicate
)

// token is one possible fault of the universe.
type token struct {
	kind kind
	c    Crash
	o    Omission // the omission, or the message of a delay or duplicate
	x    Partition
	by   int    // a delay's or duplicate's By
	key  string // its String(), the sort key within a position
}

type enumerator struct {
	faults  []token // in canonical order
	byKey   []int   // indices of faults sorted by key
	chosen  []int
	found   bool
	budget  int // crash budget
	crashAt map[string]int
	crashes int

	omitBudget int // -1: unbounded
	omissions  int
	track      bool              // some fault conflicts with omissions: fill omitted
	omitted    map[Omission]bool // the chosen omissions, when track
	partBudget int
	parts      []Partition
	delayed    map[Omission]int
	duped      map[Omission]bool
}

func newEnumerator(p Params) *enumerator {
	nodes := slices.Clone(p.Nodes)
	slices.Sort(nodes)
	nodes = slices.Compact(nodes)
	e := &enumerator{
		budget: min(max(p.MaxCrashes, 0), len(nodes)), crashAt: map[string]int{},
		omitBudget: -1, omitted: map[Omission]bool{},
		partBudget: max(p.MaxPartitions, 0), delayed: map[Omission]int{}, duped: map[Omission]bool{},
	}
	if p.OmissionsBounded {
		e.omitBudget = max(p.MaxOmissions, 0)
	}
	add := func(t token, key string) {
		t.key = key
		e.faults = append(e.faults, t)
	}
	if e.budget > 0 {
		for _, n := range nodes {
			for t := 1; t <= p.EOT; t++ {
				c := Crash{n, t}
				add(token{kind: kindCrash, c: c}, c.String())
			}
		}
	}
	slots := messageSlots(nodes, p.EFF)
	for _, o := range slots {
		add(token{kind: kindOmission, o: o}, o.String())
	}
	if e.partBudget > 0 {
		for _, x := range partitionTokens(nodes, p.EFF) {
			add(token{kind: kindPartition, x: x}, x.String())
		}
	}
	d := max(p.MaxDelay, 0)
	for _, o := range slots {
		for by := 1; by <= d; by++ {
			add(token{kind: kindDelay, o: o, by: by}, Delay{o.From, o.To, o.Time, by}.String())
		}
	}
	if p.Duplicates {
		for _, o := range slots {
			for by := 1; by <= d; by++ {
				add(token{kind: kindDuplicate, o: o, by: by}, Duplicate{o.From, o.To, o.Time, by}.String())
			}
		}
	}
	e.track = e.partBudget > 0 || d > 0
	e.byKey = make([]int, len(e.faults))
	for i := range e.byKey {
		e.byKey[i] = i
	}
	slices.SortStableFunc(e.byKey, func(a, b int) int { return strings.Compare(e.faults[a].key, e.faults[b].key) })
	return e
}

// messageSlots lists the messages a fault can touch, in canonical order:
// (from, to, t) for distinct nodes (sorted, unique) and 1 <= t < EFF.
func messageSlots(nodes []string, eff int) []Omission {
	var out []Omission
	for _, from := range nodes {
		for _, to := range nodes {
			if from == to {
				continue
			}
			for t := 1; t < eff; t++ {
				out = append(out, Omission{from, to, t})
			}
		}
	}
	return out
}

// partitionTokens lists every canonical partition, in canonical order:
// each split of the nodes (sorted, unique) into two non-empty groups, the
// one holding nodes[0] first, and each interval 1 <= From <= To < EFF.
func partitionTokens(nodes []string, eff int) []Partition {
	var splits []Partition
	rest := len(nodes) - 1
	for mask := 0; rest > 0 && rest < 31 && mask < 1<<rest-1; mask++ {
		g := [2][]string{{nodes[0]}, nil}
		for i, n := range nodes[1:] {
			k := 1
			if mask&(1<<i) != 0 {
				k = 0
			}
			g[k] = append(g[k], n)
		}
		splits = append(splits, Partition{Groups: g})
	}
	slices.SortFunc(splits, comparePartition)
	var out []Partition
	for _, s := range splits {
		for from := 1; from < eff; from++ {
			for to := from; to < eff; to++ {
				out = append(out, Partition{Groups: s.Groups, From: from, To: to})
			}
		}
	}
	return out
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
		if !e.take(f) {
			continue
		}
		e.chosen = append(e.chosen, i)
		ok := e.level(k, yield)
		e.chosen = e.chosen[:len(e.chosen)-1]
		e.untake(f)
		if !ok {
			return false
		}
	}
	return true
}

// take adds f to the faults chosen so far, unless it conflicts with one of
// them (see Enumerate); the conflicts are all with faults listed before it.
func (e *enumerator) take(f token) bool {
	switch f.kind {
	case kindCrash:
		if _, ok := e.crashAt[f.c.Node]; ok || e.crashes == e.budget {
			return false
		}
		e.crashAt[f.c.Node] = f.c.Time
		e.crashes++
	case kindOmission:
		if e.crashedBy(f.o) || e.omissions == e.omitBudget {
			return false // implied by the crash of its sender: not canonical
		}
		e.omissions++
		if e.track {
			e.omitted[f.o] = true
		}
	case kindPartition:
		if !e.partitionFits(f.x) {
			return false
		}
		e.parts = append(e.parts, f.x)
	case kindDelay:
		if _, ok := e.delayed[f.o]; ok || e.removed(f.o) {
			return false
		}
		e.delayed[f.o] = f.by
	case kindDuplicate:
		if e.duped[f.o] || e.removed(f.o) || e.delayed[f.o] >= f.by {
			return false
		}
		e.duped[f.o] = true
	}
	return true
}

// untake undoes take(f).
func (e *enumerator) untake(f token) {
	switch f.kind {
	case kindCrash:
		delete(e.crashAt, f.c.Node)
		e.crashes--
	case kindOmission:
		e.omissions--
		if e.track {
			delete(e.omitted, f.o)
		}
	case kindPartition:
		e.parts = e.parts[:len(e.parts)-1]
	case kindDelay:
		delete(e.delayed, f.o)
	case kindDuplicate:
		delete(e.duped, f.o)
	}
}

func (e *enumerator) crashedBy(o Omission) bool {
	t, ok := e.crashAt[o.From]
	return ok && t <= o.Time
}

// removed reports whether a chosen crash or partition removes the message
// o, or a chosen omission omits it.
func (e *enumerator) removed(o Omission) bool {
	if e.crashedBy(o) || e.omitted[o] {
		return true
	}
	for _, x := range e.parts {
		if x.Cuts(o.From, o.To, o.Time) {
			return true
		}
	}
	return false
}

// partitionFits reports whether x can join the chosen partitions: within
// the budget, apart from those of its split (Canonical would merge them),
// and cutting no chosen omission (Canonical would drop it).
func (e *enumerator) partitionFits(x Partition) bool {
	if len(e.parts) >= e.partBudget {
		return false
	}
	for _, q := range e.parts {
		if q.sameSplit(x) && x.From <= q.To+1 && q.From <= x.To+1 {
			return false
		}
	}
	for o := range e.omitted {
		if x.Cuts(o.From, o.To, o.Time) {
			return false
		}
	}
	return true
}

func (e *enumerator) schedule() Schedule {
	var s Schedule
	for _, i := range e.chosen {
		switch f := e.faults[i]; f.kind {
		case kindCrash:
			s.Crashes = append(s.Crashes, f.c)
		case kindOmission:
			s.Omissions = append(s.Omissions, f.o)
		case kindPartition:
			x := f.x
			x.Groups = [2][]string{slices.Clone(x.Groups[0]), slices.Clone(x.Groups[1])}
			s.Partitions = append(s.Partitions, x)
		case kindDelay:
			s.Delays = append(s.Delays, Delay{f.o.From, f.o.To, f.o.Time, f.by})
		case kindDuplicate:
			s.Duplicates = append(s.Duplicates, Duplicate{f.o.From, f.o.To, f.o.Time, f.by})
		}
	}
	return s
}

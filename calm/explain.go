package calm

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
)

// reasons says why message-derived relation r is not monotone, from its
// own rules: not carried forward, or a rule whose contribution depends on
// arrival order (kind input when it merely reads such a relation).
func (a *analysis) reasons(r dedalus.RelID) []Point {
	var out []Point
	if !a.grow[r] && (a.isMessage(r) || a.factMax[r] > 0) && len(a.condKeep[r]) == 0 {
		out = append(out, a.persistencePoints(r)...)
	}
	if !a.finite[r] {
		out = append(out, a.unboundedPoints(r)...)
	}
	for _, i := range a.byHead[r] {
		if f := a.failed[i]; f.kind != "" {
			out = append(out, a.rulePoint(f, i))
		} else if k := a.shrinks(i); k >= 0 && !a.grow[r] && a.kind[i] != dedalus.Async {
			out = append(out, a.rulePoint(ruleFail{kind: KindInput, atom: k, other: -1}, i))
		}
	}
	return sortPoints(out)
}

// shrinks returns the body atom that makes rule i lose tuples over time
// (a positive atom that does not keep its tuples), or -1.
func (a *analysis) shrinks(i int) int {
	r := &a.prog.Rules[i]
	for k := range r.Body {
		b := &r.Body[k]
		if !b.Negated && b.AtTime == 0 && a.tainted[b.Rel] && !a.grow[b.Rel] {
			return k
		}
	}
	return -1
}

// pointsOfOrder lists the origins of outcome r's order-sensitivity: walking
// back from r through what is not settled, then through what has no
// order-independent union, to the rules where a non-monotone step, a
// coincidence, a missing persistence or a snapshot meets message data.
func (a *analysis) pointsOfOrder(r dedalus.RelID) []Point {
	w := &walker{a: a, settledSeen: map[dedalus.RelID]bool{}, unionSeen: map[dedalus.RelID]bool{}}
	w.settled(r)
	return sortPoints(w.points)
}

type walker struct {
	a           *analysis
	settledSeen map[dedalus.RelID]bool
	unionSeen   map[dedalus.RelID]bool
	points      []Point
}

// settled explains why r is not settled. Without a cycle through time, it
// is because it reads something unsettled; around a cycle through time,
// because a member of the cycle has no order-independent union, or is not
// carried forward.
func (w *walker) settled(r dedalus.RelID) {
	a := w.a
	if a.settled[r] || w.settledSeen[r] {
		return
	}
	w.settledSeen[r] = true
	c := a.comp[r]
	if !a.temporal[c] {
		for _, m := range a.comps[c] {
			w.unsettledInputs(c, m)
		}
		return
	}
	before := len(w.points)
	for _, m := range a.comps[c] {
		if a.tainted[m] && !a.union[m] {
			w.union(dedalus.RelID(m))
		}
	}
	for _, m := range a.comps[c] {
		// Order-independent in what it ever holds, but in a cycle and not
		// kept: when it holds it depends on arrival times.
		if a.tainted[m] && a.union[m] && !a.rec[m] && !a.grow[m] {
			w.points = append(w.points, a.persistencePoints(dedalus.RelID(m))...)
		}
	}
	if len(w.points) == before {
		// Every member is union and the growing ones are monotone: r is
		// not rec because it reads an input that never settles to its union.
		for _, m := range a.comps[c] {
			w.unsettledInputs(c, m)
		}
	}
}

// unsettledInputs follows the unsettled atoms that the rules of m read from
// outside component c.
func (w *walker) unsettledInputs(c, m int) {
	a := w.a
	for _, i := range a.byHead[m] {
		r := &a.prog.Rules[i]
		for k := range r.Body {
			b := &r.Body[k]
			switch {
			case a.comp[b.Rel] == c || a.settledAtom(b):
			case b.AtTime > 1:
				w.points = append(w.points, a.rulePoint(ruleFail{kind: KindSnapshot, atom: k, other: -1}, i))
			default:
				w.settled(b.Rel)
			}
		}
	}
}

// union explains why message-derived r has no order-independent union.
func (w *walker) union(r dedalus.RelID) {
	a := w.a
	if a.union[r] || !a.tainted[r] || w.unionSeen[r] {
		return
	}
	w.unionSeen[r] = true
	if !a.finite[r] {
		w.points = append(w.points, a.unboundedPoints(r)...)
		for _, m := range a.comps[a.comp[r]] {
			for _, i := range a.byHead[m] {
				if k := a.unboundedAtom(i); k >= 0 {
					w.union(a.prog.Rules[i].Body[k].Rel)
				}
			}
		}
	}
	for _, i := range a.byHead[r] {
		f := a.failed[i]
		switch f.kind {
		case "":
		case KindInput:
			w.union(a.prog.Rules[i].Body[f.atom].Rel)
		default:
			w.points = append(w.points, a.rulePoint(f, i))
		}
	}
}

// persistencePoints: r is not carried forward; each conditional keep is a
// point, else the relation itself (at its first rule).
func (a *analysis) persistencePoints(r dedalus.RelID) []Point {
	name := a.prog.Relations[r].Name
	fix := fmt.Sprintf("carry %s forward unconditionally (%s@next :- %s;), or seal what it reads first", name, a.pattern(r), a.pattern(r))
	var out []Point
	for _, i := range a.condKeep[r] {
		p := a.pointAt(KindPersistence, i)
		p.Detail = fmt.Sprintf("%s is carried forward only under the conditions of this rule: what it still holds at EOT depends on when its inputs arrived", name)
		p.Fix = fix
		out = append(out, p)
	}
	if len(out) > 0 {
		return out
	}
	p := Point{Kind: KindPersistence, Relation: name, Pos: toPos(a.prog.Relations[r].Pos), Fix: fix}
	if len(a.byHead[r]) > 0 {
		p.Pos = toPos(a.prog.Rules[a.byHead[r][0]].Pos)
	}
	what := "a tuple only while the rules deriving it fire"
	if a.isMessage(r) {
		what = "a message only at the steps it arrives"
	}
	p.Detail = fmt.Sprintf("%s is not carried forward (no %s@next :- %s;): it holds %s, so what it holds later depends on arrival times", name, a.pattern(r), a.pattern(r), what)
	return []Point{p}
}

// unboundedPoints: the rules around r's cycle that invent values, and
// those that copy values from an unbounded local relation (a clock) while
// nothing else is wrong with them; an unbounded message-derived input is
// explained where it is unbounded.
func (a *analysis) unboundedPoints(r dedalus.RelID) []Point {
	c := a.comp[r]
	var out []Point
	for _, m := range a.comps[c] {
		for _, i := range a.byHead[m] {
			k := a.unboundedAtom(i)
			if k < 0 {
				continue
			}
			b := &a.prog.Rules[i].Body[k]
			if a.comp[b.Rel] == c || !a.tainted[b.Rel] && a.failed[i].kind == "" {
				out = append(out, a.rulePoint(ruleFail{kind: KindUnbounded, atom: k, other: -1}, i))
			}
		}
	}
	return out
}

func (a *analysis) isMessage(r dedalus.RelID) bool {
	for _, i := range a.byHead[r] {
		if a.kind[i] == dedalus.Async {
			return true
		}
	}
	return false
}

// pattern is r(A, B, ...) with one variable per column.
func (a *analysis) pattern(r dedalus.RelID) string {
	rel := &a.prog.Relations[r]
	vars := make([]string, rel.Arity)
	for i := range vars {
		vars[i] = string(rune('A' + i%26))
		if i >= 26 {
			vars[i] += strconv.Itoa(i / 26)
		}
	}
	return rel.Name + "(" + strings.Join(vars, ", ") + ")"
}

func (a *analysis) pointAt(kind string, i int) Point {
	r := &a.prog.Rules[i]
	return Point{Kind: kind, Relation: a.prog.Relations[r.Head].Name, Pos: toPos(r.Pos), Rule: r.Text}
}

func sortPoints(ps []Point) []Point {
	slices.SortFunc(ps, func(x, y Point) int {
		return cmp.Or(cmp.Compare(x.File, y.File), cmp.Compare(x.Line, y.Line), cmp.Compare(x.Col, y.Col),
			cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Relation, y.Relation), cmp.Compare(x.Reads, y.Reads))
	})
	ps = slices.CompactFunc(ps, func(x, y Point) bool {
		return x.Pos == y.Pos && x.Kind == y.Kind && x.Relation == y.Relation && x.Reads == y.Reads
	})
	if ps == nil {
		ps = []Point{}
	}
	return ps
}

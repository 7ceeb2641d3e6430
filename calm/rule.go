package calm

import (
	"slices"

	"github.com/ldfi/ldfi/dedalus"
)

// Point-of-order kinds: why a rule's contribution (or a relation) may
// depend on when messages arrive.
const (
	KindNegation    = "negation"    // notin over message-derived data, result remembered
	KindAggregate   = "aggregate"   // count/min/max/sum over message-derived data, result remembered
	KindCoincidence = "coincidence" // a join that needs a message and other changing data in one timestep
	KindSnapshot    = "snapshot"    // message-derived data read at a fixed time (@k)
	KindUnbounded   = "unbounded"   // values invented in a cycle over message-derived data
	KindPersistence = "persistence" // message-derived state in a cycle through time not carried forward
	KindInput       = "input"       // reads a relation that is itself not monotone (a reason, not an origin)
)

// ruleFail says why a rule's contribution is not order-independent: the
// kind, the body atom at fault (-1: none) and, for a coincidence, the
// other changing atom it must meet.
type ruleFail struct {
	kind  string
	atom  int
	other int
}

// class is what a positive body atom brings to the union argument.
type class uint8

const (
	clsStatic  class = iota // local and the same from time 2 on
	clsMono                 // never loses a tuple, schedule-independent finite union
	clsRec                  // eventually holds exactly its schedule-independent union
	clsUnion                // schedule-independent finite union, but held only at times
	clsVarying              // local, changing over time without bound (a clock)
	clsOrder                // may depend on arrival order
)

// view gives the union and grow flags of relations; during the fixpoint
// over a component it answers for the component's candidates.
type view struct {
	union, grow func(dedalus.RelID) bool
}

func (a *analysis) final() view {
	return view{union: func(r dedalus.RelID) bool { return a.union[r] }, grow: func(r dedalus.RelID) bool { return a.grow[r] }}
}

// classify is the class of positive body atom b.
func (a *analysis) classify(b *dedalus.BodyAtom, v view) class {
	if a.local(b) {
		l := a.atomLevel(b)
		grow := b.AtTime > 0 || a.grow[b.Rel]
		finite := b.AtTime > 0 || a.finite[b.Rel]
		switch {
		case l.static():
			return clsStatic
		case grow && finite:
			return clsMono
		case finite:
			return clsUnion
		}
		return clsVarying
	}
	switch {
	case b.AtTime > 1 || !v.union(b.Rel):
		return clsOrder
	case v.grow(b.Rel):
		return clsMono
	case a.rec != nil && a.rec[b.Rel] && a.comp[b.Rel] < a.curComp:
		return clsRec
	}
	return clsUnion
}

// ruleUnion checks that everything rule i ever derives, over a whole run,
// is the same set in every schedule (the argument is in doc.go and
// docs/consistency.md). It returns the failure, kind "" when there is none.
func (a *analysis) ruleUnion(i int, v view) ruleFail {
	r := &a.prog.Rules[i]
	ok := ruleFail{atom: -1, other: -1}
	allLocal := true
	for k := range r.Body {
		b := &r.Body[k]
		if !a.local(b) {
			allLocal = false
		} else if l := a.atomLevel(b); !b.Negated && (l == lvEmpty || l == lvVanish) {
			return ok // fires at time 1 at most: the same in every schedule
		}
	}
	if allLocal {
		return ok
	}
	if r.HasAgg {
		return ruleFail{kind: KindAggregate, atom: a.firstMessageAtom(r), other: -1}
	}
	for k := range r.Body {
		b := &r.Body[k]
		switch {
		case !b.Negated:
		case !a.local(b) && b.AtTime > 1:
			return ruleFail{kind: KindSnapshot, atom: k, other: -1}
		case !a.local(b):
			return ruleFail{kind: KindNegation, atom: k, other: -1}
		case !a.atomLevel(b).static():
			return ruleFail{kind: KindCoincidence, atom: k, other: a.firstMessageAtom(r)}
		}
	}
	return a.positiveUnion(r, v)
}

// positiveUnion finishes ruleUnion on the positive atoms: either every
// one is static, growing or eventually complete (the rule then fires on
// every combination eventually, and on nothing else), or exactly one is
// not static and every other atom, negated ones included, is the same at
// every time (each tuple of that one atom then derives the same thing
// whenever it holds).
func (a *analysis) positiveUnion(r *dedalus.Rule, v view) ruleFail {
	constant := true // every static and negated atom the same at every time
	unchanging := -1 // the first atom that is not
	var moving []int
	allGood := true
	for k := range r.Body {
		b := &r.Body[k]
		c := clsStatic
		if !b.Negated {
			c = a.classify(b, v)
		}
		switch {
		case c == clsOrder && b.AtTime > 1:
			return ruleFail{kind: KindSnapshot, atom: k, other: -1}
		case c == clsOrder:
			return ruleFail{kind: KindInput, atom: k, other: -1}
		case c == clsStatic:
			if !a.atomLevel(b).constant() {
				constant = false
				unchanging = max(unchanging, k)
			}
		default:
			moving = append(moving, k)
			allGood = allGood && (c == clsMono || c == clsRec)
		}
	}
	if allGood || len(moving) == 1 && constant && a.classify(&r.Body[moving[0]], v) != clsVarying {
		return ruleFail{atom: -1, other: -1}
	}
	// The culprit: a moving atom that is held only at times (a message,
	// a clock), preferring one that reads messages; the other: any other
	// changing atom.
	bad := func(k int, message bool) bool {
		c := a.classify(&r.Body[k], v)
		return c != clsMono && c != clsRec && (!message || !a.local(&r.Body[k]))
	}
	culprit := moving[0]
	if k := slices.IndexFunc(moving, func(k int) bool { return bad(k, true) }); k >= 0 {
		culprit = moving[k]
	} else if k := slices.IndexFunc(moving, func(k int) bool { return bad(k, false) }); k >= 0 {
		culprit = moving[k]
	}
	other := unchanging
	for _, k := range moving {
		if k != culprit {
			other = k
			break
		}
	}
	return ruleFail{kind: KindCoincidence, atom: culprit, other: other}
}

// firstMessageAtom is the index of the rule's first body atom that reads
// message-derived data (-1: none).
func (a *analysis) firstMessageAtom(r *dedalus.Rule) int {
	for k := range r.Body {
		if !a.local(&r.Body[k]) {
			return k
		}
	}
	return -1
}

// recRule checks that rule i, from some time on, derives at every step
// exactly the set it ever derives: monotone, over atoms that are all
// eventually complete (growing with a finite union, or eventually holding
// their union) or the same at every time.
func (a *analysis) recRule(i int) bool {
	r := &a.prog.Rules[i]
	if r.HasAgg {
		return false
	}
	for k := range r.Body {
		b := &r.Body[k]
		if a.local(b) {
			// Negated: the same at every time. Positive: also fine when
			// it ends fixed (rel@k, or growing to a finite union).
			ends := !b.Negated && (b.AtTime > 1 || a.grow[b.Rel] && a.finite[b.Rel])
			if !a.atomLevel(b).constant() && !ends {
				return false
			}
			continue
		}
		if b.Negated || b.AtTime != 0 {
			return false
		}
		mono := a.grow[b.Rel] && a.union[b.Rel]
		if !mono && !(a.rec[b.Rel] && a.comp[b.Rel] < a.curComp) {
			return false
		}
	}
	return true
}

// growRule checks that rule i never stops deriving what it derived: not a
// message (those hold at their arrival only), no aggregate, positive atoms
// that never lose a tuple, negated atoms the same at every time.
func (a *analysis) growRule(i int) bool {
	r := &a.prog.Rules[i]
	if a.kind[i] == dedalus.Async || r.HasAgg {
		return false
	}
	for k := range r.Body {
		b := &r.Body[k]
		switch {
		case b.Negated:
			if !a.local(b) || !a.atomLevel(b).constant() {
				return false
			}
		case b.AtTime > 0:
			// empty before k, then the table of time k
		case a.local(b) && a.level[b.Rel].constant():
		case !a.grow[b.Rel]:
			return false
		}
	}
	return true
}

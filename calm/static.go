package calm

import "github.com/ldfi/ldfi/dedalus"

// level says how a local relation (one that no message reaches, so the
// same in every schedule) changes over time. Time 1 is special: nothing
// has arrived yet, so every relation is the same in every schedule there;
// the analysis needs to know what holds from time 2 on.
type level uint8

const (
	lvEmpty   level = iota // empty at every time
	lvVanish               // empty from time 2 on (facts at time 1 only)
	lvFixed                // the same at every time from 1 on
	lvSettled              // the same at every time from 2 on
	lvVarying              // none of the above (a clock, a timeout, a fact at time 5)
)

// static reports whether the level promises a fixed content from time 2.
func (l level) static() bool { return l != lvVarying }

// constant reports whether the content is the same at every time.
func (l level) constant() bool { return l == lvEmpty || l == lvFixed }

// join is the level of a union of two contributions.
func (l level) join(m level) level {
	switch {
	case l == m:
		return l
	case l == lvEmpty:
		return m
	case m == lvEmpty:
		return l
	case l == lvVarying || m == lvVarying:
		return lvVarying
	}
	// {Vanish, Fixed, Settled} pairwise distinct: equal from time 2 on.
	return lvSettled
}

// atomLevel is the level of a body atom over a local relation (or a
// message-derived one read at time 1, which is the same in every schedule).
// rel@k reads nothing before k and the table of time k from k on.
func (a *analysis) atomLevel(b *dedalus.BodyAtom) level {
	switch {
	case b.AtTime == 1:
		return lvFixed
	case b.AtTime == 2:
		return lvSettled
	case b.AtTime > 2:
		return lvVarying
	}
	return a.level[b.Rel]
}

// local reports whether a body atom reads data that is the same in every
// schedule.
func (a *analysis) local(b *dedalus.BodyAtom) bool {
	return !a.tainted[b.Rel] || b.AtTime == 1
}

// levels computes the level of every local relation: a fixpoint from
// "empty everywhere", where each rule's contribution follows from its body
// atoms' levels (see contribution). The transfer is not monotone (Vanish
// and Fixed are incomparable), so a relation whose level keeps changing is
// widened to Varying, which claims nothing; the result satisfies every
// rule, which is what soundness needs (each claim then follows from the
// claims on the rule bodies by induction on time).
func (a *analysis) levels() {
	a.level = make([]level, a.n)
	changes := make([]int, a.n)
	for changed := true; changed; {
		changed = false
		for r := range a.n {
			if a.tainted[r] || changes[r] > 8 {
				continue
			}
			l := a.relLevel(dedalus.RelID(r))
			if l != a.level[r] {
				a.level[r] = l
				changes[r]++
				if changes[r] > 8 {
					a.level[r] = lvVarying
				}
				changed = true
			}
		}
	}
	for r := range a.n {
		if a.tainted[r] {
			a.level[r] = lvVarying
		}
	}
}

// relLevel is the level of a local relation from its facts and rules. A
// relation carried forward by its own copy rule holds R(t) = R(t-1) ∪
// new(t): if new(t) is empty from time 2 on, R is fixed from time 1; if
// new is settled from 2, so is R.
func (a *analysis) relLevel(r dedalus.RelID) level {
	if r == a.prog.Crash {
		// No crash in a schedule without faults: empty at every time.
		return lvEmpty
	}
	l := lvEmpty
	switch fm := a.factMax[r]; {
	case fm == 0:
	case fm == 1:
		l = lvVanish
	case fm == 2 && a.direct[r]:
		l = lvSettled
	default:
		l = lvVarying
	}
	for _, i := range a.byHead[r] {
		if !a.selfCopy[i] {
			l = l.join(a.contribution(i))
		}
	}
	if a.direct[r] && l == lvVanish {
		l = lvFixed
	}
	return l
}

// contribution is the level of what rule i derives, over time.
func (a *analysis) contribution(i int) level {
	r := &a.prog.Rules[i]
	body := lvFixed
	vanish := false
	for k := range r.Body {
		b := &r.Body[k]
		l := a.atomLevel(b)
		switch {
		case !b.Negated && l == lvEmpty:
			return lvEmpty // never fires
		case !b.Negated && l == lvVanish:
			vanish = true // fires at time 1 only
		case b.Negated && l == lvEmpty:
			// notin of nothing: no effect
		case b.Negated && l == lvVanish:
			body = body.join(lvSettled)
		default:
			body = body.join(l)
		}
	}
	if vanish {
		body = lvVanish
	}
	if a.kind[i] == dedalus.Deductive {
		return body
	}
	// @next: what the body holds at t appears at t+1, nothing at time 1.
	switch body {
	case lvFixed:
		return lvSettled
	case lvEmpty:
		return lvEmpty
	}
	return lvVarying
}

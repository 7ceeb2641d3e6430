package eval

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
)

// DerivKind says what produced a tuple.
type DerivKind uint8

const (
	// DerivRule: a rule firing (deductive, @next, or @async delivery).
	DerivRule DerivKind = iota
	// DerivFact: a fact of the program stated at the tuple's time.
	DerivFact
	// DerivBuiltin: the runtime (the crash relation).
	DerivBuiltin
)

func (k DerivKind) String() string {
	switch k {
	case DerivFact:
		return "fact"
	case DerivBuiltin:
		return "builtin"
	}
	return "rule"
}

// SendEvent is a message send: messages from From to To sent at Time.
type SendEvent struct {
	From, To string
	Time     int
	// At is the time the copy that made the tuple arrived: Time+1 on time,
	// later for a delayed or duplicated message (fault.Fate). It is set in
	// Derivation.Send; Sends lists send events only (At 0), since one
	// send may arrive twice.
	At int
}

// String prints the send event, e.g. a->b@1 (without At).
func (s SendEvent) String() string { return s.From + "->" + s.To + "@" + strconv.Itoa(s.Time) }

// NegAtom is a negated body atom a derivation relied on: no tuple of Rel at
// Time matched Args (ignoring the Wild columns) when the rule fired.
type NegAtom struct {
	Rel  string
	Time int
	Args []dedalus.Value // wildcard columns hold the zero Value
	Wild []bool
}

// String prints the atom like `notin log("b",_)@3`.
func (n NegAtom) String() string {
	var b strings.Builder
	b.WriteString("notin ")
	b.WriteString(n.Rel)
	b.WriteByte('(')
	for i, a := range n.Args {
		if i > 0 {
			b.WriteByte(',')
		}
		if n.Wild[i] {
			b.WriteByte('_')
		} else {
			b.WriteString(FormatValue(a))
		}
	}
	b.WriteString(")@")
	b.WriteString(strconv.Itoa(n.Time))
	return b.String()
}

// Derivation is one way a tuple was produced.
type Derivation struct {
	Kind DerivKind
	// Rule is the index into Program.Rules of the rule that fired (-1 for
	// facts and built-ins). Deductive firings have their body at the tuple's
	// time; @next firings at the time before; @async firings at the send
	// time Send.Time (the time before, unless the message was late).
	Rule int
	// Body lists the tuples bound to the rule's positive body atoms, in body
	// order (for an aggregate: every tuple of every binding of the group,
	// sorted). Each tuple's time is Result.Time(id).
	Body []TupleID
	// Negated lists the negated atoms the firing relied on, in body order
	// (for an aggregate: those of every binding).
	Negated []NegAtom
	// Send is set when the tuple was delivered by a message (an @async rule
	// fired at the sender): the send event it depends on, with At the
	// tuple's time (the arrival of the copy). Messages a node sends to
	// itself have From == To and are never lost.
	Send *SendEvent
}

// HasProvenance reports whether the run recorded derivations.
func (res *Result) HasProvenance() bool { return res.r.prov }

// Derivations returns every derivation of tuple id, in the order they were
// found (deterministic). It returns nil when provenance was off.
func (res *Result) Derivations(id TupleID) []Derivation {
	r := res.r
	if !r.prov || id < 0 || int(id) >= len(r.derivLast) {
		return nil
	}
	var ds []Derivation
	for di := r.derivLast[id]; di != 0; di = r.derivs[di-1].prev {
		ds = append(ds, res.derivation(&r.derivs[di-1], int(r.tupTime[id])))
	}
	slices.Reverse(ds)
	return ds
}

// derivation converts d, a derivation of a tuple at time at.
func (res *Result) derivation(d *derivRec, at int) Derivation {
	r := res.r
	out := Derivation{Rule: int(d.rule)}
	switch d.rule {
	case ruleFact:
		out.Kind, out.Rule = DerivFact, -1
	case ruleBuiltin:
		out.Kind, out.Rule = DerivBuiltin, -1
	}
	if d.nbody > 0 {
		out.Body = make([]TupleID, d.nbody)
		for i, g := range r.bodyArena[d.body : d.body+d.nbody] {
			out.Body[i] = TupleID(g)
		}
	}
	for _, n := range r.negs[d.neg : d.neg+d.nneg] {
		ri := &r.e.rels[n.rel]
		na := NegAtom{Rel: ri.name, Time: int(n.time), Args: make([]dedalus.Value, ri.arity), Wild: make([]bool, ri.arity)}
		for c := range ri.arity {
			if n.wild&(1<<uint(c)) != 0 {
				na.Wild[c] = true
				continue
			}
			na.Args[c] = res.value(ri.types[c], r.negVals[int(n.vals)+c])
		}
		out.Negated = append(out.Negated, na)
	}
	if d.from >= 0 {
		out.Send = &SendEvent{From: r.str(int64(d.from)), To: r.str(int64(d.to)), Time: int(d.sendT), At: at}
	}
	return out
}

// Sends returns every inter-node send event (From != To) in the lineage of
// tuple id: those of its derivations and, transitively, of their body
// tuples. Sorted by time, sender, receiver; nil without provenance.
func (res *Result) Sends(id TupleID) []SendEvent {
	r := res.r
	if !r.prov || id < 0 || int(id) >= len(r.derivLast) {
		return nil
	}
	seen := make([]bool, len(r.tupRel))
	type ev struct{ from, to, t int32 }
	events := map[ev]bool{}
	stack := []int32{int32(id)}
	seen[id] = true
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for di := r.derivLast[g]; di != 0; di = r.derivs[di-1].prev {
			d := &r.derivs[di-1]
			if d.from >= 0 && d.from != d.to {
				events[ev{d.from, d.to, d.sendT}] = true
			}
			for _, b := range r.bodyArena[d.body : d.body+d.nbody] {
				if !seen[b] {
					seen[b] = true
					stack = append(stack, b)
				}
			}
		}
	}
	out := make([]SendEvent, 0, len(events))
	for e := range events {
		out = append(out, SendEvent{From: r.str(int64(e.from)), To: r.str(int64(e.to)), Time: int(e.t)})
	}
	slices.SortFunc(out, func(a, b SendEvent) int {
		return cmp.Or(cmp.Compare(a.Time, b.Time), strings.Compare(a.From, b.From), strings.Compare(a.To, b.To))
	})
	return out
}

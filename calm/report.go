package calm

import (
	"fmt"
	"slices"

	"github.com/ldfi/ldfi/dedalus"
)

// Classes of a relation, from the most to the least order-insensitive.
const (
	// ClassLocal: reads no message; the same in every schedule at every time.
	ClassLocal = "local"
	// ClassMonotone: message-derived, never loses a tuple, and the set it
	// grows to is the same in every schedule.
	ClassMonotone = "monotone"
	// ClassTransient: message-derived and not kept (a tuple holds at the
	// steps its inputs do), but what it holds from some time on is the same
	// in every schedule.
	ClassTransient = "transient"
	// ClassSettles: not monotone (a notin or an aggregate over message
	// data), but recomputed at each step from inputs that settle, so the
	// same in every schedule from some time on; keeping or sending it
	// would be a point of order.
	ClassSettles = "settles"
	// ClassOrderSensitive: its contents at EOT may depend on arrival order.
	ClassOrderSensitive = "order-sensitive"
)

// Report is the result of Analyze. Its JSON form is the output of
// `ldfi calm --format json`; slices are sorted and never null.
type Report struct {
	Files []string `json:"files"`
	// Confluent is true when every outcome is confluent.
	Confluent bool      `json:"confluent"`
	Outcomes  []Outcome `json:"outcomes"`
	// Relations lists every relation of the program, by name.
	Relations []Relation `json:"relations"`
}

// Outcome is the verdict on one outcome relation.
type Outcome struct {
	Relation string `json:"relation"`
	// Confluent: its contents at EOT are the same under every delivery
	// schedule (for EOT large enough).
	Confluent bool   `json:"confluent"`
	Class     string `json:"class"`
	// Points lists the points of order that make it order-sensitive,
	// sorted by position (empty when confluent).
	Points []Point `json:"points_of_order"`
}

// Relation is the analysis of one relation.
type Relation struct {
	Name string `json:"name"`
	Pos
	MessageDerived bool   `json:"message_derived"`
	Class          string `json:"class"`
	// Monotone: local, or message-derived and growing to a set that is
	// the same in every schedule.
	Monotone bool `json:"monotone"`
	// Confluent: the same in every schedule from some time on.
	Confluent bool `json:"confluent"`
	// Persisted: carried forward unconditionally.
	Persisted bool `json:"persisted"`
	// Reasons says why a message-derived relation is not monotone: the
	// relation's own rules at fault, sorted by position.
	Reasons []Point `json:"reasons"`
}

// Pos is a source position (zero when unknown: built-in relations).
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

func toPos(p dedalus.Pos) Pos { return Pos{File: p.File, Line: p.Line, Col: p.Col} }

// posText formats p as file:line:col.
func posText(p Pos) string { return dedalus.Pos{File: p.File, Line: p.Line, Col: p.Col}.String() }

// Point is a point of order (or, in Relation.Reasons, a reason): a rule or
// relation where order or timing of arrival can change what is derived.
type Point struct {
	Kind string `json:"kind"`
	// Relation is the relation the rule derives (or the relation at
	// fault, for kind persistence).
	Relation string `json:"relation"`
	Pos
	// Rule is the rule as written (canonical form); empty for a relation
	// that is not carried forward at all.
	Rule string `json:"rule,omitempty"`
	// Reads is the body literal at fault, as written.
	Reads string `json:"reads,omitempty"`
	// Via is the path by which messages reach what the literal reads: its
	// relation first, the @async head that sends the messages last.
	Via    []string `json:"via,omitempty"`
	Detail string   `json:"detail"`
	Fix    string   `json:"fix"`
}

// Analyze runs the analysis on prog. outcomes names the outcome relations
// to judge besides pre and post (when the program has them); an unknown
// name is an error.
func Analyze(prog *dedalus.Program, outcomes []string) (*Report, error) {
	names := []string{}
	for _, id := range []dedalus.RelID{prog.Pre, prog.Post} {
		if id != dedalus.NoRel {
			names = append(names, prog.Relations[id].Name)
		}
	}
	for _, o := range outcomes {
		if prog.Rel(o) == dedalus.NoRel {
			return nil, fmt.Errorf("no relation named %q in the program", o)
		}
		names = append(names, o)
	}
	slices.Sort(names)
	names = slices.Compact(names)

	a := newAnalysis(prog)
	a.flags()
	rep := &Report{Files: []string{}, Confluent: true, Outcomes: []Outcome{}, Relations: []Relation{}}
	for _, f := range prog.Files {
		rep.Files = append(rep.Files, f.Path)
	}
	for r := range prog.Relations {
		rep.Relations = append(rep.Relations, a.relation(dedalus.RelID(r)))
	}
	for _, name := range names {
		id := prog.Rel(name)
		o := Outcome{Relation: name, Confluent: a.settled[id], Class: a.class(id), Points: a.pointsOfOrder(id)}
		rep.Confluent = rep.Confluent && o.Confluent
		rep.Outcomes = append(rep.Outcomes, o)
	}
	return rep, nil
}

func (a *analysis) class(r dedalus.RelID) string {
	switch {
	case !a.tainted[r]:
		return ClassLocal
	case a.grow[r] && a.union[r]:
		return ClassMonotone
	case a.settled[r] && a.union[r]:
		return ClassTransient
	case a.settled[r]:
		return ClassSettles
	}
	return ClassOrderSensitive
}

func (a *analysis) relation(r dedalus.RelID) Relation {
	rel := &a.prog.Relations[r]
	out := Relation{Name: rel.Name, Pos: toPos(rel.Pos), MessageDerived: a.tainted[r], Class: a.class(r),
		Monotone: !a.tainted[r] || a.grow[r] && a.union[r], Confluent: a.settled[r], Persisted: a.persist[r],
		Reasons: []Point{}}
	if !out.Monotone {
		out.Reasons = a.reasons(r)
	}
	return out
}

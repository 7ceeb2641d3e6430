package calm

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
)

// rulePoint describes failure f of rule i: the literal at fault, how
// messages reach it, what goes wrong and what would remove it.
func (a *analysis) rulePoint(f ruleFail, i int) Point {
	p := a.pointAt(f.kind, i)
	r := &a.prog.Rules[i]
	lit, rel := "", ""
	if f.atom >= 0 {
		b := &r.Body[f.atom]
		lit, rel = a.literal(r, b), a.prog.Relations[b.Rel].Name
		p.Reads = lit
		if a.tainted[b.Rel] && b.AtTime != 1 {
			p.Via = a.viaPath(b.Rel)
		}
	}
	if f.kind != KindInput && slices.Contains(a.condKeep[r.Head], i) {
		// A keep under conditions: the conditions decide what survives.
		name := a.prog.Relations[r.Head].Name
		p.Kind = KindPersistence
		p.Detail = fmt.Sprintf("%s is carried forward only while %s holds: what it still holds at EOT depends on when its tuples arrived relative to that condition", name, lit)
		p.Fix = fmt.Sprintf("carry %s forward unconditionally (%s@next :- %s;), or seal what it reads first", name, a.pattern(r.Head), a.pattern(r.Head))
		return p
	}
	switch f.kind {
	case KindNegation:
		p.Detail = fmt.Sprintf("%s reads message-derived data: whether it holds depends on what has arrived when the rule runs", lit)
		p.Fix = fmt.Sprintf("make the rule monotone (derive what is there, not what is missing), or seal %s first: read it only once all of it has arrived (coordination)", rel)
	case KindAggregate:
		p.Detail = fmt.Sprintf("the aggregate reads message-derived data (%s): its result depends on what has arrived when the rule runs", lit)
		p.Fix = fmt.Sprintf("keep the set (persisted) and aggregate only where the outcome is read, or seal %s first (coordination)", rel)
	case KindCoincidence:
		p.Detail, p.Fix = a.coincidence(r, f)
	case KindSnapshot:
		p.Detail = fmt.Sprintf("%s reads message-derived data as it was at time %d: what had arrived by then depends on the schedule", lit, r.Body[f.atom].AtTime)
		p.Fix = fmt.Sprintf("read %s at the current time, or seal it before time %d", rel, r.Body[f.atom].AtTime)
	case KindUnbounded:
		if a.comp[r.Body[f.atom].Rel] == a.comp[r.Head] {
			p.Detail = fmt.Sprintf("the rule computes new values (arithmetic, count or sum) from %s in a cycle through time over message-derived data: what exists at EOT depends on when the cycle started", lit)
			p.Fix = "keep the message-derived set itself and compute the value where the outcome is read"
		} else {
			p.Detail = fmt.Sprintf("the rule copies values from %s, which grows without bound (a clock), into message-derived data: the values present at EOT depend on when the rule fired", lit)
			p.Fix = fmt.Sprintf("do not record %s in message-derived data, or seal the input first", rel)
		}
	case KindInput:
		what := "which is not monotone"
		if b := &r.Body[f.atom]; a.union[b.Rel] {
			what = "which does not keep its tuples"
		}
		p.Detail = fmt.Sprintf("reads %s, %s", lit, what)
		p.Fix = fmt.Sprintf("see the reasons given for %s", rel)
	}
	return p
}

// coincidence describes a join that needs its inputs in one timestep.
func (a *analysis) coincidence(r *dedalus.Rule, f ruleFail) (detail, fix string) {
	b := &r.Body[f.atom]
	name := a.prog.Relations[b.Rel].Name
	lit := a.literal(r, b)
	switch {
	case b.Negated:
		detail = fmt.Sprintf("%s changes over time (a clock, a timeout, a fact at a later time)", lit)
	case !a.local(b) && !a.grow[b.Rel]:
		detail = fmt.Sprintf("%s holds only at the steps its messages arrive", lit)
	case !a.local(b):
		detail = fmt.Sprintf("%s changes as messages arrive", lit)
	default:
		detail = fmt.Sprintf("%s changes over time (a clock, a timeout, a fact at a later time)", lit)
	}
	if f.other >= 0 {
		o := &r.Body[f.other]
		what := "changes over time"
		if !a.local(o) {
			what = "changes as messages arrive"
		}
		detail += fmt.Sprintf(", and %s %s: the rule derives only what meets in one timestep, which depends on arrival times", a.literal(r, o), what)
	} else {
		detail += ": the rule derives only what meets in one timestep, which depends on arrival times"
	}
	switch {
	case !a.local(b) && !b.Negated:
		fix = fmt.Sprintf("carry %s forward (%s@next :- %s;) so the join does not depend on arrival times, or join it only with data that does not change", name, a.pattern(b.Rel), a.pattern(b.Rel))
	case f.other >= 0 && !a.local(&r.Body[f.other]):
		o := a.prog.Relations[r.Body[f.other].Rel].Name
		fix = fmt.Sprintf("seal %s first: read it only once all of it has arrived (coordination), or make %s the same at every step", o, name)
	default:
		fix = "join only data that does not change over time"
	}
	return detail, fix
}

// viaPath is how messages reach relation r: r first, then each relation it
// is derived from on a shortest path, ending at an @async head.
func (a *analysis) viaPath(r dedalus.RelID) []string {
	var out []string
	for x := r; len(out) <= a.n; {
		out = append(out, a.prog.Relations[x].Name)
		st := a.via[x]
		if st.from == dedalus.NoRel {
			break
		}
		x = st.from
	}
	return out
}

// literal prints body atom b of rule r as written.
func (a *analysis) literal(r *dedalus.Rule, b *dedalus.BodyAtom) string {
	var s strings.Builder
	if b.Negated {
		s.WriteString("notin ")
	}
	s.WriteString(a.prog.Relations[b.Rel].Name)
	s.WriteByte('(')
	for j, t := range b.Args {
		if j > 0 {
			s.WriteString(", ")
		}
		switch {
		case t.IsConst && t.Const.Type == dedalus.TypeInt:
			s.WriteString(strconv.FormatInt(t.Const.Int, 10))
		case t.IsConst:
			s.WriteString(`"` + t.Const.Str + `"`) // strings have no escapes
		case t.Var < 0 || strings.HasPrefix(r.VarNames[t.Var], "_"):
			s.WriteByte('_')
		default:
			s.WriteString(r.VarNames[t.Var])
		}
	}
	s.WriteByte(')')
	if b.AtTime > 0 {
		s.WriteString("@" + strconv.Itoa(b.AtTime))
	}
	return s.String()
}

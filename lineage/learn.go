package lineage

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// Learner turns the provenance of runs of one program into support formulas.
// It is immutable after NewLearner and safe for concurrent use (each call
// writes only to the Builder it is given).
type Learner struct {
	prog   *dedalus.Program
	params fault.Params
	negSup bool
	// suppressors[r] lists the relations whose presence can suppress a
	// derivation of r: those negated in a rule that r depends on.
	suppressors map[string][]string
	// crashFed[r] reports whether r depends positively on the crash
	// relation, so that a crash can make it present.
	crashFed map[string]bool
}

// NewLearner prepares the dependency analysis of prog used by negative
// support. negativeSupport turns that analysis on.
func NewLearner(prog *dedalus.Program, p fault.Params, negativeSupport bool) *Learner {
	l := &Learner{prog: prog, params: p, negSup: negativeSupport,
		suppressors: map[string][]string{}, crashFed: map[string]bool{}}
	// pos[r]: relations read positively by rules with head r; neg[r]: read
	// negated.
	pos := map[dedalus.RelID][]dedalus.RelID{}
	neg := map[dedalus.RelID][]dedalus.RelID{}
	for _, r := range prog.Rules {
		for _, a := range r.Body {
			if a.Negated {
				neg[r.Head] = append(neg[r.Head], a.Rel)
			} else {
				pos[r.Head] = append(pos[r.Head], a.Rel)
			}
		}
	}
	for rid := range prog.Relations {
		root := dedalus.RelID(rid)
		// Closure of root through positive dependencies (all rule kinds:
		// @next carries state, @async carries messages).
		seen := map[dedalus.RelID]bool{root: true}
		stack := []dedalus.RelID{root}
		var sup []string
		for len(stack) > 0 {
			r := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if r == prog.Crash && r != root {
				l.crashFed[prog.Relations[root].Name] = true
			}
			for _, n := range neg[r] {
				if n != prog.Crash {
					sup = append(sup, prog.Relations[n].Name)
				}
			}
			for _, q := range pos[r] {
				if !seen[q] {
					seen[q] = true
					stack = append(stack, q)
				}
			}
		}
		slices.Sort(sup)
		l.suppressors[prog.Relations[root].Name] = slices.Compact(sup)
	}
	return l
}

// NonMonotone reports whether any rule uses negation or aggregation: then
// faults can add tuples as well as remove them, and certificates rest on the
// negative-support heuristic.
func (l *Learner) NonMonotone() bool {
	for _, r := range l.prog.Rules {
		if r.HasAgg {
			return true
		}
		for _, a := range r.Body {
			if a.Negated {
				return true
			}
		}
	}
	return false
}

// Learn adds to b the support formulas of the given tuples of res (a run
// recorded with provenance), with node names renamed by rename (nil: as
// they are), and returns each tuple's root in order.
//
// A tuple survives while one of its derivations does; a derivation survives
// while its body tuples survive, the message send it depended on (if any) is
// not removed, and, with negative support, what kept its negated atoms
// absent survives too. Only derivations whose body tuples were all found
// before the tuple itself are kept: that keeps the graph acyclic (recursive
// rules record derivations through later tuples) and always keeps the first
// derivation, so a tuple present in a run survives that run's schedule.
//
// With a reference (the fault-free run), a derivation that relied on a
// tuple being absent while the reference holds that tuple survives only
// while the tuple's reference support is cut: `Not(support)`. Faults can
// make tuples appear by delivering what another run lost, and this is how
// knowledge learned in a faulty run stays honest about it. The reference
// support inside a Not is the plain positive one (no negative-support
// extras), so that it over-approximates survival and the Not stays on the
// safe side.
func (l *Learner) Learn(b *Builder, res *eval.Result, ids []eval.TupleID, rename map[string]string, ref *Reference) []NodeID {
	return l.learn(b, res, ids, rename, l.negSup, ref)
}

// Reference is the fault-free run, against which the Learner judges
// absences in other runs, with the support nodes already built from it.
type Reference struct {
	res  *eval.Result
	memo map[string]NodeID // rename signature + tuple ID -> node
}

// NewReference wraps the fault-free run.
func NewReference(ff *eval.Result) *Reference {
	return &Reference{res: ff, memo: map[string]NodeID{}}
}

// absent returns the formula "no reference tuple matching n survives".
func (l *Learner) absent(b *Builder, n eval.NegAtom, rename map[string]string, ref *Reference) NodeID {
	var holders []NodeID
	for _, id := range ref.res.TuplesAt(n.Rel, n.Time) {
		t := ref.res.Tuple(id)
		match := true
		for i, a := range t.Args {
			if i < len(n.Wild) && !n.Wild[i] && a != n.Args[i] {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		key := renameKey(rename) + "#" + strconv.Itoa(int(id))
		v, ok := ref.memo[key]
		if !ok {
			v = l.learn(b, ref.res, []eval.TupleID{id}, rename, false, nil)[0]
			ref.memo[key] = v
		}
		holders = append(holders, v)
	}
	if len(holders) == 0 {
		return TrueID
	}
	return b.Not("absent: "+n.String(), b.Or(n.String(), holders...))
}

// crashBy is a leaf that a crash of node at or before time t removes: a
// send event from node at t. (It can also be removed by an omission when
// t < EFF; as an extra way to cut a derivation that only over-approximates
// the cuts, which keeps certificates on the safe side.)
func (l *Learner) crashBy(b *Builder, node string, t int) NodeID {
	other := l.params.Nodes[0]
	if other == node && len(l.params.Nodes) > 1 {
		other = l.params.Nodes[1]
	}
	if other == node {
		return TrueID // a single node never sends to another
	}
	return b.Send(Event{From: node, To: other, Time: t})
}

func renameKey(rename map[string]string) string {
	keys := slices.Sorted(maps.Keys(rename))
	var sb strings.Builder
	for _, k := range keys {
		sb.WriteString(k + ">" + rename[k] + ";")
	}
	return sb.String()
}

func (l *Learner) learn(b *Builder, res *eval.Result, ids []eval.TupleID, rename map[string]string, negSup bool, ref *Reference) []NodeID {
	ren := func(n string) string {
		if m, ok := rename[n]; ok {
			return m
		}
		return n
	}
	memo := map[eval.TupleID]NodeID{}
	var tuple func(id eval.TupleID) NodeID
	// supCache holds, per negated atom, the suppressor tuples of the run.
	supCache := map[string][]eval.TupleID{}
	// negSupport is the formula that keeps negated atom n absent for a
	// derivation of tuple id: the suppressor tuples found before id (so
	// the graph stays acyclic) must survive, and, when a crash could make
	// the atom true, no node may crash by its time.
	negSupport := func(n eval.NegAtom, id eval.TupleID) NodeID {
		key := n.String()
		sups, ok := supCache[key]
		if !ok {
			for _, rel := range l.suppressors[n.Rel] {
				sups = append(sups, res.TuplesAt(rel, n.Time)...)
			}
			supCache[key] = sups
		}
		var parts []NodeID
		for _, sid := range sups {
			if sid < id {
				parts = append(parts, tuple(sid))
			}
		}
		if l.crashFed[n.Rel] {
			for _, node := range l.params.Nodes {
				parts = append(parts, l.crashBy(b, ren(node), n.Time))
			}
		}
		if n.Rel == l.prog.Relations[l.prog.Crash].Name {
			// The crash relation is an oracle over the whole run: any
			// crash of the named node (or of any node, for a wildcard)
			// makes the atom true at every time.
			for _, node := range l.params.Nodes {
				if len(n.Wild) > 1 && !n.Wild[1] && n.Args[1].Str != node {
					continue
				}
				parts = append(parts, l.crashBy(b, ren(node), l.params.EOT))
			}
		}
		return b.And(key, parts...)
	}
	tuple = func(id eval.TupleID) NodeID {
		if v, ok := memo[id]; ok {
			return v
		}
		var alts []NodeID
		for _, d := range res.Derivations(id) {
			if d.Kind != eval.DerivRule {
				alts = append(alts, TrueID)
				continue
			}
			ok := true
			for _, bid := range d.Body {
				if bid >= id {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			var parts []NodeID
			for _, bid := range d.Body {
				parts = append(parts, tuple(bid))
			}
			if d.Send != nil && d.Send.From != d.Send.To {
				parts = append(parts, b.Send(Event{From: ren(d.Send.From), To: ren(d.Send.To), Time: d.Send.Time}))
			}
			if negSup {
				for _, n := range d.Negated {
					parts = append(parts, negSupport(n, id))
				}
			}
			if ref != nil && ref.res != res {
				for _, n := range d.Negated {
					parts = append(parts, l.absent(b, n, rename, ref))
				}
			}
			alts = append(alts, b.And(l.prog.Rules[d.Rule].Text, parts...))
		}
		// Tuple nodes carry no label: printing every tuple costs more than
		// the rest of learning, and reports draw lineage from eval itself.
		v := b.Or("", alts...)
		memo[id] = v
		return v
	}
	out := make([]NodeID, len(ids))
	for i, id := range ids {
		out[i] = tuple(id)
	}
	return out
}

// renameTuple renames the node names among t's string columns.
func renameTuple(t eval.Tuple, rename map[string]string) eval.Tuple {
	if len(rename) == 0 {
		return t
	}
	args := slices.Clone(t.Args)
	for i, a := range args {
		if a.Type == dedalus.TypeString {
			if m, ok := rename[a.Str]; ok {
				args[i].Str = m
			}
		}
	}
	return eval.Tuple{Rel: t.Rel, Time: t.Time, Args: args}
}

// RenameTuple is renameTuple for other packages: the image of t under a
// node renaming.
func RenameTuple(t eval.Tuple, rename map[string]string) eval.Tuple { return renameTuple(t, rename) }

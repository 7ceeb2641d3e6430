package lineage

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// Learner turns the provenance of runs of one program into support formulas.
// It is safe for concurrent use (each call writes only to the Builder it is
// given; the suppressor analysis is memoised under a lock).
type Learner struct {
	prog   *dedalus.Program
	params fault.Params
	negSup bool
	// rulesFor[r] lists the rules with head r.
	rulesFor map[dedalus.RelID][]*dedalus.Rule

	mu   sync.Mutex
	sups map[relTime][]relTime // memo of suppressorsAt
}

// relTime is a relation at a time.
type relTime struct {
	rel dedalus.RelID
	t   int
}

// NewLearner prepares the dependency analysis of prog used by negative
// support. negativeSupport turns that analysis on.
func NewLearner(prog *dedalus.Program, p fault.Params, negativeSupport bool) *Learner {
	l := &Learner{prog: prog, params: p, negSup: negativeSupport,
		rulesFor: map[dedalus.RelID][]*dedalus.Rule{}, sups: map[relTime][]relTime{}}
	for i := range prog.Rules {
		r := &prog.Rules[i]
		l.rulesFor[r.Head] = append(l.rulesFor[r.Head], r)
	}
	return l
}

// suppressorsAt answers "what could hold back tuples of rel at time t?": it
// follows the rules that could derive rel at t back through their positive
// body atoms — at t for deductive rules, at t-1 for @next and @async rules,
// at k for `@k` atoms — and collects the relations negated on the way, each
// at the time it is read. The second result reports whether the crash
// relation feeds rel positively (so that a crash can make it present).
func (l *Learner) suppressorsAt(rel dedalus.RelID, t int) ([]relTime, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := relTime{rel, t}
	if v, ok := l.sups[key]; ok {
		return v, l.sups[relTime{rel, -t}] != nil
	}
	seen := map[relTime]bool{key: true}
	stack := []relTime{key}
	var out []relTime
	crashFed := false
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if cur.rel == l.prog.Crash && cur != key {
			crashFed = true
		}
		for _, r := range l.rulesFor[cur.rel] {
			bt := cur.t
			if r.Kind != dedalus.Deductive {
				bt--
			}
			if bt < 1 {
				continue
			}
			for _, a := range r.Body {
				at := bt
				if a.AtTime > 0 {
					at = a.AtTime
				}
				next := relTime{a.Rel, at}
				if a.Negated {
					if a.Rel != l.prog.Crash {
						out = append(out, next)
					}
					continue
				}
				if !seen[next] {
					seen[next] = true
					stack = append(stack, next)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b relTime) int {
		if a.rel != b.rel {
			return int(a.rel - b.rel)
		}
		return a.t - b.t
	})
	out = slices.Compact(out)
	l.sups[key] = out
	if crashFed {
		l.sups[relTime{rel, -t}] = []relTime{}
	}
	return out, crashFed
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
// send event from node at t to the first other node of the parameters,
// one that fault.Params.RemovedBy says a crash of its sender removes. (It
// can also be removed by an omission when t < EFF; as an extra way to cut
// a derivation that only over-approximates the cuts, which keeps
// certificates on the safe side.)
func (l *Learner) crashBy(b *Builder, node string, t int) NodeID {
	for _, to := range l.params.Nodes {
		if l.params.RemovedBy(node, to, t).Crashable {
			return b.Send(Event{From: node, To: to, Time: t})
		}
	}
	return TrueID // no send of node can be lost (a single node never sends to another)
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
	lr := &learning{l: l, b: b, res: res, rename: rename, negSup: negSup, ref: ref,
		memo: map[eval.TupleID]NodeID{}, supCache: map[string][]eval.TupleID{}}
	out := make([]NodeID, len(ids))
	for i, id := range ids {
		out[i] = lr.tuple(id)
	}
	return out
}

// learning is one call of learn: the support formulas of a run's tuples,
// memoised, with node names renamed (symmetric images).
type learning struct {
	l      *Learner
	b      *Builder
	res    *eval.Result
	rename map[string]string
	negSup bool
	ref    *Reference
	memo   map[eval.TupleID]NodeID
	// supCache holds, per negated atom, the suppressor tuples of the run.
	supCache map[string][]eval.TupleID
}

func (lr *learning) ren(n string) string {
	if m, ok := lr.rename[n]; ok {
		return m
	}
	return n
}

// tuple is the support formula of tuple id: OR over its derivations.
func (lr *learning) tuple(id eval.TupleID) NodeID {
	if v, ok := lr.memo[id]; ok {
		return v
	}
	var alts []NodeID
	for _, d := range lr.res.Derivations(id) {
		if d.Kind != eval.DerivRule {
			alts = append(alts, TrueID)
			continue
		}
		if v, ok := lr.derivation(d, id); ok {
			alts = append(alts, v)
		}
	}
	// Tuple nodes carry no label: printing every tuple costs more than the
	// rest of learning, and reports draw lineage from eval itself.
	v := lr.b.Or("", alts...)
	lr.memo[id] = v
	return v
}

// derivation is the AND of a rule firing's body supports, its send and
// what kept its negated atoms absent; ok is false for a firing that reads
// a tuple found after id (the graph stays acyclic).
func (lr *learning) derivation(d eval.Derivation, id eval.TupleID) (NodeID, bool) {
	for _, bid := range d.Body {
		if bid >= id {
			return 0, false
		}
	}
	var parts []NodeID
	for _, bid := range d.Body {
		parts = append(parts, lr.tuple(bid))
	}
	if d.Send != nil && d.Send.From != d.Send.To {
		parts = append(parts, lr.b.Send(Event{From: lr.ren(d.Send.From), To: lr.ren(d.Send.To), Time: d.Send.Time}))
	}
	if lr.negSup {
		for _, n := range d.Negated {
			parts = append(parts, lr.negSupport(n, id))
		}
	}
	if lr.ref != nil && lr.ref.res != lr.res {
		for _, n := range d.Negated {
			parts = append(parts, lr.l.absent(lr.b, n, lr.rename, lr.ref))
		}
	}
	return lr.b.And(lr.l.prog.Rules[d.Rule].Text, parts...), true
}

// negSupport is the formula that keeps negated atom n absent for a
// derivation of tuple id: the suppressor tuples found before id (so the
// graph stays acyclic) must survive, and, when a crash could make the atom
// true, no node may crash by its time.
func (lr *learning) negSupport(n eval.NegAtom, id eval.TupleID) NodeID {
	l, b := lr.l, lr.b
	key := n.String()
	sups, ok := lr.supCache[key]
	crashFed := false
	if rid := l.prog.Rel(n.Rel); rid != dedalus.NoRel {
		var at []relTime
		at, crashFed = l.suppressorsAt(rid, n.Time)
		if !ok {
			for _, rt := range at {
				for _, sid := range lr.res.TuplesAt(l.prog.Relations[rt.rel].Name, rt.t) {
					if len(n.Wild) == 0 || n.Wild[0] || lr.res.Tuple(sid).Args[0] == n.Args[0] {
						sups = append(sups, sid)
					}
				}
			}
			lr.supCache[key] = sups
		}
	}
	var parts []NodeID
	for _, sid := range sups {
		if sid < id {
			parts = append(parts, lr.tuple(sid))
		}
	}
	if crashFed {
		for _, node := range l.params.Nodes {
			parts = append(parts, l.crashBy(b, lr.ren(node), n.Time))
		}
	}
	if n.Rel == l.prog.Relations[l.prog.Crash].Name {
		// The crash relation is an oracle over the whole run: any crash of
		// the named node (or of any node, for a wildcard) makes the atom
		// true at every time.
		for _, node := range l.params.Nodes {
			if len(n.Wild) > 1 && !n.Wild[1] && n.Args[1].Str != node {
				continue
			}
			parts = append(parts, l.crashBy(b, lr.ren(node), l.params.EOT))
		}
	}
	return b.And(key, parts...)
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

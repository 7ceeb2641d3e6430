package search

import (
	"slices"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
)

// goodOutcomeIDs is the one definition of a good outcome: a post tuple at
// EOT with a pre tuple of the same arguments (a post without a pre is no
// outcome the invariant needs). It returns the IDs of such posts and of
// their pres, in the order of r.Post().
func goodOutcomeIDs(r *eval.Result) (posts, pres []eval.TupleID) {
	prog := r.Program()
	if prog.Pre == dedalus.NoRel || prog.Post == dedalus.NoRel {
		return nil, nil
	}
	preName := prog.Relations[prog.Pre].Name
	for _, id := range r.Post() {
		t := r.Tuple(id)
		if pid, ok := r.Find(preName, t.Time, t.Args...); ok {
			posts, pres = append(posts, id), append(pres, pid)
		}
	}
	return posts, pres
}

// GoodOutcomes returns the good outcomes of run r: its post tuples at EOT
// that have a pre tuple with the same arguments, sorted by the text of the
// post tuple.
func GoodOutcomes(r *eval.Result) []Outcome {
	posts, pres := goodOutcomeIDs(r)
	out := make([]Outcome, len(posts))
	for i, k := range goodOutcomes(r, posts, pres) {
		out[i] = k.Outcome
	}
	return out
}

// keyedOutcome is a good outcome with the text of its post tuple (its key
// in the search) and the post's ID.
type keyedOutcome struct {
	Outcome
	key  string
	post eval.TupleID
}

// goodOutcomes builds the outcomes of the good outcome IDs, sorted by the
// text of the post tuple (computed once per outcome).
func goodOutcomes(r *eval.Result, posts, pres []eval.TupleID) []keyedOutcome {
	out := make([]keyedOutcome, len(posts))
	for i := range posts {
		post := r.Tuple(posts[i])
		out[i] = keyedOutcome{Outcome: Outcome{Pre: r.Tuple(pres[i]), Post: post}, key: post.Atom(), post: posts[i]}
	}
	slices.SortStableFunc(out, func(a, b keyedOutcome) int { return strings.Compare(a.key, b.key) })
	return out
}

// Violations returns the outcomes of run r whose post tuple is missing at
// EOT, sorted by the text of the pre tuple.
func Violations(r *eval.Result) []Outcome {
	prog := r.Program()
	postName := ""
	if prog.Post != dedalus.NoRel {
		postName = prog.Relations[prog.Post].Name
	}
	var out []Outcome
	for _, v := range r.Violations() {
		post := v
		post.Rel = postName
		out = append(out, Outcome{Pre: v, Post: post})
	}
	slices.SortStableFunc(out, func(a, b Outcome) int { return strings.Compare(a.Pre.Atom(), b.Pre.Atom()) })
	return out
}

// preAtoms returns the text of the pre tuples of outcomes.
func preAtoms(os []Outcome) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.Pre.Atom()
	}
	return out
}

package calm

import (
	"slices"

	"github.com/ldfi/ldfi/dedalus"
)

// analysis holds the indices and the per-relation properties of one
// program. Relations are indexed by dedalus.RelID, rules by their index in
// Program.Rules.
type analysis struct {
	prog *dedalus.Program
	n    int

	byHead   [][]int // rules defining each relation, in source order
	factMax  []int   // latest fact time per relation (0: no fact)
	kind     []dedalus.RuleKind
	selfCopy []bool // rule is the unconditional persistence R(X..)@next :- R(X..)
	persist  []bool // relation carried forward unconditionally (directly or by copies)
	direct   []bool // relation has a selfCopy rule
	condKeep [][]int

	// Dependency graph: strongly connected components, numbered in
	// topological order (inputs before the relations that read them).
	comp     []int
	comps    [][]int
	temporal []bool // per component: a cycle through @next or @async

	tainted []bool     // reachable from an @async head: depends on messages
	via     []viaStep  // for tainted relations: how messages reach them
	level   []level    // for local relations: how they change over time
	grow    []bool     // never loses a tuple
	finite  []bool     // no values invented in a cycle
	union   []bool     // the set of tuples ever held is schedule-independent
	rec     []bool     // eventually holds exactly that set at every step
	settled []bool     // eventually schedule-independent (confluent at EOT)
	failed  []ruleFail // per rule: why its contribution is not union (kind "" when it is)
	curComp int        // the component flags is working on
}

// viaStep is one step back on the shortest path from an @async head to a
// tainted relation: the rule that derives it and the tainted relation it
// reads (NoRel at the @async rule that starts the path).
type viaStep struct {
	rule int
	from dedalus.RelID
}

func newAnalysis(prog *dedalus.Program) *analysis {
	n := len(prog.Relations)
	a := &analysis{prog: prog, n: n,
		byHead: make([][]int, n), factMax: make([]int, n), kind: make([]dedalus.RuleKind, len(prog.Rules)),
		selfCopy: make([]bool, len(prog.Rules)), persist: make([]bool, n), direct: make([]bool, n),
		condKeep: make([][]int, n)}
	for i := range prog.Rules {
		r := &prog.Rules[i]
		a.byHead[r.Head] = append(a.byHead[r.Head], i)
		a.kind[i] = effectiveKind(r)
	}
	for _, f := range prog.Facts {
		a.factMax[f.Rel] = max(a.factMax[f.Rel], f.Time)
	}
	a.findPersistence()
	a.components()
	a.taint()
	return a
}

// effectiveKind is the rule's kind for the analysis: a message a node
// sends to itself is never late nor lost, so an @async rule whose head
// goes to the rule's own node behaves as @next.
func effectiveKind(r *dedalus.Rule) dedalus.RuleKind {
	if r.Kind != dedalus.Async || len(r.Args) == 0 || r.Args[0].Expr == nil {
		return r.Kind
	}
	e := r.Args[0].Expr
	switch {
	case e.Op == dedalus.ExprVar && r.NodeVar >= 0 && e.Var == r.NodeVar:
		return dedalus.Next
	case e.Op == dedalus.ExprConst && r.NodeVar < 0 && e.Const == r.NodeConst:
		return dedalus.Next
	}
	return r.Kind
}

// copyOf reports whether r copies one body atom into its head unchanged:
// a single positive atom read at the current time, distinct variables in
// every column, the head naming the same variables in the same order, no
// comparison. Such a rule makes its head contain its body relation (at the
// same time, or one step later for @next).
func copyOf(r *dedalus.Rule) (dedalus.RelID, bool) {
	if len(r.Body) != 1 || len(r.Cmps) != 0 || r.HasAgg {
		return dedalus.NoRel, false
	}
	b := r.Body[0]
	if b.Negated || b.AtTime != 0 || len(b.Args) != len(r.Args) {
		return dedalus.NoRel, false
	}
	seen := map[int]bool{}
	for i, t := range b.Args {
		h := r.Args[i].Expr
		if t.Var < 0 || seen[t.Var] || h == nil || h.Op != dedalus.ExprVar || h.Var != t.Var {
			return dedalus.NoRel, false
		}
		seen[t.Var] = true
	}
	return b.Rel, true
}

// findPersistence marks the relations carried forward unconditionally:
// R(t) contains R(t-1) through a chain of copy rules holding exactly one
// @next copy (R(X)@next :- R(X), or seen(X)@next :- log(X) with
// log(X) :- seen(X)). It also lists the conditional keeps: an @next rule
// that copies R into itself but only under other conditions.
func (a *analysis) findPersistence() {
	// sameTime[r] lists the relations a deductive copy makes contain r;
	// up(r) is their transitive closure, r included.
	sameTime := make([][]dedalus.RelID, a.n)
	type nextCopy struct{ to, from dedalus.RelID }
	var nexts []nextCopy
	for i := range a.prog.Rules {
		r := &a.prog.Rules[i]
		from, ok := copyOf(r)
		switch {
		case ok && a.kind[i] == dedalus.Deductive:
			sameTime[from] = append(sameTime[from], r.Head)
		case ok && a.kind[i] == dedalus.Next:
			nexts = append(nexts, nextCopy{r.Head, from})
			if from == r.Head {
				a.selfCopy[i], a.direct[r.Head] = true, true
			}
		case a.kind[i] == dedalus.Next && keepsItself(r):
			a.condKeep[r.Head] = append(a.condKeep[r.Head], i)
		}
	}
	memo := make([][]bool, a.n)
	up := func(r dedalus.RelID) []bool {
		if memo[r] != nil {
			return memo[r]
		}
		seen := make([]bool, a.n)
		stack := []dedalus.RelID{r}
		seen[r] = true
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, y := range sameTime[x] {
				if !seen[y] {
					seen[y] = true
					stack = append(stack, y)
				}
			}
		}
		memo[r] = seen
		return seen
	}
	for _, c := range nexts {
		// c.to(t) ⊇ c.from(t-1): every R with R ⊇ c.to (R reachable from
		// c.to by copies) and c.from ⊇ R (c.from reachable from R) holds
		// R(t) ⊇ R(t-1).
		toUp := up(c.to)
		for r := range a.n {
			if toUp[r] && up(dedalus.RelID(r))[c.from] {
				a.persist[r] = true
			}
		}
	}
}

// keepsItself reports whether an @next rule reads its own head relation
// with exactly the head's variables in order (a keep under conditions).
func keepsItself(r *dedalus.Rule) bool {
	for _, b := range r.Body {
		if b.Negated || b.Rel != r.Head || b.AtTime != 0 || len(b.Args) != len(r.Args) {
			continue
		}
		same := true
		for i, t := range b.Args {
			h := r.Args[i].Expr
			if t.Var < 0 || h == nil || h.Op != dedalus.ExprVar || h.Var != t.Var {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// components computes the strongly connected components of the dependency
// graph (body relation -> head relation, every kind of rule and atom) with
// Tarjan's algorithm, numbered so that a component comes after every
// component it reads; and which of them hold a cycle through time.
func (a *analysis) components() {
	succ := make([][]dedalus.RelID, a.n)
	for _, r := range a.prog.Rules {
		for _, b := range r.Body {
			succ[b.Rel] = append(succ[b.Rel], r.Head)
		}
	}
	t := tarjan{succ: succ, index: make([]int, a.n), low: make([]int, a.n), on: make([]bool, a.n), comp: make([]int, a.n)}
	for i := range t.index {
		t.index[i] = -1
	}
	for v := range a.n {
		if t.index[v] < 0 {
			t.visit(dedalus.RelID(v))
		}
	}
	// Tarjan emits components sinks first: reverse for inputs first.
	k := len(t.comps)
	a.comp = make([]int, a.n)
	a.comps = make([][]int, k)
	for i, c := range t.comps {
		a.comps[k-1-i] = c
		for _, v := range c {
			a.comp[v] = k - 1 - i
		}
	}
	a.temporal = make([]bool, k)
	for i, r := range a.prog.Rules {
		if a.kind[i] == dedalus.Deductive {
			continue
		}
		for _, b := range r.Body {
			if a.comp[b.Rel] == a.comp[r.Head] {
				a.temporal[a.comp[r.Head]] = true
			}
		}
	}
}

type tarjan struct {
	succ  [][]dedalus.RelID
	index []int
	low   []int
	on    []bool
	stack []dedalus.RelID
	next  int
	comp  []int
	comps [][]int
}

func (t *tarjan) visit(v dedalus.RelID) {
	t.index[v], t.low[v] = t.next, t.next
	t.next++
	t.stack = append(t.stack, v)
	t.on[v] = true
	for _, w := range t.succ[v] {
		switch {
		case t.index[w] < 0:
			t.visit(w)
			t.low[v] = min(t.low[v], t.low[w])
		case t.on[w]:
			t.low[v] = min(t.low[v], t.index[w])
		}
	}
	if t.low[v] != t.index[v] {
		return
	}
	var c []int
	for {
		w := t.stack[len(t.stack)-1]
		t.stack = t.stack[:len(t.stack)-1]
		t.on[w] = false
		c = append(c, int(w))
		if w == v {
			break
		}
	}
	slices.Sort(c) // members in relation order, for deterministic output
	t.comps = append(t.comps, c)
}

// taint marks the relations that depend on messages: the heads of @async
// rules (other than messages to self), and every relation a rule derives
// from a tainted relation (read at the current time, or at a fixed time
// after 1: everything at time 1 is the same in every schedule). It records
// for each the first step of a shortest path back to an @async rule.
func (a *analysis) taint() {
	a.tainted = make([]bool, a.n)
	a.via = make([]viaStep, a.n)
	var queue []dedalus.RelID
	for i, r := range a.prog.Rules {
		if a.kind[i] == dedalus.Async && !a.tainted[r.Head] {
			a.tainted[r.Head] = true
			a.via[r.Head] = viaStep{rule: i, from: dedalus.NoRel}
			queue = append(queue, r.Head)
		}
	}
	readers := make([][]int, a.n)
	for i, r := range a.prog.Rules {
		for _, b := range r.Body {
			if b.AtTime != 1 {
				readers[b.Rel] = append(readers[b.Rel], i)
			}
		}
	}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, i := range readers[x] {
			h := a.prog.Rules[i].Head
			if !a.tainted[h] {
				a.tainted[h] = true
				a.via[h] = viaStep{rule: i, from: x}
				queue = append(queue, h)
			}
		}
	}
}

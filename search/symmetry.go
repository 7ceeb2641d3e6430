package search

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// maxSymmetryGroup caps the number of node permutations the search will
// consider; above it, symmetry reduction is turned off (and reported), since
// canonicalising a schedule costs one pass per permutation.
const maxSymmetryGroup = 720

// Symmetry is the group of node permutations that no rule or fact of the
// program can tell apart: swapping two nodes maps the set of facts onto itself
// and neither node is named by a constant in a rule. Schedules equal up to
// such a permutation give runs equal up to the same renaming, so only one of
// them needs to run.
type Symmetry struct {
	// Classes are the non-trivial classes of interchangeable nodes, each
	// sorted, ordered by first member.
	Classes [][]string
	perms   []map[string]string // every non-identity permutation of the group
}

// NoSymmetry is the trivial group.
var NoSymmetry = &Symmetry{}

// FindSymmetry computes the interchangeable node classes of prog over the
// node set of p.
func FindSymmetry(prog *dedalus.Program, p fault.Params) *Symmetry {
	nodes := slices.Clone(p.Nodes)
	slices.Sort(nodes)
	fixed := fixedNodes(prog)
	facts := factSet(prog, nil)
	swappable := func(a, b string) bool {
		if fixed[a] || fixed[b] {
			return false
		}
		return slices.Equal(factSet(prog, map[string]string{a: b, b: a}), facts)
	}
	s := &Symmetry{Classes: swapClasses(nodes, swappable)}
	if groupOrderAbove(s.Classes, maxSymmetryGroup) {
		return &Symmetry{Classes: s.Classes} // too large: no permutations, reported by Classes
	}
	s.perms = groupPermutations(s.Classes)
	return s
}

// fixedNodes returns the string constants of prog's rules: the nodes they
// name are fixed by every symmetry.
func fixedNodes(prog *dedalus.Program) map[string]bool {
	fixed := map[string]bool{}
	var walk func(e *dedalus.Expr)
	walk = func(e *dedalus.Expr) {
		if e == nil {
			return
		}
		if e.Op == dedalus.ExprConst && e.Const.Type == dedalus.TypeString {
			fixed[e.Const.Str] = true
		}
		walk(e.L)
		walk(e.R)
	}
	for _, r := range prog.Rules {
		for _, a := range r.Args {
			walk(a.Expr)
		}
		for _, b := range r.Body {
			for _, t := range b.Args {
				if t.IsConst && t.Const.Type == dedalus.TypeString {
					fixed[t.Const.Str] = true
				}
			}
		}
		for _, c := range r.Cmps {
			walk(c.L)
			walk(c.R)
		}
		if r.NodeVar < 0 && r.NodeConst.Type == dedalus.TypeString {
			fixed[r.NodeConst.Str] = true
		}
	}
	return fixed
}

// factSet returns the facts of prog with their strings renamed by swap, as
// sorted, distinct keys.
func factSet(prog *dedalus.Program, swap map[string]string) []string {
	keys := make([]string, len(prog.Facts))
	for i, f := range prog.Facts {
		keys[i] = factKey(prog, f, swap)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// factKey is the key of fact f with its strings renamed by swap.
func factKey(prog *dedalus.Program, f dedalus.Fact, swap map[string]string) string {
	var b strings.Builder
	b.WriteString(prog.Relations[f.Rel].Name)
	b.WriteByte('(')
	for _, v := range f.Args {
		if v.Type == dedalus.TypeString {
			s := v.Str
			if m, ok := swap[s]; ok {
				s = m
			}
			b.WriteString("s:" + s)
		} else {
			b.WriteString("i:" + strconv.FormatInt(v.Int, 10))
		}
		b.WriteByte(0)
	}
	b.WriteString(")@")
	b.WriteString(strconv.Itoa(f.Time))
	return b.String()
}

// swapClasses returns the non-trivial classes of sorted nodes connected by
// swappable transpositions (which generate the full symmetric group on each
// class), each sorted, ordered by first member. It is a union-find.
func swapClasses(nodes []string, swappable func(a, b string) bool) [][]string {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if parent[x] == x {
			return x
		}
		r := find(parent[x])
		parent[x] = r
		return r
	}
	for _, n := range nodes {
		parent[n] = n
	}
	for i, a := range nodes {
		for _, b := range nodes[i+1:] {
			if find(a) != find(b) && swappable(a, b) {
				parent[find(b)] = find(a)
			}
		}
	}
	groups := map[string][]string{}
	for _, n := range nodes {
		groups[find(n)] = append(groups[find(n)], n)
	}
	var classes [][]string
	for _, n := range nodes {
		if g := groups[n]; len(g) > 1 && find(n) == n {
			classes = append(classes, g)
		}
	}
	slices.SortFunc(classes, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return classes
}

// groupOrderAbove reports whether the group of all permutations within
// each class has more than limit elements.
func groupOrderAbove(classes [][]string, limit int) bool {
	size := 1
	for _, c := range classes {
		for k := 2; k <= len(c); k++ {
			size *= k
			if size > limit {
				return true
			}
		}
	}
	return false
}

// Active reports whether symmetry reduction is in effect.
func (s *Symmetry) Active() bool { return len(s.perms) > 0 }

// Perms returns every non-identity permutation of the group, as node maps
// (nodes outside the classes map to themselves and are absent).
func (s *Symmetry) Perms() []map[string]string { return s.perms }

// Canonical returns the representative of sched's orbit: the image with the
// smallest canonical String.
func (s *Symmetry) Canonical(sched fault.Schedule) fault.Schedule {
	best := sched.Canonical()
	bestKey := best.String()
	for _, p := range s.perms {
		img := Permute(sched, p)
		if k := img.String(); k < bestKey {
			best, bestKey = img, k
		}
	}
	return best
}

// Permute renames the nodes of sched by p.
func Permute(sched fault.Schedule, p map[string]string) fault.Schedule {
	m := func(n string) string {
		if x, ok := p[n]; ok {
			return x
		}
		return n
	}
	return sched.Rename(m)
}

// groupPermutations lists every non-identity element of the product of the
// symmetric groups on classes, in a deterministic order.
func groupPermutations(classes [][]string) []map[string]string {
	all := []map[string]string{{}}
	for _, c := range classes {
		var next []map[string]string
		for _, perm := range permutations(c) {
			for _, base := range all {
				m := make(map[string]string, len(base)+len(c))
				for k, v := range base {
					m[k] = v
				}
				for i, n := range c {
					if perm[i] != n {
						m[n] = perm[i]
					}
				}
				next = append(next, m)
			}
		}
		all = next
	}
	var out []map[string]string
	for _, m := range all {
		if len(m) > 0 {
			out = append(out, m)
		}
	}
	return out
}

// permutations returns every ordering of xs, in lexicographic order of
// positions (Heap's algorithm would do; clarity wins at these sizes).
func permutations(xs []string) [][]string {
	if len(xs) <= 1 {
		return [][]string{slices.Clone(xs)}
	}
	var out [][]string
	for i := range xs {
		rest := append(slices.Clone(xs[:i]), xs[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]string{xs[i]}, p...))
		}
	}
	return out
}

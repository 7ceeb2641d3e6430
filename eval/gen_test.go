package eval

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// This file generates random, well-formed lowered programs (typed, safe and
// stratified by construction) for the property and differential tests.

type genOpts struct {
	negation bool // negated atoms
	aggs     bool // aggregate heads
	crash    bool // rules may read the crash relation
	atTime   bool // body atoms with @k
	sends    bool // extra @async rules sending to the nodes (async_prop_test.go)
	eot      int
}

var genStrings = []string{"a", "b", "c", "z", "x"}

func sv(s string) dedalus.Value { return dedalus.Value{Type: dedalus.TypeString, Str: s} }
func iv(i int64) dedalus.Value  { return dedalus.Value{Type: dedalus.TypeInt, Int: i} }

type gen struct {
	rng   *rand.Rand
	o     genOpts
	prog  *dedalus.Program
	level []int // per relation: its stratum
}

func genProgram(seed uint64, o genOpts) *dedalus.Program {
	g := &gen{rng: rand.New(rand.NewPCG(seed, 7)), o: o}
	p := &dedalus.Program{}
	g.prog = p
	nrel := 3 + g.rng.IntN(4)
	names := []string{"crash"}
	for i := range nrel {
		names = append(names, fmt.Sprintf("r%d", i))
	}
	names = append(names, "pre", "post")
	slices.Sort(names)
	for _, n := range names {
		rel := dedalus.Relation{Name: n}
		switch n {
		case "crash":
			rel.Arity, rel.Types, rel.Builtin = 3, []dedalus.Type{dedalus.TypeString, dedalus.TypeString, dedalus.TypeInt}, true
		case "pre", "post":
			rel.Arity, rel.Types = 2, []dedalus.Type{dedalus.TypeString, dedalus.TypeString}
		default:
			rel.Arity = 1 + g.rng.IntN(3)
			rel.Types = []dedalus.Type{dedalus.TypeString}
			for c := 1; c < rel.Arity; c++ {
				rel.Types = append(rel.Types, []dedalus.Type{dedalus.TypeString, dedalus.TypeInt}[g.rng.IntN(2)])
			}
		}
		p.Relations = append(p.Relations, rel)
	}
	p.Crash, p.Pre, p.Post = p.Rel("crash"), p.Rel("pre"), p.Rel("post")
	g.level = make([]int, len(p.Relations))
	for i, r := range p.Relations {
		switch r.Name {
		case "crash":
			g.level[i] = 0
		case "pre", "post":
			g.level[i] = 3
		default:
			g.level[i] = g.rng.IntN(3)
		}
	}
	for i := range p.Relations {
		p.Relations[i].Stratum = g.level[i]
	}
	p.NumStrata = 4
	// Facts.
	for range 6 + g.rng.IntN(12) {
		rel := g.pickRel(func(int) bool { return true }, false)
		f := dedalus.Fact{Rel: rel, Time: 1}
		if g.rng.IntN(4) == 0 {
			f.Time = 1 + g.rng.IntN(o.eot+1)
		}
		for _, t := range p.Relations[rel].Types {
			f.Args = append(f.Args, g.value(t))
		}
		p.Facts = append(p.Facts, f)
	}
	nrules := 5 + g.rng.IntN(10)
	for range nrules {
		g.rule()
	}
	if o.sends {
		g.sendRules()
	}
	g.prePostRules()
	for i := range p.Rules {
		p.Rules[i].Index = i
	}
	return p
}

func (g *gen) value(t dedalus.Type) dedalus.Value {
	if t == dedalus.TypeInt {
		return iv(int64(g.rng.IntN(4)))
	}
	return sv(genStrings[g.rng.IntN(len(genStrings))])
}

// pickRel picks a non-builtin, non-invariant relation satisfying ok.
func (g *gen) pickRel(ok func(level int) bool, crash bool) dedalus.RelID {
	var cands []dedalus.RelID
	for i, r := range g.prog.Relations {
		if r.Name == "pre" || r.Name == "post" {
			continue
		}
		if r.Name == "crash" && !crash {
			continue
		}
		if ok(g.level[i]) {
			cands = append(cands, dedalus.RelID(i))
		}
	}
	if len(cands) == 0 {
		return dedalus.NoRel
	}
	return cands[g.rng.IntN(len(cands))]
}

type ruleBuilder struct {
	g     *gen
	r     dedalus.Rule
	types []dedalus.Type
}

func (b *ruleBuilder) newVar(t dedalus.Type) int {
	b.r.VarNames = append(b.r.VarNames, fmt.Sprintf("V%d", len(b.r.VarNames)))
	b.types = append(b.types, t)
	return len(b.types) - 1
}

// boundVar returns a variable of type t, or -1.
func (b *ruleBuilder) boundVar(t dedalus.Type) int {
	var cands []int
	for v, vt := range b.types {
		if vt == t {
			cands = append(cands, v)
		}
	}
	if len(cands) == 0 {
		return -1
	}
	return cands[b.g.rng.IntN(len(cands))]
}

func (b *ruleBuilder) atom(rel dedalus.RelID, negated, first bool) dedalus.BodyAtom {
	g := b.g
	a := dedalus.BodyAtom{Rel: rel, Negated: negated}
	for c, t := range g.prog.Relations[rel].Types {
		var term dedalus.Term
		k := g.rng.IntN(10)
		switch {
		case first && c == 0 && k < 8:
			term = dedalus.Term{Var: b.newVar(t)}
		case first && c == 0:
			term = dedalus.Term{Var: -1, IsConst: true, Const: g.value(t)}
		case negated && k < 6, !negated && k < 3:
			if v := b.boundVar(t); v >= 0 {
				term = dedalus.Term{Var: v}
			} else if negated {
				term = dedalus.Term{Var: -1}
			} else {
				term = dedalus.Term{Var: b.newVar(t)}
			}
		case k < 6 && !negated:
			term = dedalus.Term{Var: b.newVar(t)}
		case k < 8:
			term = dedalus.Term{Var: -1, IsConst: true, Const: g.value(t)}
		default:
			term = dedalus.Term{Var: -1}
		}
		a.Args = append(a.Args, term)
	}
	if g.o.atTime && g.rng.IntN(6) == 0 {
		a.AtTime = 1 + g.rng.IntN(g.o.eot)
	}
	return a
}

func (b *ruleBuilder) expr(t dedalus.Type, arith bool) *dedalus.Expr {
	g := b.g
	if v := b.boundVar(t); v >= 0 && g.rng.IntN(4) != 0 {
		x := &dedalus.Expr{Op: dedalus.ExprVar, Var: v, Type: t}
		if t == dedalus.TypeInt && arith && g.rng.IntN(3) == 0 {
			// Keep integers in a small domain so recursion terminates.
			ops := []dedalus.ExprOp{dedalus.ExprAdd, dedalus.ExprSub, dedalus.ExprMul, dedalus.ExprDiv, dedalus.ExprMod}
			op := ops[g.rng.IntN(len(ops))]
			inner := &dedalus.Expr{Op: op, L: x, R: b.expr(t, false), Type: t}
			return &dedalus.Expr{Op: dedalus.ExprMod, L: inner, R: &dedalus.Expr{Op: dedalus.ExprConst, Const: iv(4), Type: t}, Type: t}
		}
		return x
	}
	return &dedalus.Expr{Op: dedalus.ExprConst, Const: g.value(t), Type: t}
}

func (g *gen) rule() {
	p := g.prog
	kind := []dedalus.RuleKind{dedalus.Deductive, dedalus.Deductive, dedalus.Next, dedalus.Async}[g.rng.IntN(4)]
	head := g.pickRel(func(int) bool { return true }, false)
	hl := g.level[head]
	agg := kind == dedalus.Deductive && g.o.aggs && hl > 0 && g.rng.IntN(3) == 0
	b := &ruleBuilder{g: g, r: dedalus.Rule{Kind: kind, Head: head}}
	// Positive atoms: for deductive rules, levels <= head level (< for aggregates).
	posOK := func(l int) bool {
		switch {
		case kind != dedalus.Deductive:
			return true
		case agg:
			return l < hl
		}
		return l <= hl
	}
	npos := 1 + g.rng.IntN(3)
	for i := range npos {
		rel := g.pickRel(posOK, g.o.crash && i > 0)
		if rel == dedalus.NoRel {
			return
		}
		b.r.Body = append(b.r.Body, b.atom(rel, false, i == 0))
	}
	if g.o.negation && g.rng.IntN(2) == 0 {
		negOK := func(l int) bool { return kind != dedalus.Deductive || l < hl }
		if rel := g.pickRel(negOK, g.o.crash); rel != dedalus.NoRel {
			b.r.Body = append(b.r.Body, b.atom(rel, true, false))
		}
	}
	if g.rng.IntN(3) == 0 {
		t := []dedalus.Type{dedalus.TypeString, dedalus.TypeInt}[g.rng.IntN(2)]
		if b.boundVar(t) >= 0 {
			b.r.Cmps = append(b.r.Cmps, dedalus.Comparison{Op: dedalus.CmpOp(g.rng.IntN(6)), L: b.expr(t, true), R: b.expr(t, true)})
		}
	}
	first := b.r.Body[0]
	if first.Args[0].Var >= 0 {
		b.r.NodeVar = first.Args[0].Var
	} else {
		b.r.NodeVar = -1
		b.r.NodeConst = first.Args[0].Const
	}
	for c, t := range p.Relations[head].Types {
		if agg && c == len(p.Relations[head].Types)-1 && c > 0 {
			var fns []dedalus.AggFunc
			if t == dedalus.TypeInt {
				fns = []dedalus.AggFunc{dedalus.AggCount, dedalus.AggMin, dedalus.AggMax, dedalus.AggSum}
			}
			if v := b.boundVar(t); v >= 0 {
				fns = append(fns, dedalus.AggMin, dedalus.AggMax)
				if t == dedalus.TypeInt {
					fns = append(fns, dedalus.AggSum)
				}
				b.r.Args = append(b.r.Args, dedalus.HeadArg{Agg: fns[g.rng.IntN(len(fns))], Var: v})
				b.r.HasAgg = true
				continue
			}
			if t == dedalus.TypeInt {
				if v := b.boundVar(dedalus.TypeString); v >= 0 {
					b.r.Args = append(b.r.Args, dedalus.HeadArg{Agg: dedalus.AggCount, Var: v})
					b.r.HasAgg = true
					continue
				}
			}
		}
		arith := kind != dedalus.Deductive || g.rng.IntN(2) == 0
		b.r.Args = append(b.r.Args, dedalus.HeadArg{Expr: b.expr(t, arith)})
	}
	if kind == dedalus.Deductive {
		b.r.Stratum = hl
	}
	b.r.Text = fmt.Sprintf("rule %d", len(p.Rules))
	p.Rules = append(p.Rules, b.r)
}

// sendRules adds @async rules whose receiver is a node constant, so that
// most of their messages cross between nodes (rule() sends mostly to self
// or to non-nodes): H(m, ...)@async :- A(N, ...) [, B(...)].
func (g *gen) sendRules() {
	for range 2 + g.rng.IntN(3) {
		head := g.pickRel(func(int) bool { return true }, false)
		b := &ruleBuilder{g: g, r: dedalus.Rule{Kind: dedalus.Async, Head: head, NodeVar: -1}}
		for i := range 1 + g.rng.IntN(2) {
			b.r.Body = append(b.r.Body, b.atom(g.pickRel(func(int) bool { return true }, false), false, i == 0))
		}
		if first := b.r.Body[0]; first.Args[0].Var >= 0 {
			b.r.NodeVar = first.Args[0].Var
		} else {
			b.r.NodeConst = first.Args[0].Const
		}
		to := sv(genNodes[g.rng.IntN(len(genNodes))])
		b.r.Args = []dedalus.HeadArg{{Expr: &dedalus.Expr{Op: dedalus.ExprConst, Const: to, Type: dedalus.TypeString}}}
		for _, t := range g.prog.Relations[head].Types[1:] {
			b.r.Args = append(b.r.Args, dedalus.HeadArg{Expr: b.expr(t, true)})
		}
		b.r.Text = fmt.Sprintf("rule %d", len(g.prog.Rules))
		g.prog.Rules = append(g.prog.Rules, b.r)
	}
}

// prePostRules adds pre(N, X) :- rK(N, X...) and post from another relation.
func (g *gen) prePostRules() {
	p := g.prog
	for _, name := range []string{"pre", "post"} {
		var cands []dedalus.RelID
		for i, r := range p.Relations {
			if r.Name[0] == 'r' && r.Arity >= 2 && r.Types[1] == dedalus.TypeString {
				cands = append(cands, dedalus.RelID(i))
			}
		}
		if len(cands) == 0 {
			continue
		}
		rel := cands[g.rng.IntN(len(cands))]
		r := dedalus.Rule{Kind: dedalus.Deductive, Head: p.Rel(name), Stratum: 3, VarNames: []string{"N", "X"}, Text: name}
		a := dedalus.BodyAtom{Rel: rel, Args: []dedalus.Term{{Var: 0}, {Var: 1}}}
		for range p.Relations[rel].Arity - 2 {
			a.Args = append(a.Args, dedalus.Term{Var: -1})
		}
		r.Body = []dedalus.BodyAtom{a}
		r.Args = []dedalus.HeadArg{{Expr: &dedalus.Expr{Op: dedalus.ExprVar, Var: 0, Type: dedalus.TypeString}},
			{Expr: &dedalus.Expr{Op: dedalus.ExprVar, Var: 1, Type: dedalus.TypeString}}}
		p.Rules = append(p.Rules, r)
	}
}

var genNodes = []string{"a", "b", "c"}

// genSchedule returns a random valid schedule for genNodes.
func genSchedule(rng *rand.Rand, p fault.Params) fault.Schedule {
	var s fault.Schedule
	for range rng.IntN(4) {
		from, to := p.Nodes[rng.IntN(len(p.Nodes))], p.Nodes[rng.IntN(len(p.Nodes))]
		if from == to || p.EFF <= 1 {
			continue
		}
		s.Omissions = append(s.Omissions, fault.Omission{From: from, To: to, Time: 1 + rng.IntN(p.EFF-1)})
	}
	if p.MaxCrashes > 0 && rng.IntN(2) == 0 {
		s.Crashes = append(s.Crashes, fault.Crash{Node: p.Nodes[rng.IntN(len(p.Nodes))], Time: 1 + rng.IntN(p.EOT)})
	}
	return s
}

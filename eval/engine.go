package eval

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/ldfi/ldfi/dedalus"
)

// ErrTupleLimit is wrapped by the error Run returns when a run derives more
// tuples than Options.MaxTuples allows.
var ErrTupleLimit = errors.New("eval: tuple limit exceeded")

// DefaultMaxTuples is the tuple limit used when Options.MaxTuples is 0
// (unless SetDefaultMaxTuples changed it).
const DefaultMaxTuples = 1_000_000

var defaultMaxTuples atomic.Int64 // 0: DefaultMaxTuples

// SetDefaultMaxTuples sets the tuple limit of every run, in the whole
// process, whose Options.MaxTuples is 0; n <= 0 restores DefaultMaxTuples.
// A command line sets it once from its flag (--max-tuples), so that every
// run of the command, the search's and the report's, has the same limit.
func SetDefaultMaxTuples(n int) {
	if n < 0 {
		n = 0
	}
	defaultMaxTuples.Store(int64(n))
}

// defaultLimit is the tuple limit of a run whose Options.MaxTuples is 0.
func defaultLimit() int {
	if n := defaultMaxTuples.Load(); n > 0 {
		return int(n)
	}
	return DefaultMaxTuples
}

// MaxEOT bounds the number of timesteps of a run (tables are kept per
// timestep; larger values are certainly input mistakes).
const MaxEOT = 100_000

// Options configure one run.
type Options struct {
	// Provenance records every derivation of every tuple (see Result.Derivations).
	// Leave it off for runs whose lineage is not needed.
	Provenance bool
	// MaxTuples bounds the number of tuples and messages of one run; 0 means
	// DefaultMaxTuples (or what SetDefaultMaxTuples set). A run that exceeds
	// it fails with ErrTupleLimit.
	MaxTuples int
}

// Engine is a compiled program. It is immutable after New: Run may be called
// from many goroutines at once.
type Engine struct {
	prog  *dedalus.Program
	strs  []string         // interned program strings; a string value is its index
	strID map[string]int64 // inverse of strs
	rels  []relInfo
	rules []crule
	// strata[s] lists the deductive rules of stratum s (aggregates included).
	strata [][]int
	// heads[s] lists the relations the rules of strata[s] derive.
	heads [][]int32
	// later lists the @next and @async rules, evaluated after all strata.
	later []int
	// facts[t] lists the facts holding at time t.
	facts map[int][]cfact
	hints sizeHints
	// msgCols is the index layout of the message tables of @async heads.
	msgCols [][][]int
}

// relInfo is the compiled form of a relation.
type relInfo struct {
	name    string
	arity   int
	types   []dedalus.Type
	stratum int
	// masks lists the column sets that rules look tuples up by; masks[0] is
	// always the full key (used for deduplication).
	masks []uint64
	cols  [][]int // the columns of each mask
	// derivedIn is the stratum of the deductive rules that derive this
	// relation, or -1 when no deductive rule does.
	derivedIn int
}

type termKind uint8

const (
	termWild termKind = iota
	termVar
	termConst
)

type cterm struct {
	kind termKind
	v    int
	c    int64
}

type catom struct {
	rel    int32
	atTime int
	args   []cterm
	mask   int // index into relInfo.masks for negated atoms (bound columns)
	// keyCols are the bound columns of a negated atom (all non-wildcard columns).
	keyCols []int
}

type cexpr struct {
	op   dedalus.ExprOp
	v    int
	c    int64
	l, r *cexpr
	typ  dedalus.Type
}

type ccmp struct {
	op   dedalus.CmpOp
	l, r *cexpr
	str  bool // compare as strings
}

type chead struct {
	expr *cexpr
	agg  dedalus.AggFunc
	v    int
	typ  dedalus.Type // the head column's type
}

type colVar struct {
	col int
	v   int
}

type colConst struct {
	col int
	c   int64
}

// step joins one positive atom.
type step struct {
	atom int // index into crule.pos
	ix   int // index into relInfo.masks, or -1 to scan
	// keySrc gives, for each column of the index's mask in column order,
	// where its value comes from: a variable (v >= 0) or a constant.
	keySrc []cterm
	consts []colConst // constant columns to verify
	bound  []colVar   // columns equal to already-bound variables
	binds  []colVar   // columns binding a variable for the first time
	same   []colVar   // repeated variables within the atom, checked after binds
	cmps   []int      // comparisons that become decidable after this step
	node   bool       // check the rule's node after this step
}

type plan struct {
	steps []step
	// preCmps are comparisons without variables, checked before any join.
	preCmps []int
}

type crule struct {
	src      *dedalus.Rule
	index    int
	kind     dedalus.RuleKind
	head     int32
	args     []chead
	nvars    int
	varTypes []dedalus.Type
	pos      []catom
	neg      []catom
	cmps     []ccmp
	full     plan
	delta    []plan // delta[j] starts with positive atom j
	nodeVar  int
	nodeC    int64 // when nodeVar < 0
	hasAgg   bool
	stratum  int
}

type cfact struct {
	rel  int32
	vals []int64
}

// New compiles prog for evaluation. The program must come from the dedalus
// front end (checked and stratified); New reports the few inconsistencies it
// can detect instead of panicking on them.
func New(prog *dedalus.Program) (*Engine, error) {
	if prog == nil {
		return nil, errors.New("eval: nil program")
	}
	e := &Engine{prog: prog, strID: map[string]int64{}, facts: map[int][]cfact{}}
	if err := e.compileRelations(); err != nil {
		return nil, err
	}
	if err := e.compileRules(); err != nil {
		return nil, err
	}
	if err := e.compileFacts(); err != nil {
		return nil, err
	}
	if err := e.checkInvariantRelations(); err != nil {
		return nil, err
	}
	e.hints.rel = make([]atomic.Int32, len(e.rels))
	e.hints.msg = make([]atomic.Int32, len(e.rels))
	for i := range e.rels {
		rel := &e.rels[i]
		for _, m := range rel.masks {
			rel.cols = append(rel.cols, maskCols(m))
		}
	}
	e.msgCols = make([][][]int, len(e.rels))
	for _, ri := range e.later {
		if h := e.rules[ri].head; e.rules[ri].kind == dedalus.Async {
			e.msgCols[h] = [][]int{maskCols(fullMask(e.rels[h].arity + 1))}
		}
	}
	return e, nil
}

// validRel reports whether id names a relation of the engine.
func (e *Engine) validRel(id dedalus.RelID) bool { return id >= 0 && int(id) < len(e.rels) }

// compileRelations fills e.rels from the program's relations.
func (e *Engine) compileRelations() error {
	for _, r := range e.prog.Relations {
		if len(r.Types) != r.Arity {
			return fmt.Errorf("eval: relation %s: %d column types for arity %d", r.Name, len(r.Types), r.Arity)
		}
		if r.Arity > 64 {
			return fmt.Errorf("eval: relation %s: arity %d exceeds 64", r.Name, r.Arity)
		}
		rel := relInfo{name: r.Name, arity: r.Arity, types: r.Types, stratum: r.Stratum, derivedIn: -1}
		rel.masks = []uint64{fullMask(r.Arity)}
		e.rels = append(e.rels, rel)
	}
	return nil
}

// compileRules records the stratum deriving each relation, compiles the
// rules, and sorts them into strata (deductive rules) and e.later (the
// others), with the head relations of each stratum.
func (e *Engine) compileRules() error {
	prog := e.prog
	numStrata := max(prog.NumStrata, 1)
	for i := range prog.Rules {
		r := &prog.Rules[i]
		if !e.validRel(r.Head) {
			return fmt.Errorf("eval: rule %d: bad head relation", i)
		}
		if r.Kind == dedalus.Deductive {
			if r.Stratum < 0 || r.Stratum >= numStrata {
				return fmt.Errorf("eval: rule %d: stratum %d out of range", i, r.Stratum)
			}
			e.rels[r.Head].derivedIn = r.Stratum
		}
	}
	e.strata = make([][]int, numStrata)
	for i := range prog.Rules {
		cr, err := e.compileRule(&prog.Rules[i])
		if err != nil {
			return err
		}
		cr.index = i
		e.rules = append(e.rules, cr)
		if cr.kind == dedalus.Deductive {
			e.strata[cr.stratum] = append(e.strata[cr.stratum], i)
		} else {
			e.later = append(e.later, i)
		}
	}
	e.heads = make([][]int32, len(e.strata))
	for s, rules := range e.strata {
		for _, ri := range rules {
			if h := e.rules[ri].head; !slices.Contains(e.heads[s], h) {
				e.heads[s] = append(e.heads[s], h)
			}
		}
	}
	return nil
}

// compileFacts fills e.facts with the program's facts from time 1 on,
// without duplicates.
func (e *Engine) compileFacts() error {
	seen := map[string]bool{}
	for _, f := range e.prog.Facts {
		if !e.validRel(f.Rel) || len(f.Args) != e.rels[f.Rel].arity {
			return fmt.Errorf("eval: %s: malformed fact", f.Pos)
		}
		if f.Time < 1 {
			continue
		}
		vals := make([]int64, len(f.Args))
		for j, a := range f.Args {
			vals[j] = e.constVal(a)
		}
		key := fmt.Sprint(f.Rel, f.Time, vals)
		if seen[key] {
			continue
		}
		seen[key] = true
		e.facts[f.Time] = append(e.facts[f.Time], cfact{rel: int32(f.Rel), vals: vals})
	}
	return nil
}

// checkInvariantRelations checks the pre, post and crash relations.
func (e *Engine) checkInvariantRelations() error {
	prog := e.prog
	if prog.Pre != dedalus.NoRel && !e.validRel(prog.Pre) || prog.Post != dedalus.NoRel && !e.validRel(prog.Post) ||
		prog.Crash != dedalus.NoRel && !e.validRel(prog.Crash) {
		return errors.New("eval: bad pre/post/crash relation")
	}
	if prog.Pre != dedalus.NoRel && prog.Post != dedalus.NoRel && e.rels[prog.Pre].arity != e.rels[prog.Post].arity {
		return errors.New("eval: pre and post have different arities")
	}
	if prog.Crash != dedalus.NoRel && e.rels[prog.Crash].arity != 3 {
		return errors.New("eval: crash must have 3 columns")
	}
	return nil
}

// Program returns the program the engine was compiled from.
func (e *Engine) Program() *dedalus.Program { return e.prog }

func fullMask(arity int) uint64 {
	if arity == 64 {
		return ^uint64(0)
	}
	return 1<<uint(arity) - 1
}

func (e *Engine) intern(s string) int64 {
	if id, ok := e.strID[s]; ok {
		return id
	}
	id := int64(len(e.strs))
	e.strs = append(e.strs, s)
	e.strID[s] = id
	return id
}

func (e *Engine) constVal(v dedalus.Value) int64 {
	if v.Type == dedalus.TypeInt {
		return v.Int
	}
	return e.intern(v.Str)
}

// maskIndex returns the index of mask in rel's mask list, adding it.
func (e *Engine) maskIndex(rel int32, mask uint64) int {
	ri := &e.rels[rel]
	if i := slices.Index(ri.masks, mask); i >= 0 {
		return i
	}
	ri.masks = append(ri.masks, mask)
	return len(ri.masks) - 1
}

func (e *Engine) compileExpr(x *dedalus.Expr, nvars int) (*cexpr, error) {
	if x == nil {
		return nil, errors.New("missing expression")
	}
	c := &cexpr{op: x.Op, v: x.Var, typ: x.Type}
	switch x.Op {
	case dedalus.ExprVar:
		if x.Var < 0 || x.Var >= nvars {
			return nil, fmt.Errorf("bad variable %d", x.Var)
		}
	case dedalus.ExprConst:
		c.c = e.constVal(x.Const)
		c.typ = x.Const.Type
	case dedalus.ExprAdd, dedalus.ExprSub, dedalus.ExprMul, dedalus.ExprDiv, dedalus.ExprMod:
		var err error
		if c.l, err = e.compileExpr(x.L, nvars); err != nil {
			return nil, err
		}
		if c.r, err = e.compileExpr(x.R, nvars); err != nil {
			return nil, err
		}
		c.typ = dedalus.TypeInt
	default:
		return nil, fmt.Errorf("unknown operator %d", x.Op)
	}
	return c, nil
}

func exprVars(x *cexpr, out []int) []int {
	if x == nil {
		return out
	}
	if x.op == dedalus.ExprVar {
		return append(out, x.v)
	}
	return exprVars(x.r, exprVars(x.l, out))
}

func (e *Engine) compileRule(r *dedalus.Rule) (crule, error) {
	cr := crule{src: r, kind: r.Kind, head: int32(r.Head), nvars: len(r.VarNames), nodeVar: r.NodeVar,
		hasAgg: r.HasAgg, stratum: r.Stratum}
	cr.varTypes = make([]dedalus.Type, cr.nvars)
	headRel := &e.rels[r.Head]
	if len(r.Args) != headRel.arity {
		return crule{}, ruleError(r, fmt.Errorf("head has %d columns, relation %s has %d", len(r.Args), headRel.name, headRel.arity))
	}
	if err := e.compileBody(&cr, r); err != nil {
		return crule{}, ruleError(r, err)
	}
	if err := e.checkStratified(&cr, r); err != nil {
		return crule{}, ruleError(r, err)
	}
	bound := boundVars(&cr)
	if err := e.compileNegatedLookups(&cr, r, bound); err != nil {
		return crule{}, ruleError(r, err)
	}
	if err := e.compileComparisons(&cr, r, bound); err != nil {
		return crule{}, ruleError(r, err)
	}
	if err := e.compileHead(&cr, r, bound); err != nil {
		return crule{}, ruleError(r, err)
	}
	if cr.nodeVar >= cr.nvars || cr.nodeVar >= 0 && !bound[cr.nodeVar] {
		return crule{}, ruleError(r, errors.New("bad node variable"))
	}
	if cr.nodeVar < 0 {
		cr.nodeC = e.constVal(r.NodeConst)
	}
	cr.full = e.makePlan(&cr, joinOrder(&cr, 0))
	for j := range cr.pos {
		cr.delta = append(cr.delta, e.makePlan(&cr, joinOrder(&cr, j)))
	}
	return cr, nil
}

// ruleError places an inconsistency of rule r (a front-end bug).
func ruleError(r *dedalus.Rule, err error) error {
	return fmt.Errorf("eval: %s: rule %q: %s", r.Pos, r.Text, err)
}

// compileBody compiles the body atoms of r into cr.pos and cr.neg (the
// negated ones last) and types the variables from the positive ones.
func (e *Engine) compileBody(cr *crule, r *dedalus.Rule) error {
	for _, a := range r.Body {
		if a.Rel < 0 || int(a.Rel) >= len(e.rels) {
			return errors.New("bad body relation")
		}
		rel := &e.rels[a.Rel]
		if len(a.Args) != rel.arity {
			return fmt.Errorf("atom of %s has %d columns, want %d", rel.name, len(a.Args), rel.arity)
		}
		ca := catom{rel: int32(a.Rel), atTime: a.AtTime}
		for col, t := range a.Args {
			switch {
			case t.IsConst:
				ca.args = append(ca.args, cterm{kind: termConst, c: e.constVal(t.Const)})
			case t.Var >= 0:
				if t.Var >= cr.nvars {
					return fmt.Errorf("bad variable %d", t.Var)
				}
				ca.args = append(ca.args, cterm{kind: termVar, v: t.Var})
				if !a.Negated && cr.varTypes[t.Var] == dedalus.TypeUnknown {
					cr.varTypes[t.Var] = rel.types[col]
				}
			default:
				ca.args = append(ca.args, cterm{kind: termWild})
			}
		}
		if a.Negated {
			cr.neg = append(cr.neg, ca)
		} else {
			if len(cr.neg) > 0 {
				return errors.New("positive atom after a negated one")
			}
			cr.pos = append(cr.pos, ca)
		}
	}
	if len(cr.pos) == 0 {
		return errors.New("no positive body atom")
	}
	return nil
}

// checkStratified checks that negation and aggregation read lower strata
// (the checker's stratification guarantees it; a violation here is a
// front-end bug).
func (e *Engine) checkStratified(cr *crule, r *dedalus.Rule) error {
	if r.Kind != dedalus.Deductive {
		return nil
	}
	hasAgg := slices.ContainsFunc(r.Args, func(h dedalus.HeadArg) bool { return h.Agg != dedalus.AggNone })
	for _, a := range cr.neg {
		if e.rels[a.rel].derivedIn == r.Stratum {
			return fmt.Errorf("negated %s is in the rule's own stratum (not stratified)", e.rels[a.rel].name)
		}
	}
	for _, a := range cr.pos {
		if hasAgg && e.rels[a.rel].derivedIn == r.Stratum {
			return fmt.Errorf("aggregate over %s of the rule's own stratum (not stratified)", e.rels[a.rel].name)
		}
	}
	return nil
}

// boundVars returns, per variable, whether a positive atom binds it. Every
// variable must be (safety).
func boundVars(cr *crule) []bool {
	bound := make([]bool, cr.nvars)
	for _, a := range cr.pos {
		for _, t := range a.args {
			if t.kind == termVar {
				bound[t.v] = true
			}
		}
	}
	return bound
}

// compileNegatedLookups sets the lookup of each negated atom: by all its
// non-wildcard columns.
func (e *Engine) compileNegatedLookups(cr *crule, r *dedalus.Rule, bound []bool) error {
	for i := range cr.neg {
		a := &cr.neg[i]
		var mask uint64
		for col, t := range a.args {
			if t.kind == termVar && !bound[t.v] {
				return fmt.Errorf("variable %s of a negated atom is not bound", r.VarNames[t.v])
			}
			if t.kind != termWild {
				mask |= 1 << uint(col)
				a.keyCols = append(a.keyCols, col)
			}
		}
		if mask != 0 {
			a.mask = e.maskIndex(a.rel, mask)
		} else {
			a.mask = -1
		}
	}
	return nil
}

// compileComparisons compiles the comparisons of r into cr.cmps.
func (e *Engine) compileComparisons(cr *crule, r *dedalus.Rule, bound []bool) error {
	for _, c := range r.Cmps {
		left, err := e.compileExpr(c.L, cr.nvars)
		if err != nil {
			return err
		}
		right, err := e.compileExpr(c.R, cr.nvars)
		if err != nil {
			return err
		}
		for _, v := range exprVars(right, exprVars(left, nil)) {
			if !bound[v] {
				return fmt.Errorf("variable %s of a comparison is not bound", r.VarNames[v])
			}
		}
		isString := left.typ == dedalus.TypeString || right.typ == dedalus.TypeString
		isOperand := func(x *cexpr) bool { return x.op == dedalus.ExprVar || x.op == dedalus.ExprConst }
		if isString && (!isOperand(left) || !isOperand(right)) {
			return errors.New("arithmetic on strings")
		}
		cr.cmps = append(cr.cmps, ccmp{op: c.Op, l: left, r: right, str: isString})
	}
	return nil
}

// compileHead compiles the head columns of r into cr.args.
func (e *Engine) compileHead(cr *crule, r *dedalus.Rule, bound []bool) error {
	headRel := &e.rels[r.Head]
	for col, h := range r.Args {
		ch := chead{agg: h.Agg, v: h.Var, typ: headRel.types[col]}
		if h.Agg != dedalus.AggNone {
			if h.Var < 0 || h.Var >= cr.nvars || !bound[h.Var] {
				return errors.New("aggregate over an unbound variable")
			}
			if r.Kind != dedalus.Deductive {
				return fmt.Errorf("aggregate in a %s rule", r.Kind)
			}
			cr.hasAgg = true
		} else {
			x, err := e.compileExpr(h.Expr, cr.nvars)
			if err != nil {
				return err
			}
			for _, v := range exprVars(x, nil) {
				if !bound[v] {
					return fmt.Errorf("head variable %s is not bound", r.VarNames[v])
				}
			}
			ch.expr = x
		}
		cr.args = append(cr.args, ch)
	}
	return nil
}

// joinOrder orders the positive atoms for a join starting at atom first:
// greedily, the atom with the most columns already bound (constants or
// variables bound by earlier atoms) comes next, ties in body order. Body
// order is kept for derivations whatever the join order.
func joinOrder(cr *crule, first int) []int {
	order := []int{first}
	bound := make([]bool, cr.nvars)
	used := make([]bool, len(cr.pos))
	visit := func(i int) {
		used[i] = true
		for _, t := range cr.pos[i].args {
			if t.kind == termVar {
				bound[t.v] = true
			}
		}
	}
	visit(first)
	for len(order) < len(cr.pos) {
		best, bestScore := -1, -1
		for i, a := range cr.pos {
			if used[i] {
				continue
			}
			score := 0
			for _, t := range a.args {
				if t.kind == termConst || t.kind == termVar && bound[t.v] {
					score++
				}
			}
			if score > bestScore {
				best, bestScore = i, score
			}
		}
		order = append(order, best)
		visit(best)
	}
	return order
}

// makePlan builds the join plan that visits the positive atoms in order.
func (e *Engine) makePlan(cr *crule, order []int) plan {
	var pl plan
	bound := make([]bool, cr.nvars)
	cmpDone := make([]bool, len(cr.cmps))
	ready := func() []int {
		var out []int
		for i, c := range cr.cmps {
			if cmpDone[i] {
				continue
			}
			ok := true
			for _, v := range exprVars(c.r, exprVars(c.l, nil)) {
				ok = ok && bound[v]
			}
			if ok {
				cmpDone[i] = true
				out = append(out, i)
			}
		}
		return out
	}
	pl.preCmps = ready()
	nodeDone := cr.nodeVar < 0
	for _, ai := range order {
		a := &cr.pos[ai]
		st := step{atom: ai, ix: -1}
		var mask uint64
		var keySrc []cterm
		inAtom := make([]bool, cr.nvars)
		for col, t := range a.args {
			switch t.kind {
			case termConst:
				mask |= 1 << uint(col)
				keySrc = append(keySrc, t)
				st.consts = append(st.consts, colConst{col, t.c})
			case termVar:
				switch {
				case bound[t.v]:
					mask |= 1 << uint(col)
					keySrc = append(keySrc, t)
					st.bound = append(st.bound, colVar{col, t.v})
				case inAtom[t.v]:
					st.same = append(st.same, colVar{col, t.v})
				default:
					inAtom[t.v] = true
					st.binds = append(st.binds, colVar{col, t.v})
				}
			}
		}
		if mask != 0 {
			st.ix = e.maskIndex(a.rel, mask)
			st.keySrc = keySrc
		}
		for _, b := range st.binds {
			bound[b.v] = true
		}
		st.cmps = ready()
		if !nodeDone && bound[cr.nodeVar] {
			st.node = true
			nodeDone = true
		}
		pl.steps = append(pl.steps, st)
	}
	return pl
}

package dedalus

import (
	"fmt"
	"slices"
	"strings"
)

// The checker: arity, column types, ground facts, aggregates, safety,
// reserved names, and (in stratify.go) stratification. It collects every
// error in d and records what lowering needs: relation arities and column
// types, and the type of every rule variable.

// relInfo is what the checker knows about one relation.
type relInfo struct {
	name    string
	arity   int
	pos     Pos // first appearance
	builtin bool
	defined bool // has a fact or is a rule head
	read    bool // appears in a rule body
	readPos Pos
	slots   []int // type nodes of the columns

	// Set after the clauses are checked: id is the index in sorted (and so
	// the relation's RelID), stratum its stratum.
	id      int
	stratum int
}

// ruleInfo is the checker's view of one rule.
type ruleInfo struct {
	ast  *RuleClause
	vars nameTable // variable name -> type node
	// The relations of the head and of each body literal (nil for
	// comparisons and unknown names), as in checker.rels.
	head *relInfo
	body []*relInfo
}

type checker struct {
	d       *diags
	rels    map[string]*relInfo
	sorted  []*relInfo // rels by name, once the clauses are checked
	rules   []*ruleInfo
	facts   []*FactClause
	clauses []Clause

	// Type inference: a union-find over column slots, rule variables and
	// constants. Each root carries the type of its class (or TypeUnknown)
	// and where that type came from.
	nodes []typeNode
	files []string // file names of the nodes' positions; files[0] is ""

	// Reused across rules to avoid allocating per rule.
	ruleInfos slab[ruleInfo]
	slots     slab[int]
	relLists  slab[*relInfo]
	varNames  slab[string]
	varNodes  slab[int]
	bound     nameTable // variables bound by the current rule's positive atoms
	scratch   nameTable // the current rule's variables, copied out at its end
	vs        []*VarExpr
	atoms     []bodyAtom // used by lowerRule
}

// typeNode is one node of the type union-find. It holds no pointer (the
// position's file is an index into checker.files) and 32-bit fields, so
// that the table is small and the GC need not scan it. Lines and columns
// fit: files are at most maxFileSize bytes (only an in-memory source over
// 2 GiB could get wrong positions in its type errors).
type typeNode struct {
	parent    int32
	file      int32 // where typ came from
	line, col int32
	typ       Type
}

// nodePos returns where node n's type came from.
func (c *checker) nodePos(n int) Pos {
	x := &c.nodes[n]
	return Pos{File: c.files[x.file], Line: int(x.line), Col: int(x.col)}
}

// fileIndex returns the index of name in c.files, adding it if needed.
// Positions come in runs from one file, so the last file is tried first.
func (c *checker) fileIndex(name string) int32 {
	if last := len(c.files) - 1; c.files[last] == name {
		return int32(last)
	}
	for i, f := range c.files {
		if f == name {
			return int32(i)
		}
	}
	c.files = append(c.files, name)
	return int32(len(c.files) - 1)
}

var builtinRels = []struct {
	name  string
	types []Type
}{
	{"crash", []Type{TypeString, TypeString, TypeInt}},
}

// newChecker returns a checker; exprs, the number of expression nodes
// parsed, sizes the type table (variables repeat within a rule, and
// arithmetic makes extra nodes: about one node per expression).
func newChecker(d *diags, exprs int) *checker {
	c := &checker{d: d, rels: map[string]*relInfo{}, nodes: make([]typeNode, 0, exprs+16), files: []string{""}}
	for _, b := range builtinRels {
		r := &relInfo{name: b.name, arity: len(b.types), builtin: true, defined: true}
		for _, t := range b.types {
			r.slots = append(r.slots, c.newNode(t, NoPos))
		}
		c.rels[b.name] = r
	}
	return c
}

func (c *checker) newNode(t Type, pos Pos) int {
	n := len(c.nodes)
	c.nodes = append(c.nodes, typeNode{parent: int32(n), typ: t, file: c.fileIndex(pos.File), line: int32(pos.Line), col: int32(pos.Col)})
	return n
}

func (c *checker) find(n int) int {
	ns := c.nodes
	for int(ns[n].parent) != n {
		ns[n].parent = ns[ns[n].parent].parent
		n = int(ns[n].parent)
	}
	return n
}

func (c *checker) typeOf(n int) Type { return c.nodes[c.find(n)].typ }

// subject names what a type error is about; it is built only when an
// error is reported.
type subject struct {
	text, more string // text+more, when rel is ""
	col        int    // with rel: a column
	rel        string
}

func (s subject) String() string {
	if s.rel != "" {
		return colName(s.col, s.rel)
	}
	return s.text + s.more
}

func col(i int, rel string) subject         { return subject{col: i, rel: rel} }
func text(s string) subject                 { return subject{text: s} }
func textSuffixed(s, suffix string) subject { return subject{text: s, more: suffix} }

// unify merges the classes of a and b. On a type conflict it reports an
// error at pos about subj and keeps a's type.
func (c *checker) unify(a, b int, pos Pos, subj subject) {
	ra, rb := c.find(a), c.find(b)
	if ra == rb {
		return
	}
	ta, tb := c.nodes[ra].typ, c.nodes[rb].typ
	switch {
	case ta == TypeUnknown || (ta == typePoison && tb != TypeUnknown):
		c.nodes[ra].parent = int32(rb)
		return
	case tb == TypeUnknown || tb == typePoison || ta == tb:
		c.nodes[rb].parent = int32(ra)
		return
	}
	// Conflict: say which side is "here".
	here, there, therePos := tb, ta, c.nodePos(ra)
	if c.nodePos(rb) != pos && c.nodePos(ra) == pos {
		here, there, therePos = ta, tb, c.nodePos(rb)
	}
	if therePos.IsValid() {
		c.d.errorf(pos, "type mismatch: %s is %s here but %s at %s", subj, here, there, therePos)
	} else {
		c.d.errorf(pos, "type mismatch: %s is %s here but %s (built in)", subj, here, there)
	}
}

// typePoison marks a class in which an error was already reported: it
// unifies with any type silently and is never "unknown".
const typePoison Type = 255

// poison marks node n's class as already in error.
func (c *checker) poison(n int) { c.unify(n, c.newNode(typePoison, NoPos), NoPos, text("")) }

func colName(i int, rel string) string {
	if i == 0 {
		return fmt.Sprintf("column 1 (the location) of %s", rel)
	}
	return fmt.Sprintf("column %d of %s", i+1, rel)
}

// check runs all checks over the clauses of a program.
func (c *checker) check(clauses []Clause) {
	c.clauses = clauses
	nrules := 0
	for _, cl := range clauses {
		if _, ok := cl.(*RuleClause); ok {
			nrules++
		}
	}
	c.rules = make([]*ruleInfo, 0, nrules)
	c.facts = make([]*FactClause, 0, len(clauses)-nrules)
	for _, cl := range clauses {
		switch x := cl.(type) {
		case *FactClause:
			c.checkFact(x)
		case *RuleClause:
			c.checkRule(x)
		}
	}
	c.sortRels()
	c.checkTypesKnown()
	c.stratify()
	c.warnings()
}

// use records an appearance of atom a and returns its relation, or nil
// when the atom cannot be used (wrong arity, reserved name), and the
// relation whatever the errors (nil only for a reserved name): it saves
// later stages looking the name up again.
func (c *checker) use(a *Atom, defining bool) (usable, rel *relInfo) {
	if a.Name == "clock" {
		c.d.errorf(a.NamePos, "clock is reserved (the runtime's delivery relation) and cannot be used")
		return nil, nil
	}
	r := c.rels[a.Name]
	if r == nil {
		r = &relInfo{name: a.Name, arity: len(a.Args), pos: a.NamePos}
		if len(a.Args) > 0 {
			r.slots = c.slots.take(len(a.Args))
		}
		for i := range a.Args {
			t := TypeUnknown
			if i == 0 {
				t = TypeString
			}
			r.slots[i] = c.newNode(t, a.NamePos)
		}
		c.rels[a.Name] = r
		if len(a.Args) == 0 {
			c.d.errorf(a.NamePos, "relation %s has no columns: the first column of every relation is its location", a.Name)
		}
	}
	if !r.pos.IsValid() && !r.builtin {
		r.pos = a.NamePos
	}
	if defining {
		if r.builtin {
			c.d.errorf(a.NamePos, "%s is built in (the runtime provides it) and cannot be defined", a.Name)
			return nil, r
		}
		r.defined = true
	} else if !r.read {
		r.read, r.readPos = true, a.NamePos
	}
	if len(a.Args) != r.arity {
		where := "(built in)"
		if r.pos.IsValid() && r.pos != a.NamePos {
			where = "at " + r.pos.String()
		}
		c.d.errorf(a.NamePos, "%s has %d columns here but %d %s", a.Name, len(a.Args), r.arity, where)
		return nil, r
	}
	if r.arity == 0 {
		return nil, r
	}
	return r, r
}

func (c *checker) checkFact(f *FactClause) {
	c.facts = append(c.facts, f)
	r, _ := c.use(f.Atom, true)
	for i, arg := range f.Atom.Args {
		t := typePoison
		switch x := arg.(type) {
		case *StringLit:
			t = TypeString
		case *IntLit:
			t = TypeInt
		case *VarExpr:
			c.d.errorf(x.NamePos, "fact %s contains variable %s: facts must be ground (constants only)", f.Atom.Name, x.Name)
		case *WildExpr:
			c.d.errorf(x.At, "fact %s contains _: facts must be ground (constants only)", f.Atom.Name)
		case *BadExpr:
		case *AggExpr:
			c.d.errorf(x.FuncPos, "fact %s contains an aggregate: facts must be ground (constants only)", f.Atom.Name)
		default:
			c.d.errorf(arg.Pos(), "fact %s contains an expression: facts must be ground (constants only)", f.Atom.Name)
		}
		if r != nil {
			c.unify(r.slots[i], c.newNode(t, arg.Pos()), arg.Pos(), col(i, r.name))
		}
	}
}

func (c *checker) checkRule(rule *RuleClause) {
	ri := c.ruleInfos.new()
	ri.ast = rule
	ri.body = c.relLists.take(len(rule.Body))
	c.rules = append(c.rules, ri)
	// The rule's variables collect in c.scratch (reused across rules) and
	// are copied out to ri.vars, at their exact size, at the end.
	c.scratch.reset()
	ri.vars = c.scratch
	defer c.endRule(ri)

	// Body first: it binds the variables.
	positives := c.bindBodyVars(rule)
	if positives == 0 {
		c.d.errorf(rule.Head.NamePos, "rule for %s has no positive body atom (every rule needs one to bind its variables and give its node)", rule.Head.Name)
	}
	unsafe := unsafeCheck{c: c, ri: ri, ok: positives == 0}
	for li, l := range rule.Body {
		switch x := l.(type) {
		case *AtomLit:
			ri.body[li] = c.checkBodyAtom(ri, x, unsafe)
		case *CmpLit:
			c.vs = exprVars(x.L, exprVars(x.R, c.vs[:0]))
			for _, v := range c.vs {
				unsafe.check(v, "in a comparison", "")
			}
			l, r := c.exprNode(ri, x.L, "comparison"), c.exprNode(ri, x.R, "comparison")
			c.unify(l, r, x.OpPos, textSuffixed("the right side of ", x.Op.String()))
		}
	}
	c.checkHead(ri, rule, unsafe)
}

// bindBodyVars marks (in c.bound) the variables of the rule's positive body
// atoms, the only ones that bind, and returns how many positive atoms there
// are. It runs before any literal is checked so that safety does not depend
// on the order of the body.
func (c *checker) bindBodyVars(rule *RuleClause) int {
	c.bound.reset()
	positives := 0
	for _, l := range rule.Body {
		if a, ok := l.(*AtomLit); ok && !a.Negated {
			positives++
			for _, arg := range a.Atom.Args {
				if v, ok := arg.(*VarExpr); ok {
					if _, seen := c.bound.get(v.Name); !seen {
						c.bound.put(v.Name, 0)
					}
				}
			}
		}
	}
	return positives
}

// checkBodyAtom checks one body atom (positive or notin), unifying each
// argument with its relation's column, and returns the relation it reads.
func (c *checker) checkBodyAtom(ri *ruleInfo, x *AtomLit, unsafe unsafeCheck) *relInfo {
	r, rel := c.use(x.Atom, false)
	for i, arg := range x.Atom.Args {
		var n int
		switch a := arg.(type) {
		case *VarExpr:
			if x.Negated {
				unsafe.check(a, "in notin ", x.Atom.Name)
			}
			n = c.varNode(ri, a)
		case *WildExpr, *BadExpr:
			continue
		case *StringLit:
			n = c.newNode(TypeString, a.ValuePos)
		case *IntLit:
			n = c.newNode(TypeInt, a.ValuePos)
		case *AggExpr:
			c.d.errorf(a.FuncPos, "aggregates are allowed only in rule heads")
			continue
		default:
			c.d.errorf(arg.Pos(), "expressions are not allowed in body atoms (use a variable and a comparison such as X == Y + 1)")
			continue
		}
		if r != nil {
			c.unify(r.slots[i], n, arg.Pos(), col(i, r.name))
		}
	}
	return rel
}

// checkHead checks the rule's head after its body, so that the head's
// variables already have their body types.
func (c *checker) checkHead(ri *ruleInfo, rule *RuleClause, unsafe unsafeCheck) {
	var head *relInfo
	if rule.Kind == Async && len(rule.Head.Args) == 0 {
		c.d.errorf(rule.Head.NamePos, "@async head %s() has no location column to send to", rule.Head.Name)
		ri.head = c.rels[rule.Head.Name]
	} else {
		head, ri.head = c.use(rule.Head, true)
	}
	for i, arg := range rule.Head.Args {
		var n int
		switch a := arg.(type) {
		case *AggExpr:
			n = c.checkAgg(ri, rule, i, a, unsafe)
		case *WildExpr:
			c.d.errorf(a.At, "_ in the head of a rule: every head column needs a value from the body")
			n = c.newNode(typePoison, NoPos)
		default:
			c.vs = exprVars(arg, c.vs[:0])
			for _, v := range c.vs {
				unsafe.check(v, "in the head", "")
			}
			n = c.exprNode(ri, arg, "head")
		}
		if head != nil && n >= 0 {
			c.unify(head.slots[i], n, arg.Pos(), col(i, head.name))
		}
	}
}

// endRule copies the rule's variables out of the reused scratch table.
func (c *checker) endRule(ri *ruleInfo) {
	c.scratch = ri.vars // keep any growth for the next rule
	ri.vars = c.scratch.freeze(&c.varNames, &c.varNodes)
	c.scratch.index = nil // now owned by ri.vars
}

// unsafeCheck reports variables that no positive body atom binds.
type unsafeCheck struct {
	c  *checker
	ri *ruleInfo
	ok bool // the rule has no positive atom (reported once, already)
}

// check reports v if it is unbound; where+what says where v is (two parts
// so that the message is built only on error).
func (u unsafeCheck) check(v *VarExpr, where, what string) {
	if _, bound := u.c.bound.get(v.Name); u.ok || bound {
		return
	}
	u.c.d.errorf(v.NamePos, "unsafe rule: variable %s %s%s is not bound by a positive body atom", v.Name, where, what)
	u.c.poison(u.c.varNode(u.ri, v))
}

// checkAgg checks an aggregate head column and returns its type node (or
// -1).
func (c *checker) checkAgg(ri *ruleInfo, rule *RuleClause, col int, a *AggExpr, unsafe unsafeCheck) int {
	fn := aggFunc(a.Func)
	if fn == AggNone {
		c.d.errorf(a.FuncPos, "unknown aggregate function %s (use count, min, max or sum)", a.Func)
		return c.newNode(typePoison, NoPos)
	}
	if rule.Kind != Deductive {
		c.d.errorf(a.FuncPos, "aggregate %s<...> in a %s rule: aggregates are allowed only in same-timestep rules", a.Func, rule.Kind)
	}
	if col == 0 {
		c.d.errorf(a.FuncPos, "the location column (column 1) cannot be an aggregate")
	}
	v, ok := a.Var.(*VarExpr)
	if !ok {
		if _, bad := a.Var.(*BadExpr); !bad {
			c.d.errorf(a.Var.Pos(), "aggregate %s<...> needs a variable, not _", a.Func)
		}
		return c.newNode(typePoison, NoPos)
	}
	unsafe.check(v, "in aggregate ", a.Func)
	n := c.varNode(ri, v)
	switch fn {
	case AggCount:
		return c.newNode(TypeInt, a.FuncPos)
	case AggSum:
		c.unify(n, c.newNode(TypeInt, a.FuncPos), v.NamePos, textSuffixed(v.Name, " (summed)"))
		return c.newNode(TypeInt, a.FuncPos)
	case AggMin, AggMax:
		return n
	}
	return -1
}

func aggFunc(name string) AggFunc {
	switch name {
	case "count":
		return AggCount
	case "min":
		return AggMin
	case "max":
		return AggMax
	case "sum":
		return AggSum
	}
	return AggNone
}

func (c *checker) varNode(ri *ruleInfo, v *VarExpr) int {
	n, ok := ri.vars.get(v.Name)
	if !ok {
		n = c.newNode(TypeUnknown, v.NamePos)
		ri.vars.put(v.Name, n)
	}
	return n
}

// exprNode returns the type node of an expression in a head or a
// comparison, checking arithmetic operands.
func (c *checker) exprNode(ri *ruleInfo, e ExprNode, where string) int {
	switch x := e.(type) {
	case *VarExpr:
		return c.varNode(ri, x)
	case *StringLit:
		return c.newNode(TypeString, x.ValuePos)
	case *IntLit:
		return c.newNode(TypeInt, x.ValuePos)
	case *ParenExpr:
		return c.exprNode(ri, x.X, where)
	case *BinaryExpr:
		for _, operand := range [2]ExprNode{x.X, x.Y} {
			n := c.exprNode(ri, operand, where)
			c.unify(n, c.newNode(TypeInt, x.OpPos), operand.Pos(), textSuffixed("operand of ", x.Op.String()))
		}
		return c.newNode(TypeInt, x.OpPos)
	case *WildExpr:
		c.d.errorf(x.At, "_ cannot be used in a %s expression", where)
	case *AggExpr:
		if where == "head" {
			c.d.errorf(x.FuncPos, "an aggregate must be a whole head column, not part of an expression")
		} else {
			c.d.errorf(x.FuncPos, "aggregates are allowed only in rule heads")
		}
	}
	return c.newNode(typePoison, e.Pos())
}

// exprVars appends the variables of e to vs.
func exprVars(e ExprNode, vs []*VarExpr) []*VarExpr {
	switch x := e.(type) {
	case *VarExpr:
		vs = append(vs, x)
	case *ParenExpr:
		vs = exprVars(x.X, vs)
	case *BinaryExpr:
		vs = exprVars(x.Y, exprVars(x.X, vs))
	}
	return vs
}

// sortRels sorts the relations by name into c.sorted (once: no relation
// appears after the clauses are checked) and numbers them.
func (c *checker) sortRels() {
	rs := make([]*relInfo, 0, len(c.rels))
	for _, r := range c.rels {
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b *relInfo) int { return strings.Compare(a.name, b.name) })
	for i, r := range rs {
		r.id = i
	}
	c.sorted = rs
}

// checkTypesKnown reports columns whose type nothing determines. Columns
// of relations that are read but never defined (a warning, and always
// empty) default to string instead.
func (c *checker) checkTypesKnown() {
	for _, r := range c.sorted {
		if r.defined {
			continue
		}
		for _, s := range r.slots {
			if c.typeOf(s) == TypeUnknown {
				c.unify(s, c.newNode(TypeString, r.pos), r.pos, col(0, r.name))
			}
		}
	}
	for _, r := range c.sorted {
		for i, s := range r.slots {
			if c.typeOf(s) == TypeUnknown {
				c.d.errorf(r.pos, "cannot tell the type of %s: no constant or typed column reaches it", col(i, r.name))
			}
		}
	}
}

// warnings reports suspicious but legal things.
func (c *checker) warnings() {
	for _, r := range c.sorted {
		if r.read && !r.defined {
			c.d.warnf(r.readPos, "relation %s is read but never defined (no fact or rule head)", r.name)
		}
	}
	pre, post := c.rels["pre"], c.rels["post"]
	switch {
	case pre != nil && post != nil:
		c.checkInvariantColumns(pre, post)
	case pre != nil && post == nil:
		c.d.warnf(pre.pos, "pre without post: the invariant needs both")
	case post != nil && pre == nil:
		c.d.warnf(post.pos, "post without pre: the invariant needs both")
	}
}

// checkInvariantColumns requires pre and post to have the same columns,
// since a violation is a pre tuple with no equal post tuple.
func (c *checker) checkInvariantColumns(pre, post *relInfo) {
	first, second := pre, post
	if comparePos(post.pos, pre.pos) < 0 {
		first, second = post, pre
	}
	if pre.arity != post.arity {
		// Reported by use() only when the names are equal; here they differ.
		c.d.errorf(second.pos, "pre and post must have the same columns: %s has %d, %s has %d (at %s)", second.name, second.arity, first.name, first.arity, first.pos)
		return
	}
	for i := range pre.slots {
		tp, tq := c.typeOf(pre.slots[i]), c.typeOf(post.slots[i])
		if tp != tq && tp != TypeUnknown && tq != TypeUnknown && tp != typePoison && tq != typePoison {
			c.d.errorf(second.pos, "pre and post must have the same columns: column %d is %s in pre but %s in post", i+1, tp, tq)
		}
	}
}

func comparePos(a, b Pos) int {
	switch {
	case a.File != b.File:
		return strings.Compare(a.File, b.File)
	case a.Line != b.Line:
		return a.Line - b.Line
	}
	return a.Col - b.Col
}

// nameTable maps names to ints: a rule's variables to their type nodes, or
// a set of names. Rules have few variables, so it searches a slice; past
// linearLimit entries it also keeps a map, so that a pathological rule
// with thousands of variables stays fast.
type nameTable struct {
	names []string
	vals  []int
	index map[string]int // name -> position, once len(names) > linearLimit
}

const linearLimit = 16

// reset empties t, keeping its buffers (the stale strings they still
// point to die with the checker).
func (t *nameTable) reset() {
	t.names, t.vals, t.index = t.names[:0], t.vals[:0], nil
}

func (t *nameTable) get(name string) (int, bool) {
	if t.index != nil {
		i, ok := t.index[name]
		if !ok {
			return 0, false
		}
		return t.vals[i], true
	}
	for i, n := range t.names {
		if n == name {
			return t.vals[i], true
		}
	}
	return 0, false
}

// put adds name, which must not be in t yet.
func (t *nameTable) put(name string, val int) {
	t.names = append(t.names, name)
	t.vals = append(t.vals, val)
	switch {
	case t.index != nil:
		t.index[name] = len(t.names) - 1
	case len(t.names) > linearLimit:
		t.index = make(map[string]int, 2*len(t.names))
		for i, n := range t.names {
			t.index[n] = i
		}
	}
}

// freeze returns a copy of t whose slices come from the given slabs (the
// index map, if any, is shared).
func (t *nameTable) freeze(names *slab[string], vals *slab[int]) nameTable {
	if len(t.names) == 0 {
		return nameTable{}
	}
	f := nameTable{names: names.take(len(t.names)), vals: vals.take(len(t.vals)), index: t.index}
	copy(f.names, t.names)
	copy(f.vals, t.vals)
	return f
}

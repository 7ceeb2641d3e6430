package dedalus

import (
	"strconv"
	"strings"
)

// Desugar prints the program in the explicit form the evaluator follows:
// every relation gets a final time column; a deductive rule reads and
// derives at time T; an @next rule derives at T + 1 at the rule's node; an
// @async rule is a message from the rule's node to the head's first column,
// joined with the runtime's delivery relation clock(From, To, T, R) (R is
// T + 1 unless the message is lost); a body atom with @k reads time k; an
// aggregate rule is split into a rule that collects the bindings and one
// that aggregates them. The output is for people to read; it uses clock,
// which programs may not.
//
// Everything is written straight into one builder (no fmt, no joined
// intermediate strings): printing is linear in the output.
func Desugar(p *Program) string {
	var b strings.Builder
	size := 512 + 64*len(p.Relations) + 32*len(p.Facts) + 160*len(p.Rules)
	for _, f := range p.Files {
		size += len(f.Path)
	}
	b.Grow(size)
	b.WriteString("// Desugared program: the last column of every relation is the time.\n")
	for _, f := range p.Files {
		b.WriteString("// file ")
		b.WriteString(f.Path)
		b.WriteString(" (sha256 ")
		b.WriteString(f.SHA256)
		b.WriteString(")\n")
	}
	b.WriteString("// crash(Observer, Crashed, CrashTime, T) is built in: at every time T, for every observer node and every crash in the fault schedule.\n")
	b.WriteString("// clock(From, To, T, R) is built in: a message sent from From to To at T arrives at R = T + 1 unless an omission or a crash of From (From != To) removes it.\n")
	for _, r := range p.Relations {
		b.WriteString("// relation ")
		b.WriteString(r.Name)
		b.WriteByte('(')
		for i, t := range r.Types {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(t.String())
		}
		b.WriteString(", time int): stratum ")
		b.WriteString(strconv.Itoa(r.Stratum))
		if r.Builtin {
			b.WriteString(", built in")
		}
		b.WriteByte('\n')
	}
	if len(p.Facts) > 0 {
		b.WriteString("\n")
	}
	for _, f := range p.Facts {
		b.WriteString(p.Relations[f.Rel].Name)
		b.WriteByte('(')
		for _, v := range f.Args {
			writeValue(&b, v)
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(f.Time))
		b.WriteString(");\n")
	}
	d := &desugarer{p: p, b: &b, used: map[string]bool{}}
	for i := range p.Rules {
		b.WriteString("\n")
		d.rule(&p.Rules[i])
	}
	return b.String()
}

func formatValue(v Value) string {
	if v.Type == TypeInt {
		return strconv.FormatInt(v.Int, 10)
	}
	return `"` + v.Str + `"`
}

func writeValue(b *strings.Builder, v Value) {
	if v.Type == TypeInt {
		writeInt(b, v.Int)
		return
	}
	b.WriteByte('"')
	b.WriteString(v.Str)
	b.WriteByte('"')
}

// desugarer prints rules; its buffers are reused from rule to rule.
type desugarer struct {
	p     *Program
	b     *strings.Builder
	r     *Rule
	names []string // printable variable names
	used  map[string]bool
	seen  []bool // aggregate split: variables already collected
	vars  []int  // aggregate split: the collected variables
}

// fresh returns a variable name based on base that the rule does not use.
func (d *desugarer) fresh(base string) string {
	name := base
	for i := 1; d.used[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	d.used[name] = true
	return name
}

// sep writes ", " before every item but the first.
func (d *desugarer) sep(i int) {
	if i > 0 {
		d.b.WriteString(", ")
	}
}

func (d *desugarer) rule(r *Rule) {
	d.r = r
	d.nameVars(r)
	// The fresh names are taken in this order (after the variables') so
	// that the output is stable.
	t := d.fresh("T")
	node := "?"
	switch {
	case r.NodeVar >= 0:
		node = d.names[r.NodeVar]
	case r.NodeConst.Type != TypeUnknown:
		node = formatValue(r.NodeConst)
	}
	d.ruleComment(r, node)

	recv := ""
	if r.Kind == Async {
		recv = d.fresh("R")
	}
	head := d.p.Relations[r.Head].Name
	if r.HasAgg {
		d.aggRule(r, head, t, node, recv)
		return
	}
	b := d.b
	d.head(head, t, recv)
	b.WriteString(" :- ")
	d.body(t, node, recv)
	b.WriteString(";\n")
}

// nameVars fills d.names with the rule's printable variable names: the
// source names, with the checker's hidden ones ("_...") renamed to fresh
// names that no source variable uses.
func (d *desugarer) nameVars(r *Rule) {
	clear(d.used)
	for _, n := range r.VarNames {
		d.used[n] = true
	}
	d.names = d.names[:0]
	for _, n := range r.VarNames {
		if strings.HasPrefix(n, "_") {
			n = d.fresh("Node")
		}
		d.names = append(d.names, n)
	}
}

// ruleComment writes the comment that introduces a rule: where it comes
// from, its kind, node and stratum, and its source text.
func (d *desugarer) ruleComment(r *Rule, node string) {
	b := d.b
	b.WriteString("// rule ")
	b.WriteString(strconv.Itoa(r.Index))
	b.WriteString(" at ")
	b.WriteString(r.Pos.String())
	b.WriteString(", ")
	b.WriteString(r.Kind.String())
	b.WriteString(", node ")
	b.WriteString(node)
	b.WriteString(", stratum ")
	b.WriteString(strconv.Itoa(r.Stratum))
	b.WriteString(":\n//   ")
	b.WriteString(r.Text)
	b.WriteByte('\n')
}

// aggRule writes an aggregate rule as two: one that collects the bindings
// into a helper relation, and one that aggregates the helper into the head.
func (d *desugarer) aggRule(r *Rule, head, t, node, recv string) {
	b := d.b
	d.vars = d.vars[:0]
	d.seen = append(d.seen[:0], make([]bool, len(d.names))...)
	d.collect(r.NodeVar)
	for _, a := range r.Args {
		if a.Agg != AggNone {
			d.collect(a.Var)
		} else {
			d.collectExpr(a.Expr)
		}
	}
	d.aggHelper(head, t, node)
	b.WriteString(" :- ")
	d.body(t, node, recv)
	b.WriteString(";\n")
	d.head(head, t, recv)
	b.WriteString(" :- ")
	d.aggHelper(head, t, node)
	b.WriteString(";\n")
}

// aggHelper writes the helper relation of an aggregate rule and its
// arguments (the collected variables), which aggRule prints twice.
func (d *desugarer) aggHelper(head, t, node string) {
	b, r := d.b, d.r
	b.WriteString(head)
	b.WriteString("__agg")
	b.WriteString(strconv.Itoa(r.Index))
	b.WriteByte('(')
	i := 0
	if r.NodeVar < 0 {
		b.WriteString(node)
		i++
	}
	for _, v := range d.vars {
		d.sep(i)
		b.WriteString(d.names[v])
		i++
	}
	d.sep(i)
	b.WriteString(t)
	b.WriteByte(')')
}

func (d *desugarer) collect(v int) {
	if v >= 0 && !d.seen[v] {
		d.seen[v] = true
		d.vars = append(d.vars, v)
	}
}

// collectExpr collects the variables of e, left to right.
func (d *desugarer) collectExpr(e *Expr) {
	if e == nil {
		return
	}
	if e.Op == ExprVar {
		d.collect(e.Var)
		return
	}
	d.collectExpr(e.L)
	d.collectExpr(e.R)
}

// head writes the rule's head with its time column.
func (d *desugarer) head(head, t, recv string) {
	b, r := d.b, d.r
	b.WriteString(head)
	b.WriteByte('(')
	for i, a := range r.Args {
		d.sep(i)
		if a.Agg != AggNone {
			b.WriteString(a.Agg.String())
			b.WriteByte('<')
			b.WriteString(d.names[a.Var])
			b.WriteByte('>')
		} else {
			d.expr(a.Expr, 0)
		}
	}
	d.sep(len(r.Args))
	switch r.Kind {
	case Deductive:
		b.WriteString(t)
	case Next:
		b.WriteString(t)
		b.WriteString(" + 1")
	case Async:
		b.WriteString(recv)
	}
	b.WriteByte(')')
}

// body writes the rule's body atoms, comparisons and, for @async, the
// clock atom.
func (d *desugarer) body(t, node, recv string) {
	b, r := d.b, d.r
	i := 0
	for _, a := range r.Body {
		d.sep(i)
		d.atom(a, t)
		i++
	}
	for _, c := range r.Cmps {
		d.sep(i)
		d.expr(c.L, 0)
		b.WriteByte(' ')
		b.WriteString(c.Op.String())
		b.WriteByte(' ')
		d.expr(c.R, 0)
		i++
	}
	if r.Kind == Async {
		d.sep(i)
		b.WriteString("clock(")
		b.WriteString(node)
		b.WriteString(", ")
		if len(r.Args) > 0 && r.Args[0].Expr != nil {
			d.expr(r.Args[0].Expr, 0)
		} else {
			b.WriteByte('?')
		}
		b.WriteString(", ")
		b.WriteString(t)
		b.WriteString(", ")
		b.WriteString(recv)
		b.WriteByte(')')
	}
}

func (d *desugarer) atom(a BodyAtom, t string) {
	b := d.b
	if a.Negated {
		b.WriteString("notin ")
	}
	b.WriteString(d.p.Relations[a.Rel].Name)
	b.WriteByte('(')
	for _, x := range a.Args {
		switch {
		case x.IsConst:
			writeValue(b, x.Const)
		case x.Var >= 0:
			b.WriteString(d.names[x.Var])
		default:
			b.WriteByte('_')
		}
		b.WriteString(", ")
	}
	if a.AtTime > 0 {
		b.WriteString(strconv.Itoa(a.AtTime))
	} else {
		b.WriteString(t)
	}
	b.WriteByte(')')
}

func exprPrec(op ExprOp) int {
	switch op {
	case ExprAdd, ExprSub:
		return 1
	case ExprMul, ExprDiv, ExprMod:
		return 2
	}
	return 3
}

// expr writes e, parenthesised when its precedence is below prec.
func (d *desugarer) expr(e *Expr, prec int) {
	b := d.b
	switch e.Op {
	case ExprVar:
		b.WriteString(d.names[e.Var])
		return
	case ExprConst:
		writeValue(b, e.Const)
		return
	}
	p := exprPrec(e.Op)
	if p < prec {
		b.WriteByte('(')
	}
	d.expr(e.L, p)
	b.WriteByte(' ')
	b.WriteString(e.Op.String())
	b.WriteByte(' ')
	d.expr(e.R, p+1)
	if p < prec {
		b.WriteByte(')')
	}
}

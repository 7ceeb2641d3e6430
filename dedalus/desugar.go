package dedalus

import (
	"fmt"
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
func Desugar(p *Program) string {
	var b strings.Builder
	b.WriteString("// Desugared program: the last column of every relation is the time.\n")
	for _, f := range p.Files {
		fmt.Fprintf(&b, "// file %s (sha256 %s)\n", f.Path, f.SHA256)
	}
	b.WriteString("// crash(Observer, Crashed, CrashTime, T) is built in: at every time T, for every observer node and every crash in the fault schedule.\n")
	b.WriteString("// clock(From, To, T, R) is built in: a message sent from From to To at T arrives at R = T + 1 unless an omission or a crash of From (From != To) removes it.\n")
	for _, r := range p.Relations {
		cols := make([]string, len(r.Types))
		for i, t := range r.Types {
			cols[i] = t.String()
		}
		extra := ""
		if r.Builtin {
			extra = ", built in"
		}
		fmt.Fprintf(&b, "// relation %s(%s, time int): stratum %d%s\n", r.Name, strings.Join(cols, ", "), r.Stratum, extra)
	}
	if len(p.Facts) > 0 {
		b.WriteString("\n")
	}
	for _, f := range p.Facts {
		args := make([]string, 0, len(f.Args)+1)
		for _, v := range f.Args {
			args = append(args, formatValue(v))
		}
		args = append(args, strconv.Itoa(f.Time))
		fmt.Fprintf(&b, "%s(%s);\n", p.Relations[f.Rel].Name, strings.Join(args, ", "))
	}
	for i := range p.Rules {
		b.WriteString("\n")
		desugarRule(&b, p, &p.Rules[i])
	}
	return b.String()
}

func formatValue(v Value) string {
	if v.Type == TypeInt {
		return strconv.FormatInt(v.Int, 10)
	}
	return `"` + v.Str + `"`
}

type desugarer struct {
	p     *Program
	r     *Rule
	names []string // printable variable names
	used  map[string]bool
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

func desugarRule(b *strings.Builder, p *Program, r *Rule) {
	d := &desugarer{p: p, r: r, used: map[string]bool{}}
	for _, n := range r.VarNames {
		d.used[n] = true
	}
	d.names = make([]string, len(r.VarNames))
	for i, n := range r.VarNames {
		if strings.HasPrefix(n, "_") {
			n = d.fresh("Node")
		}
		d.names[i] = n
	}
	t := d.fresh("T")
	node := "?"
	switch {
	case r.NodeVar >= 0:
		node = d.names[r.NodeVar]
	case r.NodeConst.Type != TypeUnknown:
		node = formatValue(r.NodeConst)
	}
	fmt.Fprintf(b, "// rule %d at %s, %s, node %s, stratum %d:\n//   %s\n", r.Index, r.Pos, r.Kind, node, r.Stratum, r.Text)

	var body []string
	for _, a := range r.Body {
		body = append(body, d.atom(a, t))
	}
	for _, c := range r.Cmps {
		body = append(body, d.expr(c.L, 0)+" "+c.Op.String()+" "+d.expr(c.R, 0))
	}
	head := p.Relations[r.Head].Name
	var args []string
	for _, a := range r.Args {
		if a.Agg != AggNone {
			args = append(args, a.Agg.String()+"<"+d.names[a.Var]+">")
		} else {
			args = append(args, d.expr(a.Expr, 0))
		}
	}
	switch r.Kind {
	case Deductive:
		args = append(args, t)
	case Next:
		args = append(args, t+" + 1")
	case Async:
		recv := d.fresh("R")
		args = append(args, recv)
		to := "?"
		if len(r.Args) > 0 && r.Args[0].Expr != nil {
			to = d.expr(r.Args[0].Expr, 0)
		}
		body = append(body, fmt.Sprintf("clock(%s, %s, %s, %s)", node, to, t, recv))
	}
	if r.HasAgg {
		// Split: collect the bindings, then aggregate them.
		seen := map[int]bool{}
		var vars []string
		addVar := func(v int) {
			if v >= 0 && !seen[v] {
				seen[v] = true
				vars = append(vars, d.names[v])
			}
		}
		addVar(r.NodeVar)
		for _, a := range r.Args {
			if a.Agg != AggNone {
				addVar(a.Var)
			} else {
				for _, v := range exprVarIndexes(a.Expr, nil) {
					addVar(v)
				}
			}
		}
		if r.NodeVar < 0 {
			vars = append([]string{node}, vars...)
		}
		helper := fmt.Sprintf("%s__agg%d", head, r.Index)
		hargs := strings.Join(append(vars, t), ", ")
		fmt.Fprintf(b, "%s(%s) :- %s;\n", helper, hargs, strings.Join(body, ", "))
		body = []string{helper + "(" + hargs + ")"}
	}
	fmt.Fprintf(b, "%s(%s) :- %s;\n", head, strings.Join(args, ", "), strings.Join(body, ", "))
}

func (d *desugarer) atom(a BodyAtom, t string) string {
	args := make([]string, 0, len(a.Args)+1)
	for _, x := range a.Args {
		switch {
		case x.IsConst:
			args = append(args, formatValue(x.Const))
		case x.Var >= 0:
			args = append(args, d.names[x.Var])
		default:
			args = append(args, "_")
		}
	}
	if a.AtTime > 0 {
		args = append(args, strconv.Itoa(a.AtTime))
	} else {
		args = append(args, t)
	}
	s := d.p.Relations[a.Rel].Name + "(" + strings.Join(args, ", ") + ")"
	if a.Negated {
		s = "notin " + s
	}
	return s
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

// expr prints e, parenthesised when its precedence is below prec.
func (d *desugarer) expr(e *Expr, prec int) string {
	switch e.Op {
	case ExprVar:
		return d.names[e.Var]
	case ExprConst:
		return formatValue(e.Const)
	}
	p := exprPrec(e.Op)
	s := d.expr(e.L, p) + " " + e.Op.String() + " " + d.expr(e.R, p+1)
	if p < prec {
		s = "(" + s + ")"
	}
	return s
}

func exprVarIndexes(e *Expr, vs []int) []int {
	if e == nil {
		return vs
	}
	if e.Op == ExprVar {
		return append(vs, e.Var)
	}
	return exprVarIndexes(e.R, exprVarIndexes(e.L, vs))
}

package eval

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// refEval is a deliberately naive reference evaluator, written separately
// from the engine: values are dedalus.Values, relations are maps from a
// printed key, joins are nested loops over every tuple, and each stratum is
// iterated to a fixpoint by re-running every rule. It implements the spec's
// run semantics (and the engine's documented choices: @k reads time k when
// k <= t, aggregates over distinct values) and nothing else.
type refEval struct {
	p     *dedalus.Program
	par   fault.Params
	s     fault.Schedule
	db    map[string]map[string][]dedalus.Value // "rel@t" -> key -> args
	msgs  map[string]string                     // message line -> status
	nodes map[string]bool
}

func refKey(rel string, t int) string { return fmt.Sprintf("%s@%d", rel, t) }

func valsKey(vs []dedalus.Value) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(FormatValue(v))
		b.WriteByte(',')
	}
	return b.String()
}

func (ev *refEval) add(rel string, t int, args []dedalus.Value) bool {
	k := refKey(rel, t)
	if ev.db[k] == nil {
		ev.db[k] = map[string][]dedalus.Value{}
	}
	vk := valsKey(args)
	if _, ok := ev.db[k][vk]; ok {
		return false
	}
	ev.db[k][vk] = slices.Clone(args)
	return true
}

func refRun(p *dedalus.Program, par fault.Params, s fault.Schedule) *refEval {
	ev := &refEval{p: p, par: par, s: s, db: map[string]map[string][]dedalus.Value{}, msgs: map[string]string{}, nodes: map[string]bool{}}
	for _, n := range par.Nodes {
		ev.nodes[n] = true
	}
	for t := 1; t <= par.EOT; t++ {
		for _, f := range p.Facts {
			if f.Time == t {
				ev.add(p.Relations[f.Rel].Name, t, f.Args)
			}
		}
		if p.Crash != dedalus.NoRel {
			for _, o := range par.Nodes {
				for _, c := range s.Crashes {
					ev.add("crash", t, []dedalus.Value{sv(o), sv(c.Node), iv(int64(c.Time))})
				}
			}
		}
		for st := 0; st < p.NumStrata; st++ {
			for changed := true; changed; {
				changed = false
				for i := range p.Rules {
					r := &p.Rules[i]
					if r.Kind == dedalus.Deductive && r.Stratum == st {
						for _, h := range ev.fire(r, t) {
							if ev.add(p.Relations[r.Head].Name, t, h.args) {
								changed = true
							}
						}
					}
				}
			}
		}
		for i := range p.Rules {
			r := &p.Rules[i]
			name := p.Relations[r.Head].Name
			switch r.Kind {
			case dedalus.Next:
				for _, h := range ev.fire(r, t) {
					if t+1 <= par.EOT {
						ev.add(name, t+1, h.args)
					}
				}
			case dedalus.Async:
				for _, h := range ev.fire(r, t) {
					from, to := h.node, h.args[0].Str
					status := "delivered"
					switch {
					case from != to && crashedBy(s, from, t):
						status = "lost (crash)"
					case from != to && omitted(s, from, to, t):
						status = "lost (omission)"
					case t+1 > par.EOT:
						status = "after EOT"
					}
					ev.msgs[fmt.Sprintf("%d %s->%s %s%s", t, from, to, name, valsKey(h.args))] = status
					if status == "delivered" {
						ev.add(name, t+1, h.args)
					}
				}
			}
		}
	}
	return ev
}

func crashedBy(s fault.Schedule, n string, t int) bool {
	for _, c := range s.Crashes {
		if c.Node == n && c.Time <= t {
			return true
		}
	}
	return false
}

func omitted(s fault.Schedule, from, to string, t int) bool {
	for _, o := range s.Omissions {
		if o.From == from && o.To == to && o.Time == t {
			return true
		}
	}
	return false
}

type refHead struct {
	node string
	args []dedalus.Value
}

// fire returns the head tuples of every binding of r at time t.
func (ev *refEval) fire(r *dedalus.Rule, t int) []refHead {
	var out []refHead
	var bindings [][]dedalus.Value
	var rec func(i int, vars []dedalus.Value, set []bool)
	rec = func(i int, vars []dedalus.Value, set []bool) {
		if i == len(r.Body) || r.Body[i].Negated {
			bindings = append(bindings, slices.Clone(vars))
			return
		}
		a := &r.Body[i]
		at := t
		if a.AtTime != 0 {
			if a.AtTime > t {
				return
			}
			at = a.AtTime
		}
		for _, tup := range ev.db[refKey(ev.p.Relations[a.Rel].Name, at)] {
			v2, s2 := slices.Clone(vars), slices.Clone(set)
			ok := true
			for c, term := range a.Args {
				switch {
				case term.IsConst:
					ok = ok && tup[c] == term.Const
				case term.Var >= 0 && s2[term.Var]:
					ok = ok && tup[c] == v2[term.Var]
				case term.Var >= 0:
					v2[term.Var], s2[term.Var] = tup[c], true
				}
			}
			if ok {
				rec(i+1, v2, s2)
			}
		}
	}
	rec(0, make([]dedalus.Value, len(r.VarNames)), make([]bool, len(r.VarNames)))
	type group struct {
		args []dedalus.Value
		node string
		sets map[int]map[string]dedalus.Value
	}
	groups := map[string]*group{}
	var order []string
	for _, vars := range bindings {
		node := r.NodeConst
		if r.NodeVar >= 0 {
			node = vars[r.NodeVar]
		}
		if !ev.nodes[node.Str] {
			continue
		}
		ok := true
		for _, c := range r.Cmps {
			ok = ok && refCmp(c, vars)
		}
		for _, a := range r.Body {
			if !a.Negated || !ok {
				continue
			}
			at := t
			if a.AtTime != 0 {
				at = a.AtTime
			}
			if a.AtTime > t {
				continue
			}
			for _, tup := range ev.db[refKey(ev.p.Relations[a.Rel].Name, at)] {
				match := true
				for c, term := range a.Args {
					switch {
					case term.IsConst:
						match = match && tup[c] == term.Const
					case term.Var >= 0:
						match = match && tup[c] == vars[term.Var]
					}
				}
				if match {
					ok = false
				}
			}
		}
		if !ok {
			continue
		}
		args := make([]dedalus.Value, len(r.Args))
		for c, h := range r.Args {
			if h.Agg != dedalus.AggNone {
				continue
			}
			v, okE := refExpr(h.Expr, vars)
			if !okE {
				ok = false
			}
			args[c] = v
		}
		if !ok {
			continue
		}
		if !r.HasAgg {
			out = append(out, refHead{node.Str, args})
			continue
		}
		k := valsKey(args)
		g := groups[k]
		if g == nil {
			g = &group{args: args, node: node.Str, sets: map[int]map[string]dedalus.Value{}}
			groups[k] = g
			order = append(order, k)
		}
		for c, h := range r.Args {
			if h.Agg != dedalus.AggNone {
				if g.sets[c] == nil {
					g.sets[c] = map[string]dedalus.Value{}
				}
				g.sets[c][FormatValue(vars[h.Var])] = vars[h.Var]
			}
		}
	}
	for _, k := range order {
		g := groups[k]
		for c, h := range r.Args {
			if h.Agg == dedalus.AggNone {
				continue
			}
			var vals []dedalus.Value
			for _, v := range g.sets[c] {
				vals = append(vals, v)
			}
			slices.SortFunc(vals, func(a, b dedalus.Value) int {
				if a.Type == dedalus.TypeInt {
					switch {
					case a.Int < b.Int:
						return -1
					case a.Int > b.Int:
						return 1
					}
					return 0
				}
				return strings.Compare(a.Str, b.Str)
			})
			switch h.Agg {
			case dedalus.AggCount:
				g.args[c] = iv(int64(len(vals)))
			case dedalus.AggSum:
				var s int64
				for _, v := range vals {
					s += v.Int
				}
				g.args[c] = iv(s)
			case dedalus.AggMin:
				g.args[c] = vals[0]
			case dedalus.AggMax:
				g.args[c] = vals[len(vals)-1]
			}
		}
		out = append(out, refHead{g.node, g.args})
	}
	return out
}

func refExpr(x *dedalus.Expr, vars []dedalus.Value) (dedalus.Value, bool) {
	switch x.Op {
	case dedalus.ExprVar:
		return vars[x.Var], true
	case dedalus.ExprConst:
		return x.Const, true
	}
	l, ok1 := refExpr(x.L, vars)
	r, ok2 := refExpr(x.R, vars)
	if !ok1 || !ok2 {
		return dedalus.Value{}, false
	}
	a, b := l.Int, r.Int
	switch x.Op {
	case dedalus.ExprAdd:
		return iv(a + b), true
	case dedalus.ExprSub:
		return iv(a - b), true
	case dedalus.ExprMul:
		return iv(a * b), true
	case dedalus.ExprDiv:
		if b == 0 {
			return dedalus.Value{}, false
		}
		return iv(a / b), true
	case dedalus.ExprMod:
		if b == 0 {
			return dedalus.Value{}, false
		}
		return iv(a % b), true
	}
	return dedalus.Value{}, false
}

func refCmp(c dedalus.Comparison, vars []dedalus.Value) bool {
	l, ok1 := refExpr(c.L, vars)
	r, ok2 := refExpr(c.R, vars)
	if !ok1 || !ok2 {
		return false
	}
	var d int
	if l.Type == dedalus.TypeString {
		d = strings.Compare(l.Str, r.Str)
	} else if l.Int < r.Int {
		d = -1
	} else if l.Int > r.Int {
		d = 1
	}
	switch c.Op {
	case dedalus.CmpEq:
		return d == 0
	case dedalus.CmpNe:
		return d != 0
	case dedalus.CmpLt:
		return d < 0
	case dedalus.CmpLe:
		return d <= 0
	case dedalus.CmpGt:
		return d > 0
	}
	return d >= 0
}

// lines prints the reference database and messages as sorted lines, in the
// same form as engineLines.
func (ev *refEval) lines() []string {
	var out []string
	for k, m := range ev.db {
		rel, t, _ := strings.Cut(k, "@")
		for _, args := range m {
			out = append(out, Tuple{Rel: rel, Time: atoi(t), Args: args}.String())
		}
	}
	for m, st := range ev.msgs {
		out = append(out, "msg "+m+" "+st)
	}
	slices.Sort(out)
	return out
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

// engineLines prints an engine result like refEval.lines.
func engineLines(res *Result) []string {
	var out []string
	for _, tab := range res.Tables() {
		for _, row := range tab.Rows {
			out = append(out, Tuple{Rel: tab.Rel, Time: row.Time, Args: row.Args}.String())
		}
	}
	for _, m := range res.Messages() {
		out = append(out, fmt.Sprintf("msg %d %s->%s %s%s %s", m.SendTime, m.From, m.To, m.Rel, valsKey(m.Args), m.Status))
	}
	slices.Sort(out)
	return out
}

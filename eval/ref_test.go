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
					ev.sendRef(name, t, h)
				}
			}
		}
	}
	return ev
}

// sendRef applies the fault model (section 8 of the Dedalus reference) to
// a message sent at t, read from the schedule as written: a crash of the
// sender at or before t, a partition between the two ends at t, or an
// omission loses it; otherwise each copy arrives at t+1 plus its delay
// (and a duplicate at t+1 plus the duplicate's), and is seen when <= EOT.
// Messages to self are never lost nor late.
func (ev *refEval) sendRef(name string, t int, h refHead) {
	from, to := h.node, h.args[0].Str
	s := ev.s
	status := ""
	switch {
	case from != to && crashedBy(s, from, t):
		status = "lost (crash)"
	case from != to && partitioned(s, from, to, t):
		status = "lost (partition)"
	case from != to && omitted(s, from, to, t):
		status = "lost (omission)"
	}
	var late []int // the arrival times, when not just t+1
	if status == "" {
		delay, dup := lateBy(s, from, to, t, false), lateBy(s, from, to, t, true)
		arrivals := []int{t + 1 + delay}
		if dup > 0 && dup != delay {
			arrivals = append(arrivals, t+1+dup)
		}
		slices.Sort(arrivals)
		if delay > 0 || dup > 0 {
			late = arrivals
		}
		status = "after EOT"
		for _, at := range arrivals {
			if at <= ev.par.EOT {
				status = "delivered"
				ev.add(name, at, h.args)
			}
		}
	}
	ev.msgs[fmt.Sprintf("%d %s->%s %s%s", t, from, to, name, valsKey(h.args))] = status + arrivalsText(late)
}

// arrivalsText prints the arrival times of a late or duplicated message
// for the message lines of refEval and engineLines (nothing for a message
// on time, whose arrivals are nil).
func arrivalsText(arrivals []int) string {
	if len(arrivals) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(" arrives")
	for _, a := range arrivals {
		fmt.Fprintf(&b, " %d", a)
	}
	return b.String()
}

// partitioned reports whether a partition of s puts from and to on
// different sides at send time t.
func partitioned(s fault.Schedule, from, to string, t int) bool {
	for _, x := range s.Partitions {
		if t < x.From || t > x.To {
			continue
		}
		if slices.Contains(x.Groups[0], from) && slices.Contains(x.Groups[1], to) ||
			slices.Contains(x.Groups[1], from) && slices.Contains(x.Groups[0], to) {
			return true
		}
	}
	return false
}

// lateBy is the delay (or, with dup, the duplicate's delay) of s for the
// messages from -> to sent at t; 0 when there is none.
func lateBy(s fault.Schedule, from, to string, t int, dup bool) int {
	if dup {
		for _, d := range s.Duplicates {
			if d.From == from && d.To == to && d.Time == t {
				return d.By
			}
		}
		return 0
	}
	for _, d := range s.Delays {
		if d.From == from && d.To == to && d.Time == t {
			return d.By
		}
	}
	return 0
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
		var late []int
		if m.Delay > 0 || m.Dup > 0 {
			late = m.Arrivals()
		}
		out = append(out, fmt.Sprintf("msg %d %s->%s %s%s %s%s", m.SendTime, m.From, m.To, m.Rel, valsKey(m.Args), m.Status, arrivalsText(late)))
	}
	slices.Sort(out)
	return out
}

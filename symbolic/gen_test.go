package symbolic

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// This file holds a random generator of small protocols for the
// differential tests: 2-3 nodes exchanging messages, with what makes exact
// certificates hard: notin over message-derived relations (timeouts,
// missing acks, suspicion), aggregates whose results are compared or used
// downstream, positive and negated reads of the crash oracle, positive
// recursion within a timestep (reach over received edges, cyclic chains
// over integers), @next persistence, @async broadcasts, replies and relays,
// comparisons and arithmetic, and occasional @k body atoms. Every program
// has a pre/post invariant; the generator does not promise that it loads
// (the tests count the ones that do not), only that most do.

// colKind is the type of a generated column: a node name or an integer.
type colKind int

const (
	kNode colKind = iota
	kInt
)

// grel is a relation the generator has defined.
type grel struct {
	name      string
	cols      []colKind // cols[0] is the location (kNode)
	msg       bool      // derived (transitively) from a message
	persisted bool      // has r(...)@next :- r(...)
	defined   int       // creation index: rules only read earlier relations (plus the recursion templates)
	kind      string    // what made it: "base", "send", "log", "derive", "join", "neg", "agg", "rec", ...
}

// gen builds one program.
type gen struct {
	r       *rand.Rand
	nodes   []string // the node set
	consts  []string // node-like string constants in facts (the node set, sometimes an outsider)
	eot     int
	crashes int
	rels    []*grel
	lines   []string
	nextID  int
	// async adds the steps whose outcome depends on when and how often
	// messages arrive (gen_async_test.go).
	async bool
}

// genCase is one generated program with the bounds to check it at.
type genCase struct {
	seed   uint64
	src    string
	params fault.Params
}

func (c genCase) String() string {
	p := c.params
	async := ""
	if p.Async() {
		async = fmt.Sprintf(", delay %d, duplicates %v, partitions %d, omissions %s", p.MaxDelay, p.Duplicates, p.MaxPartitions,
			map[bool]string{false: "unbounded", true: fmt.Sprint(p.MaxOmissions)}[p.OmissionsBounded])
	}
	return fmt.Sprintf("seed %d, nodes %v, EOT %d, EFF %d, crashes %d%s (%s schedules)\n%s",
		c.seed, p.Nodes, p.EOT, p.EFF, p.MaxCrashes, async, fault.Count(p), c.src)
}

// genBounds draws bounds for n nodes (EOT 3-6, EFF 0-4, crashes 0-2) whose
// exact schedule count is at most limit.
func genBounds(r *rand.Rand, nodes []string, limit int64) fault.Params {
	for {
		p := fault.Params{Nodes: nodes, EOT: 3 + r.IntN(4), EFF: r.IntN(5), MaxCrashes: min(r.IntN(3), len(nodes))}
		if p.EFF > p.EOT {
			p.EFF = p.EOT
		}
		c := fault.Count(p)
		if !c.IsInt64() || c.Int64() > limit {
			continue
		}
		if c.Int64() == 1 && r.Float64() < 0.75 {
			continue // keep a few fault-free bounds, not many
		}
		return p
	}
}

// genProgram generates the program of one seed with bounds whose schedule
// count is at most limit.
func genProgram(seed uint64, limit int64) genCase {
	return genCaseOf(seed, limit, false)
}

// genCaseOf generates the program of one seed; async draws asynchrony
// bounds (genAsyncBounds) and adds the asynchrony steps.
func genCaseOf(seed uint64, limit int64, async bool) genCase {
	r := rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+1))
	n := 2 + r.IntN(2)
	nodes := []string{"a", "b", "c"}[:n]
	var p fault.Params
	if async {
		p = genAsyncBounds(r, nodes, limit)
	} else {
		p = genBounds(r, nodes, limit)
	}
	g := &gen{r: r, nodes: nodes, eot: p.EOT, crashes: p.MaxCrashes, async: async}
	g.program()
	body := strings.Join(g.lines, "\n") + "\n"
	// Draw invariants until one is interesting in the fault-free run: pre
	// holds there (unless it asks for a crash) and post covers it. A few
	// programs keep a fault-free violation.
	var src string
	for try := 0; ; try++ {
		g.lines = g.lines[:0]
		crashPre := g.invariant()
		src = body + strings.Join(g.lines, "\n") + "\n"
		if try == 12 || g.chance(0.05) {
			break
		}
		prog, err := dedalus.LoadSource("gen.ded", src)
		if err != nil {
			break
		}
		eng, err := eval.New(prog)
		if err != nil {
			break
		}
		res, err := eng.Run(context.Background(), p, fault.Schedule{}, eval.Options{})
		if err != nil {
			break
		}
		if res.OK() && (crashPre || len(res.Pre()) > 0) {
			break
		}
	}
	return genCase{seed: seed, src: src, params: p}
}

func (g *gen) emit(format string, args ...any) {
	g.lines = append(g.lines, fmt.Sprintf(format, args...))
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) pick(rs []*grel) *grel { return rs[g.r.IntN(len(rs))] }

func (g *gen) newRel(prefix string, cols []colKind, msg bool, kind string) *grel {
	g.nextID++
	r := &grel{name: fmt.Sprintf("%s%d", prefix, g.nextID), cols: cols, msg: msg, defined: len(g.rels), kind: kind}
	g.rels = append(g.rels, r)
	return r
}

func (g *gen) rel(name string) *grel {
	for _, r := range g.rels {
		if r.name == name {
			return r
		}
	}
	return nil
}

// where returns the relations satisfying ok.
func (g *gen) where(ok func(*grel) bool) []*grel {
	var out []*grel
	for _, r := range g.rels {
		if ok(r) {
			out = append(out, r)
		}
	}
	return out
}

// source picks a relation to read, preferring message-derived ones.
func (g *gen) source(ok func(*grel) bool) *grel {
	all := g.where(ok)
	if len(all) == 0 {
		return nil
	}
	msg := g.where(func(r *grel) bool { return ok(r) && r.msg })
	if len(msg) > 0 && g.chance(0.75) {
		// Prefer recent relations: they sit deeper in the protocol.
		if g.chance(0.5) {
			return msg[len(msg)-1]
		}
		return g.pick(msg)
	}
	return g.pick(all)
}

// vars names the variables of one atom over r: the location loc, then
// fresh names from the allocator.
type alloc struct{ n int }

func (a *alloc) fresh(prefix string) string {
	a.n++
	return fmt.Sprintf("%s%d", prefix, a.n)
}

func atom(name string, args []string) string {
	return name + "(" + strings.Join(args, ", ") + ")"
}

// freshArgs binds every column of r to a fresh variable, the location to loc.
func freshArgs(a *alloc, r *grel, loc string) []string {
	args := []string{loc}
	for _, k := range r.cols[1:] {
		if k == kNode {
			args = append(args, a.fresh("M"))
		} else {
			args = append(args, a.fresh("X"))
		}
	}
	return args
}

// at sometimes gives a positive body atom a fixed time.
func (g *gen) at() string {
	if g.chance(0.08) {
		return fmt.Sprintf("@%d", 1+g.r.IntN(g.eot))
	}
	return ""
}

func (g *gen) persist(r *grel) {
	if r.persisted {
		return
	}
	a := &alloc{}
	args := freshArgs(a, r, "N")
	g.emit("%s@next :- %s;", atom(r.name, args), atom(r.name, args))
	r.persisted = true
}

func (g *gen) program() {
	// Base facts: links, values, a clock.
	link := g.newRel("link", []colKind{kNode, kNode}, false, "base")
	link.name = "link"
	g.consts = slices.Clone(g.nodes)
	if g.chance(0.1) {
		g.consts = append(g.consts, "z") // a node outside the node set
	}
	any := false
	for _, n := range g.consts {
		for _, m := range g.consts {
			if n != m && g.chance(0.7) {
				g.emit("link(%q, %q)@1;", n, m)
				any = true
			}
		}
	}
	if !any {
		g.emit("link(%q, %q)@1;", g.nodes[0], g.nodes[1])
	}
	if g.chance(0.85) {
		g.persist(link)
	}
	val := g.newRel("val", []colKind{kNode, kInt}, false, "base")
	val.name = "val"
	for _, n := range g.nodes {
		if g.chance(0.85) {
			g.emit("val(%q, %d)@1;", n, g.r.IntN(4))
		}
		if g.chance(0.3) {
			g.emit("val(%q, %d)@%d;", n, g.r.IntN(4), 1+g.r.IntN(3))
		}
	}
	g.emit("val(%q, %d)@1;", g.nodes[g.r.IntN(len(g.nodes))], 1+g.r.IntN(3))
	if g.chance(0.7) {
		g.persist(val)
	}
	clk := g.newRel("clk", []colKind{kNode, kInt}, false, "base")
	clk.name = "clk"
	for _, n := range g.nodes {
		g.emit("clk(%q, 1)@1;", n)
	}
	g.emit("clk(N, T + 1)@next :- clk(N, T);")
	clk.persisted = true

	// The protocol: the first step is always a send.
	g.send()
	steps := 3 + g.r.IntN(6)
	for range steps {
		if g.async && g.chance(0.35) {
			g.asyncStep()
			continue
		}
		switch w := g.r.IntN(100); {
		case w < 22:
			g.send()
		case w < 32:
			g.derive()
		case w < 38:
			g.join()
		case w < 56:
			g.negation()
		case w < 72:
			g.aggregate()
		case w < 82:
			g.recursion()
		case w < 88:
			g.crashRule()
		default:
			g.stateful()
		}
	}
}

// send adds an @async rule: a broadcast over links, a reply to the sender
// of a message, or a message to a fixed node; and often a receiver-side log.
func (g *gen) send() {
	a := &alloc{}
	var head, body []string
	var cols []colKind
	src := g.source(func(r *grel) bool { return r.name != "link" && r.name != "clk" })
	sargs := freshArgs(a, src, "N")
	extra := sargs[1:]
	ekinds := src.cols[1:]
	if len(extra) > 2 {
		keep := g.r.Perm(len(extra))[:2]
		slices.Sort(keep)
		var e []string
		var k []colKind
		for _, i := range keep {
			e, k = append(e, extra[i]), append(k, ekinds[i])
		}
		// Dropped columns become wildcards in the body.
		for i := range extra {
			if !slices.Contains(keep, i) {
				sargs[i+1] = "_"
			}
		}
		extra, ekinds = e, k
	}
	body = append(body, atom(src.name, sargs)+g.at())
	switch w := g.r.IntN(10); {
	case w < 6 || !(src.msg && len(src.cols) > 1 && src.cols[1] == kNode):
		if w >= 8 {
			// to a fixed node
			to := g.consts[g.r.IntN(len(g.consts))]
			head = append(head, fmt.Sprintf("%q", to))
		} else {
			body = append(body, "link(N, M)")
			head = append(head, "M")
		}
	default:
		// reply to the sender (column 1 of a message)
		head = append(head, sargs[1])
		if sargs[1] == "_" {
			sargs[1] = a.fresh("S")
			body[0] = atom(src.name, sargs) + g.at()
			head[0] = sargs[1]
		}
	}
	head = append(head, "N")
	cols = append(cols, kNode, kNode)
	for i, e := range extra {
		if ekinds[i] == kInt && g.chance(0.15) {
			e = e + " + 1"
		}
		head = append(head, e)
		cols = append(cols, ekinds[i])
	}
	if g.chance(0.6) {
		// one-shot or early sends only: no retransmission past EFF
		op := []string{"<=", "==", "=="}[g.r.IntN(3)]
		body = append(body, fmt.Sprintf("clk(N, T), T %s %d", op, 1+g.r.IntN(max(g.eot-2, 1))))
	}
	m := g.newRel("m", cols, true, "send")
	g.emit("%s@async :- %s;", atom(m.name, head), strings.Join(body, ", "))
	switch w := g.r.IntN(10); {
	case w < 5:
		a := &alloc{}
		args := freshArgs(a, m, "N")
		lg := g.newRel("got", cols, true, "log")
		g.emit("%s :- %s;", atom(lg.name, args), atom(m.name, args))
		g.persist(lg)
	case w < 8:
		g.persist(m)
	}
}

// derive adds a projection/filter of one relation, sometimes with
// arithmetic in the head.
func (g *gen) derive() {
	src := g.source(func(r *grel) bool { return len(r.cols) > 1 })
	a := &alloc{}
	args := freshArgs(a, src, "N")
	body := []string{atom(src.name, args) + g.at()}
	head := []string{"N"}
	cols := []colKind{kNode}
	for i, k := range src.cols[1:] {
		if g.chance(0.6) {
			v := args[i+1]
			if k == kInt && g.chance(0.2) {
				v = []string{v + " + 1", v + " * 2", v + " % 2", "3 - " + v}[g.r.IntN(4)]
			}
			head = append(head, v)
			cols = append(cols, k)
		}
		if k == kInt && g.chance(0.3) {
			body = append(body, fmt.Sprintf("%s %s %d", args[i+1], []string{"<", ">", ">=", "!=", "=="}[g.r.IntN(5)], g.r.IntN(4)))
		}
		if k == kNode && g.chance(0.2) {
			body = append(body, fmt.Sprintf("%s != N", args[i+1]))
		}
	}
	if g.chance(0.15) {
		head, cols = append(head, fmt.Sprint(g.r.IntN(3))), append(cols, kInt)
	}
	for i, k := range src.cols[1:] {
		if args[i+1] == "_" || !g.chance(0.1) {
			continue
		}
		switch k {
		case kNode:
			// a constant in the body atom, or a string comparison
			if g.chance(0.5) {
				c := fmt.Sprintf("%q", g.consts[g.r.IntN(len(g.consts))])
				body[0] = strings.Replace(body[0], args[i+1]+",", c+",", 1)
				body[0] = strings.Replace(body[0], args[i+1]+")", c+")", 1)
				for j := range head {
					head[j] = strings.ReplaceAll(head[j], args[i+1], c)
				}
				for j := 1; j < len(body); j++ {
					body[j] = strings.ReplaceAll(body[j], args[i+1], c)
				}
			} else {
				body = append(body, fmt.Sprintf("%s %s N", args[i+1], []string{"<", ">="}[g.r.IntN(2)]))
			}
		case kInt:
			body = append(body, fmt.Sprintf("%s / (%s - 1) >= 1", args[i+1], args[i+1]))
		}
	}
	d := g.newRel("d", cols, src.msg, "derive")
	g.emit("%s :- %s;", atom(d.name, head), strings.Join(body, ", "))
	if g.chance(0.3) {
		g.persist(d)
	}
}

// join adds a rule joining two relations on the location and sometimes on
// a column of the same kind.
func (g *gen) join() {
	r1 := g.source(func(r *grel) bool { return len(r.cols) > 1 })
	r2 := g.pick(g.where(func(r *grel) bool { return r != r1 }))
	a := &alloc{}
	a1 := freshArgs(a, r1, "N")
	a2 := freshArgs(a, r2, "N")
	if g.chance(0.15) {
		a2[0] = "L" // a read at another location
	}
	var cmps []string
	for i := 1; i < len(a2); i++ {
		for j := 1; j < len(a1); j++ {
			if r2.cols[i] == r1.cols[j] && g.chance(0.3) {
				if g.chance(0.7) {
					a2[i] = a1[j]
				} else if r2.cols[i] == kInt {
					cmps = append(cmps, fmt.Sprintf("%s %s %s", a1[j], []string{"<", "<=", "!="}[g.r.IntN(3)], a2[i]))
				}
				break
			}
		}
	}
	head := []string{"N"}
	cols := []colKind{kNode}
	for i, k := range r1.cols[1:] {
		if g.chance(0.5) && !slices.Contains(head, a1[i+1]) {
			head, cols = append(head, a1[i+1]), append(cols, k)
		}
	}
	for i, k := range r2.cols[1:] {
		if len(head) < 3 && g.chance(0.4) && !slices.Contains(head, a2[i+1]) {
			head, cols = append(head, a2[i+1]), append(cols, k)
		}
	}
	body := []string{atom(r1.name, a1) + g.at(), atom(r2.name, a2)}
	body = append(body, cmps...)
	j := g.newRel("j", cols, r1.msg || r2.msg, "join")
	g.emit("%s :- %s;", atom(j.name, head), strings.Join(body, ", "))
}

// negation adds a rule with notin over a (usually message-derived)
// relation: a timeout ("no ack from M by time k"), a missing vote, or a
// plain difference.
func (g *gen) negation() {
	a := &alloc{}
	neg := g.source(func(r *grel) bool { return r.msg })
	if neg == nil {
		neg = g.pick(g.rels)
	}
	if len(neg.cols) > 1 && neg.cols[1] == kNode && g.chance(0.6) {
		// timeout: link(N, M), clock past k, nothing from M yet
		nargs := []string{"N", "M"}
		for range neg.cols[2:] {
			nargs = append(nargs, "_")
		}
		k := 1 + g.r.IntN(g.eot)
		t := g.newRel("to", []colKind{kNode, kNode}, true, "neg")
		g.emit("%s :- link(N, M), clk(N, T), T >= %d, notin %s;", atom(t.name, []string{"N", "M"}), k, atom(neg.name, nargs)+g.negAt())
		if g.chance(0.4) {
			// a decision that sticks: alarm once, alarm forever
			al := g.newRel("alarm", []colKind{kNode}, true, "neg")
			g.emit("%s :- %s;", atom(al.name, []string{"N"}), atom(t.name, []string{"N", "_"}))
			g.persist(al)
		}
		return
	}
	pos := g.pick(g.where(func(r *grel) bool { return r != neg }))
	pargs := freshArgs(a, pos, "N")
	nargs := []string{"N"}
	for _, k := range neg.cols[1:] {
		v := "_"
		for j, pk := range pos.cols[1:] {
			if pk == k && !slices.Contains(nargs, pargs[j+1]) && g.chance(0.5) {
				v = pargs[j+1]
				break
			}
		}
		if v == "_" && k == kNode && g.chance(0.15) {
			v = fmt.Sprintf("%q", g.consts[g.r.IntN(len(g.consts))])
		}
		nargs = append(nargs, v)
	}
	head := []string{"N"}
	cols := []colKind{kNode}
	for i, k := range pos.cols[1:] {
		if g.chance(0.5) {
			head, cols = append(head, pargs[i+1]), append(cols, k)
		}
	}
	d := g.newRel("n", cols, true, "neg")
	g.emit("%s :- %s, notin %s;", atom(d.name, head), atom(pos.name, pargs)+g.at(), atom(neg.name, nargs)+g.negAt())
	if g.chance(0.25) {
		g.persist(d)
	}
}

func (g *gen) negAt() string {
	if g.chance(0.06) {
		return fmt.Sprintf("@%d", 1+g.r.IntN(g.eot))
	}
	return ""
}

// aggregate adds count/min/max/sum over a relation, grouped by the location
// and sometimes another column, and usually a rule that compares the result.
func (g *gen) aggregate() {
	src := g.source(func(r *grel) bool { return len(r.cols) > 1 })
	a := &alloc{}
	args := freshArgs(a, src, "N")
	ai := 1 + g.r.IntN(len(src.cols)-1)
	if i := slices.Index(src.cols[1:], kInt); i >= 0 && g.chance(0.6) {
		ai = 1 + i // integers make for more interesting aggregates
	}
	k := src.cols[ai]
	var fn string
	if k == kInt {
		fn = []string{"count", "min", "max", "sum", "sum"}[g.r.IntN(5)]
	} else {
		fn = []string{"count", "count", "min", "max"}[g.r.IntN(4)]
	}
	rk := k
	if fn == "count" || fn == "sum" {
		rk = kInt
	}
	head := []string{"N"}
	cols := []colKind{kNode}
	if len(src.cols) > 2 && g.chance(0.3) {
		gi := 1 + g.r.IntN(len(src.cols)-1)
		if gi != ai {
			head, cols = append(head, args[gi]), append(cols, src.cols[gi])
		}
	}
	aggCol := len(head)
	head, cols = append(head, fmt.Sprintf("%s<%s>", fn, args[ai])), append(cols, rk)
	if g.chance(0.15) {
		// a second aggregate in the same head, over another column or the same
		bi := 1 + g.r.IntN(len(src.cols)-1)
		fn2, k2 := "count", kInt
		if src.cols[bi] == kInt {
			fn2 = []string{"count", "min", "max", "sum"}[g.r.IntN(4)]
		} else if g.chance(0.5) {
			fn2, k2 = "max", kNode
		}
		head, cols = append(head, fmt.Sprintf("%s<%s>", fn2, args[bi])), append(cols, k2)
	}
	body := []string{atom(src.name, args) + g.at()}
	if k == kInt && g.chance(0.2) {
		body = append(body, fmt.Sprintf("%s > 0", args[ai]))
	}
	ag := g.newRel("agg", cols, src.msg, "agg")
	g.emit("%s :- %s;", atom(ag.name, head), strings.Join(body, ", "))
	if !g.chance(0.8) {
		return
	}
	// Use the result downstream.
	b := &alloc{}
	uargs := freshArgs(b, ag, "N")
	v := uargs[aggCol]
	var cond string
	switch {
	case rk == kInt && g.chance(0.7):
		threshold := 1 + g.r.IntN(3)
		cond = fmt.Sprintf("%s %s %d", v, []string{">=", "==", "<", ">"}[g.r.IntN(4)], threshold)
	case rk == kInt:
		// compare with a value the node holds
		cond = fmt.Sprintf("val(N, V), %s %s V", v, []string{">=", "==", "<"}[g.r.IntN(3)])
	default:
		cond = fmt.Sprintf("%s != N", v)
	}
	u := g.newRel("q", []colKind{kNode}, ag.msg, "aggUse")
	g.emit("%s :- %s, %s;", atom(u.name, []string{"N"}), atom(ag.name, uargs), cond)
	if g.chance(0.3) {
		g.persist(u)
	}
}

// recursion adds a relation derived from itself within a timestep: reach
// over edges that mix static links and received messages (cycles of
// mutually supporting tuples), or a chain over integers modulo 3.
func (g *gen) recursion() {
	if g.chance(0.6) {
		e := g.newRel("e", []colKind{kNode, kNode, kNode}, true, "edge")
		if g.chance(0.3) {
			// static edges known everywhere
			g.emit("%s :- clk(N, _), link(X, Y);", atom(e.name, []string{"N", "X", "Y"}))
		}
		srcs := g.where(func(r *grel) bool { return r.msg && len(r.cols) > 1 && r.cols[1] == kNode })
		if len(srcs) == 0 {
			srcs = []*grel{g.rel("link")}
		}
		for range 1 + g.r.IntN(2) {
			s := g.pick(srcs)
			a := &alloc{}
			args := freshArgs(a, s, "N")
			switch g.r.IntN(4) {
			case 3:
				// self-edges: reach tuples that support themselves
				g.emit("%s :- %s;", atom(e.name, []string{"N", args[1], args[1]}), atom(s.name, args))
			case 0:
				g.emit("%s :- %s;", atom(e.name, []string{"N", args[1], "N"}), atom(s.name, args))
			case 1:
				g.emit("%s :- %s;", atom(e.name, []string{"N", "N", args[1]}), atom(s.name, args))
			default:
				g.emit("%s :- %s, link(%s, Y);", atom(e.name, []string{"N", args[1], "Y"}), atom(s.name, args), args[1])
			}
		}
		rc := g.newRel("reach", []colKind{kNode, kNode, kNode}, true, "rec")
		g.emit("%s :- %s;", atom(rc.name, []string{"N", "X", "Y"}), atom(e.name, []string{"N", "X", "Y"}))
		block := ""
		if bl := g.where(func(r *grel) bool { return r.msg && len(r.cols) >= 2 && r.cols[1] == kNode && r.defined < e.defined }); len(bl) > 0 && g.chance(0.35) {
			// a hop that a (message-derived) lower relation can block
			b := g.pick(bl)
			args := []string{"N", "Z"}
			for range b.cols[2:] {
				args = append(args, "_")
			}
			block = ", notin " + atom(b.name, args)
		}
		if g.chance(0.5) {
			g.emit("%s :- %s, %s%s;", atom(rc.name, []string{"N", "X", "Z"}), atom(rc.name, []string{"N", "X", "Y"}), atom(e.name, []string{"N", "Y", "Z"}), block)
		} else {
			// mutual recursion through a second relation
			mid := g.newRel("hop", []colKind{kNode, kNode, kNode}, true, "rec")
			g.emit("%s :- %s, %s;", atom(mid.name, []string{"N", "X", "Z"}), atom(rc.name, []string{"N", "X", "Y"}), atom(e.name, []string{"N", "Y", "Z"}))
			g.emit("%s :- %s;", atom(rc.name, []string{"N", "X", "Z"}), atom(mid.name, []string{"N", "X", "Z"}))
		}
		if g.chance(0.25) {
			c := g.newRel("nreach", []colKind{kNode, kInt}, true, "agg")
			g.emit("%s :- %s;", atom(c.name, []string{"N", "count<Y>"}), atom(rc.name, []string{"N", "_", "Y"}))
		}
		u := g.newRel("cyc", []colKind{kNode, kNode}, true, "recUse")
		switch g.r.IntN(3) {
		case 0:
			g.emit("%s :- %s;", atom(u.name, []string{"N", "X"}), atom(rc.name, []string{"N", "X", "X"}))
		case 1:
			g.emit("%s :- %s;", atom(u.name, []string{"N", "X"}), atom(rc.name, []string{"N", "N", "X"}))
		default:
			g.emit("%s :- %s;", atom(u.name, []string{"N", "X"}), atom(rc.name, []string{"N", "X", "N"}))
		}
		return
	}
	// chain over integers: seed values from one relation, steps allowed by
	// values received; modulo 3 closes cycles.
	ints := g.where(func(r *grel) bool { return len(r.cols) == 2 && r.cols[1] == kInt })
	seed := g.pick(ints)
	step := g.source(func(r *grel) bool { return len(r.cols) == 2 && r.cols[1] == kInt })
	ch := g.newRel("chain", []colKind{kNode, kInt}, true, "rec")
	g.emit("%s :- %s;", atom(ch.name, []string{"N", "X"}), atom(seed.name, []string{"N", "X"}))
	// (X + 1) % 3 closes 3-cycles; X * X % 3 and X % 2 have fixed points
	// (a tuple deriving itself).
	stepExpr := []string{"(X + 1) %% 3", "(X + 2) %% 3", "X * X %% 3", "X %% 2"}[g.r.IntN(4)]
	g.emit("%s :- %s, %s, Y == "+stepExpr+";", atom(ch.name, []string{"N", "Y"}), atom(ch.name, []string{"N", "X"}), atom(step.name, []string{"N", "Y"}))
	if g.chance(0.5) {
		u := g.newRel("top", []colKind{kNode, kInt}, true, "aggUse")
		g.emit("%s :- %s;", atom(u.name, []string{"N", "max<X>"}), atom(ch.name, []string{"N", "X"}))
	}
}

// crashRule reads the crash oracle in a protocol rule: suspicion of a
// crashed peer (positive) or trust in a live one (negated).
func (g *gen) crashRule() {
	if g.chance(0.5) {
		s := g.newRel("sus", []colKind{kNode, kNode}, true, "crash")
		cond := ""
		if g.chance(0.5) {
			cond = fmt.Sprintf(", T %s %d", []string{"<=", ">="}[g.r.IntN(2)], 1+g.r.IntN(g.eot))
		}
		g.emit("%s :- link(N, M), crash(N, M, T)%s;", atom(s.name, []string{"N", "M"}), cond)
		return
	}
	l := g.newRel("live", []colKind{kNode, kNode}, true, "crash")
	g.emit("%s :- link(N, M), notin crash(_, M, _);", atom(l.name, []string{"N", "M"}))
}

// invariant adds pre and post over (N) or (N, X): "every node that holds
// A eventually holds B", "no alarm", "agreement with the crash oracle".
func (g *gen) invariant() (crashPre bool) {
	last := g.rels[len(g.rels)-1]
	target := func() *grel {
		if last.msg && g.chance(0.4) {
			return last
		}
		if rs := g.where(func(r *grel) bool { return r.msg && r.kind == "aggUse" }); len(rs) > 0 && g.chance(0.3) {
			return g.pick(rs)
		}
		// prefer state that messages built and that persists to EOT
		if rs := g.where(func(r *grel) bool { return r.msg && r.persisted }); len(rs) > 0 && g.chance(0.6) {
			return g.pick(rs)
		}
		return g.source(func(r *grel) bool { return r.kind != "base" })
	}
	guard := ""
	switch w := g.r.IntN(10); {
	case w < 3:
		guard = ", notin crash(_, N, _)"
	case w < 4 && g.crashes > 0:
		guard = ", crash(_, N, _)"
		crashPre = true
	}
	switch w := g.r.IntN(10); {
	case w < 4:
		// every node that some linked node told (or that has a value) ends with the target
		t := target()
		a := &alloc{}
		if g.chance(0.5) {
			g.emit("pre(N) :- link(M, N), val(M, _)%s;", guard)
		} else {
			g.emit("pre(N) :- clk(N, _)%s;", guard)
		}
		g.emit("post(N) :- %s;", atom(t.name, freshArgs(a, t, "N")))
		if g.chance(0.2) {
			t2 := target()
			g.emit("post(N) :- %s;", atom(t2.name, freshArgs(a, t2, "N")))
		}
	case w < 6:
		// no alarm: a negation-derived relation must stay empty
		bad := g.where(func(r *grel) bool {
			return r.kind == "neg" || r.kind == "aggUse" || r.kind == "crash" || r.kind == "recUse"
		})
		if len(bad) == 0 {
			bad = []*grel{last}
		}
		b := g.pick(bad)
		a := &alloc{}
		args := freshArgs(a, b, "N")
		for i := 1; i < len(args); i++ {
			args[i] = "_"
		}
		g.emit("pre(N) :- clk(N, _)%s;", guard)
		g.emit("post(N) :- clk(N, _), notin %s;", atom(b.name, args))
	default:
		// A implies B, keyed by the location and maybe an integer
		a1, a2 := target(), target()
		for try := 0; a1 == a2 && try < 5; try++ {
			a1 = target()
		}
		if a1.defined > a2.defined && g.chance(0.7) {
			a1, a2 = a2, a1 // upstream implies downstream
		}
		var x1, x2 []string
		a := &alloc{}
		x1 = freshArgs(a, a1, "N")
		x2 = freshArgs(a, a2, "N")
		i1 := slices.Index(a1.cols[1:], kInt)
		i2 := slices.Index(a2.cols[1:], kInt)
		if i1 >= 0 && i2 >= 0 && g.chance(0.6) {
			x2[i2+1] = x1[i1+1]
			g.emit("pre(N, %s) :- %s%s;", x1[i1+1], atom(a1.name, x1), guard)
			g.emit("post(N, %s) :- %s;", x1[i1+1], atom(a2.name, x2))
			return
		}
		g.emit("pre(N) :- %s%s;", atom(a1.name, x1), guard)
		g.emit("post(N) :- %s;", atom(a2.name, x2))
	}
	return
}

// stateful adds state carried by @next rules that read negation, aggregates
// or arithmetic (a counter of messages, a value adopted once), an @async
// rule guarded by notin (a nack), or a deductive rule adding to an older
// relation (a second derivation).
func (g *gen) stateful() {
	switch g.r.IntN(4) {
	case 0:
		// counter: advance while something is received
		src := g.source(func(r *grel) bool { return r.msg })
		if src == nil {
			src = g.rel("val")
		}
		c := g.newRel("ctr", []colKind{kNode, kInt}, true, "state")
		g.emit("%s :- clk(N, 1);", atom(c.name, []string{"N", "0"}))
		a := &alloc{}
		args := freshArgs(a, src, "N")
		for i := 1; i < len(args); i++ {
			args[i] = "_"
		}
		g.emit("%s@next :- %s, %s;", atom(c.name, []string{"N", "C + 1"}), atom(c.name, []string{"N", "C"}), atom(src.name, args))
		g.emit("%s@next :- %s, notin %s;", atom(c.name, []string{"N", "C"}), atom(c.name, []string{"N", "C"}), atom(src.name, args))
	case 1:
		// adopt a value once: the first one seen, kept forever
		src := g.source(func(r *grel) bool { return r.msg && slices.Contains(r.cols[1:], kInt) })
		if src == nil {
			src = g.rel("val")
		}
		a := &alloc{}
		args := freshArgs(a, src, "N")
		i := 1 + slices.Index(src.cols[1:], kInt)
		ad := g.newRel("adopt", []colKind{kNode, kInt}, true, "state")
		has := g.newRel("has", []colKind{kNode}, true, "state")
		fn := []string{"min", "max"}[g.r.IntN(2)]
		cand := g.newRel("cand", []colKind{kNode, kInt}, true, "agg")
		g.emit("%s :- %s;", atom(cand.name, []string{"N", fmt.Sprintf("%s<%s>", fn, args[i])}), atom(src.name, args))
		g.emit("%s@next :- %s, notin %s;", atom(ad.name, []string{"N", "V"}), atom(cand.name, []string{"N", "V"}), atom(has.name, []string{"N"}))
		g.emit("%s@next :- %s;", atom(ad.name, []string{"N", "V"}), atom(ad.name, []string{"N", "V"}))
		g.emit("%s :- %s;", atom(has.name, []string{"N"}), atom(ad.name, []string{"N", "_"}))
	case 2:
		// nack: tell a linked node what has not arrived
		src := g.source(func(r *grel) bool { return r.msg && len(r.cols) > 1 && r.cols[1] == kNode })
		if src == nil {
			g.send()
			return
		}
		args := []string{"N", "M"}
		for range src.cols[2:] {
			args = append(args, "_")
		}
		nk := g.newRel("nack", []colKind{kNode, kNode}, true, "send")
		g.emit("%s@async :- link(N, M), clk(N, T), T >= %d, notin %s;", atom(nk.name, []string{"M", "N"}), 1+g.r.IntN(g.eot), atom(src.name, args))
		if g.chance(0.6) {
			g.persist(nk)
		}
	default:
		// a second derivation of an older relation from a newer one
		olds := g.where(func(r *grel) bool { return r.kind != "base" && r.kind != "agg" && r.kind != "send" && len(r.cols) <= 3 })
		if len(olds) == 0 {
			g.derive()
			return
		}
		old := g.pick(olds)
		src := g.source(func(r *grel) bool { return r != old })
		a := &alloc{}
		args := freshArgs(a, src, "N")
		head := []string{"N"}
		for _, k := range old.cols[1:] {
			v := ""
			for j, sk := range src.cols[1:] {
				if sk == k && !slices.Contains(head, args[j+1]) {
					v = args[j+1]
					break
				}
			}
			if v == "" {
				if k == kInt {
					v = fmt.Sprint(g.r.IntN(3))
				} else {
					v = "N"
				}
			}
			head = append(head, v)
		}
		// The front end rejects this when it closes a cycle through
		// negation or aggregation: the test counts such programs.
		g.emit("%s :- %s;", atom(old.name, head), atom(src.name, args))
	}
}

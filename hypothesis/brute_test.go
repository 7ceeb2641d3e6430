package hypothesis

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// A random small case: support, bounds and options.
type bruteCase struct {
	sup  *lineage.Support
	p    fault.Params
	opts Options
}

func (c bruteCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "params %+v base %q exclude %v limit %d maxsize %d\n", c.p, c.opts.Base.String(), c.opts.Exclude, c.opts.Limit, c.opts.MaxSize)
	for i, n := range c.sup.Graph.Nodes {
		fmt.Fprintf(&b, "  %d: %s %s %v\n", i, n.Kind, n.Event, n.Children)
	}
	fmt.Fprintf(&b, "  outcomes %v", c.sup.Outcomes)
	return b.String()
}

// randomCase draws either a free-form DAG (constants, odd shapes) or a
// protocol-like one (layers of Or over And over sends, where cutting takes
// several faults).
func randomCase(r *rand.Rand) bruteCase {
	if r.IntN(2) == 0 {
		return layeredCase(r, false)
	}
	return freeCase(r, false)
}

// randomNotCase is randomCase with Not nodes: in free-form DAGs some nodes
// are Nots of an earlier node; in layered ones some derivations also need
// a lower-layer node to be cut (an And with a Not child), like a firing
// that used `notin`.
func randomNotCase(r *rand.Rand) bruteCase {
	if r.IntN(2) == 0 {
		return layeredCase(r, true)
	}
	return freeCase(r, true)
}

func freeCase(r *rand.Rand, nots bool) bruteCase {
	names := []string{"a", "b", "c"}
	p := fault.Params{Nodes: names[:2+r.IntN(2)], EOT: 1 + r.IntN(4)}
	p.EFF = r.IntN(p.EOT + 2)
	if r.IntN(5) > 0 {
		p.EFF = min(2+r.IntN(p.EOT), p.EOT+1) // mostly some omissions
	}
	p.MaxCrashes = r.IntN(len(p.Nodes) + 1)

	var g lineage.Graph
	if r.IntN(2) == 0 {
		g.Nodes = append(g.Nodes, lineage.Node{Kind: lineage.True}, lineage.Node{Kind: lineage.False})
	}
	node := func() string {
		if r.IntN(20) == 0 {
			return "z" // not in the node set: its sends cannot be lost
		}
		return p.Nodes[r.IntN(len(p.Nodes))]
	}
	for range 1 + r.IntN(5) {
		ev := lineage.Event{From: node(), To: node(), Time: r.IntN(p.EOT + 2)}
		g.Nodes = append(g.Nodes, lineage.Node{Kind: lineage.Send, Event: ev})
	}
	for range r.IntN(8) {
		kind := lineage.And
		if r.IntN(2) == 0 {
			kind = lineage.Or
		}
		if nots && r.IntN(3) == 0 {
			c := lineage.NodeID(r.IntN(len(g.Nodes)))
			g.Nodes = append(g.Nodes, lineage.Node{Kind: lineage.Not, Children: []lineage.NodeID{c}})
			continue
		}
		var cs []lineage.NodeID
		for range r.IntN(4) {
			cs = append(cs, lineage.NodeID(r.IntN(len(g.Nodes))))
		}
		g.Nodes = append(g.Nodes, lineage.Node{Kind: kind, Children: cs})
	}
	sup := &lineage.Support{Graph: g}
	for i := range 1 + r.IntN(3) {
		root := len(g.Nodes) - 1 - r.IntN(min(3, len(g.Nodes)))
		sup.Outcomes = append(sup.Outcomes, lineage.Outcome{Tuple: fmt.Sprintf("post(%d)", i), Root: lineage.NodeID(root)})
	}

	return bruteCase{sup, p, randomOptions(r, p)}
}

// layeredCase: a pool of up to 6 events; each layer's nodes are Ors of
// 1–3 Ands, each And over a send and 0–2 nodes of the layer below.
func layeredCase(r *rand.Rand, nots bool) bruteCase {
	names := []string{"a", "b", "c"}
	p := fault.Params{Nodes: names[:2+r.IntN(2)], EOT: 2 + r.IntN(3)}
	p.EFF = 2 + r.IntN(p.EOT)
	p.MaxCrashes = r.IntN(3) % (len(p.Nodes) + 1)
	var pool []lineage.Event
	for range 2 + r.IntN(5) {
		a, b := p.Nodes[r.IntN(len(p.Nodes))], p.Nodes[r.IntN(len(p.Nodes))]
		if a == b {
			b = p.Nodes[(slices.Index(p.Nodes, a)+1)%len(p.Nodes)]
		}
		pool = append(pool, lineage.Event{From: a, To: b, Time: 1 + r.IntN(p.EOT)})
	}
	var g lineage.Graph
	add := func(n lineage.Node) lineage.NodeID {
		g.Nodes = append(g.Nodes, n)
		return lineage.NodeID(len(g.Nodes) - 1)
	}
	sends := make([]lineage.NodeID, len(pool))
	for i, ev := range pool {
		sends[i] = add(lineage.Node{Kind: lineage.Send, Event: ev})
	}
	var below []lineage.NodeID
	for range 1 + r.IntN(3) {
		var layer []lineage.NodeID
		for range 1 + r.IntN(2) {
			var alts []lineage.NodeID
			for range 1 + r.IntN(3) {
				cs := []lineage.NodeID{sends[r.IntN(len(sends))]}
				for range r.IntN(3) {
					if len(below) > 0 {
						cs = append(cs, below[r.IntN(len(below))])
					}
				}
				if nots && r.IntN(3) == 0 {
					// Relied on the absence of a tuple whose support is
					// a lower-layer node or a single send.
					var c lineage.NodeID
					if len(below) > 0 && r.IntN(2) == 0 {
						c = below[r.IntN(len(below))]
					} else {
						c = sends[r.IntN(len(sends))]
					}
					cs = append(cs, add(lineage.Node{Kind: lineage.Not, Children: []lineage.NodeID{c}}))
				}
				alts = append(alts, add(lineage.Node{Kind: lineage.And, Children: cs}))
			}
			layer = append(layer, add(lineage.Node{Kind: lineage.Or, Children: alts}))
		}
		below = layer
	}
	sup := &lineage.Support{Graph: g}
	for i, root := range below {
		sup.Outcomes = append(sup.Outcomes, lineage.Outcome{Tuple: fmt.Sprintf("post(%d)", i), Root: root})
	}
	return bruteCase{sup, p, randomOptions(r, p)}
}

func randomOptions(r *rand.Rand, p fault.Params) Options {
	var o Options
	if r.IntN(3) == 0 {
		o.Base = randomSchedule(r, p)
	}
	for range r.IntN(3) {
		x := randomSchedule(r, p)
		if r.IntN(2) == 0 {
			// Overlapping the base, so the base faults matter in the test.
			x.Omissions = append(x.Omissions, o.Base.Omissions...)
			for _, c := range o.Base.Crashes {
				if _, ok := x.CrashTime(c.Node); !ok {
					x.Crashes = append(x.Crashes, c)
				}
			}
		}
		o.Exclude = append(o.Exclude, x)
	}
	if r.IntN(4) == 0 {
		o.Limit = 1 + r.IntN(3)
	}
	if r.IntN(4) == 0 {
		o.MaxSize = 1 + r.IntN(2)
	}
	if r.IntN(4) == 0 {
		o.Skip = func(s fault.Schedule) bool { return len(s.String())%3 == 0 }
	}
	return o
}

// randomSchedule draws a valid schedule of at most 2 faults.
func randomSchedule(r *rand.Rand, p fault.Params) fault.Schedule {
	var s fault.Schedule
	for range r.IntN(3) {
		if r.IntN(2) == 0 && len(s.Crashes) < p.MaxCrashes {
			n := p.Nodes[r.IntN(len(p.Nodes))]
			if _, ok := s.CrashTime(n); !ok {
				s.Crashes = append(s.Crashes, fault.Crash{Node: n, Time: 1 + r.IntN(p.EOT)})
			}
		} else if p.EFF > 1 {
			a, b := p.Nodes[r.IntN(len(p.Nodes))], p.Nodes[r.IntN(len(p.Nodes))]
			if a != b {
				s.Omissions = append(s.Omissions, fault.Omission{From: a, To: b, Time: 1 + r.IntN(p.EFF-1)})
			}
		}
	}
	return s.Canonical()
}

// --- the brute-force reference, written from the definitions only ---

// survives evaluates the graph under sched with the message-loss rule of
// the spec (self-sends never lost, omissions only at t < EFF, crash of the
// sender at or before the send time).
func bruteSurvives(g *lineage.Graph, p fault.Params, sched fault.Schedule) []bool {
	lost := func(e lineage.Event) bool {
		if e.From == e.To {
			return false
		}
		for _, c := range sched.Crashes {
			if c.Node == e.From && c.Time <= e.Time {
				return true
			}
		}
		for _, o := range sched.Omissions {
			if o.From == e.From && o.To == e.To && o.Time == e.Time && e.Time < p.EFF {
				return true
			}
		}
		return false
	}
	val := make([]bool, len(g.Nodes))
	for i, n := range g.Nodes {
		switch n.Kind {
		case lineage.True:
			val[i] = true
		case lineage.Send:
			val[i] = !lost(n.Event)
		case lineage.And:
			val[i] = !slices.ContainsFunc(n.Children, func(c lineage.NodeID) bool { return !val[c] })
		case lineage.Or:
			val[i] = slices.ContainsFunc(n.Children, func(c lineage.NodeID) bool { return val[c] })
		case lineage.Not:
			val[i] = !val[n.Children[0]]
		}
	}
	return val
}

func bruteCuts(c bruteCase, sched fault.Schedule) bool {
	val := bruteSurvives(&c.sup.Graph, c.p, sched)
	return slices.ContainsFunc(c.sup.Outcomes, func(o lineage.Outcome) bool { return !val[o.Root] })
}

// relevantTimes: the crash times the hypotheses use, per node: the send
// times (clamped to EOT) of the events that can still matter given the
// base — send nodes reachable from an outcome through nodes whose value is
// not already fixed by the base faults alone. A node is fixed when its
// value follows from the constants and the sends that the base removes or
// no fault can remove (for monotone graphs, exactly the nodes whose value
// is the same with no further fault and with every removable send removed).
func relevantTimes(c bruteCase) map[string]map[int]bool {
	g, base := &c.sup.Graph, c.opts.Base.Canonical()
	const (
		free  = 0
		alive = 1
		dead  = -1
	)
	st := make([]int, len(g.Nodes))
	for i, n := range g.Nodes {
		switch n.Kind {
		case lineage.True:
			st[i] = alive
		case lineage.False:
			st[i] = dead
		case lineage.Send:
			switch {
			case !bruteSurvives(&lineage.Graph{Nodes: []lineage.Node{n}}, c.p, base)[0]:
				st[i] = dead
			case removable(c, base, n.Event):
				st[i] = free
			default:
				st[i] = alive
			}
		case lineage.And, lineage.Or:
			absorb, unit := dead, alive
			if n.Kind == lineage.Or {
				absorb, unit = alive, dead
			}
			st[i] = unit
			for _, ch := range n.Children {
				if st[ch] == absorb {
					st[i] = absorb
					break
				}
				if st[ch] == free {
					st[i] = free
				}
			}
		case lineage.Not:
			st[i] = -st[n.Children[0]]
		}
	}
	open := func(i lineage.NodeID) bool { return st[i] == free }
	reach := make([]bool, len(g.Nodes))
	for _, o := range c.sup.Outcomes {
		if open(o.Root) {
			reach[o.Root] = true
		}
	}
	out := map[string]map[int]bool{}
	for i := len(g.Nodes) - 1; i >= 0; i-- {
		if !reach[i] {
			continue
		}
		n := g.Nodes[i]
		for _, ch := range n.Children {
			if open(ch) {
				reach[ch] = true
			}
		}
		if n.Kind == lineage.Send {
			if out[n.Event.From] == nil {
				out[n.Event.From] = map[int]bool{}
			}
			out[n.Event.From][min(n.Event.Time, c.p.EOT)] = true
		}
	}
	return out
}

// removable: some single fault allowed on top of base removes e.
func removable(c bruteCase, base fault.Schedule, e lineage.Event) bool {
	if e.From == e.To || !c.p.HasNode(e.From) || e.Time < 1 {
		return false
	}
	if c.p.HasNode(e.To) && e.Time < c.p.EFF {
		return true
	}
	_, crashed := base.CrashTime(e.From)
	return !crashed && len(base.Crashes) < c.p.MaxCrashes
}

// bruteMinimal enumerates every extension X of the base (omissions on the
// graph's channels, crashes at any time 1..EOT), keeps the cutters that
// have no cutting subset, drops those using a crash time outside the
// relevant ones, and applies Exclude, Skip, MaxSize and Limit.
// It returns the hypotheses and the number of faults each adds to the base.
func bruteMinimal(c bruteCase) ([]string, []int) {
	base := c.opts.Base.Canonical()
	var oms []fault.Omission
	for _, n := range c.sup.Graph.Nodes {
		e := n.Event
		o := fault.Omission{From: e.From, To: e.To, Time: e.Time}
		if n.Kind == lineage.Send && e.From != e.To && c.p.HasNode(e.From) && c.p.HasNode(e.To) &&
			e.Time >= 1 && e.Time < c.p.EFF && !slices.Contains(oms, o) && !slices.Contains(base.Omissions, o) {
			oms = append(oms, o)
		}
	}
	var free []string // nodes that may crash in X
	for _, n := range c.p.Nodes {
		if _, ok := base.CrashTime(n); !ok {
			free = append(free, n)
		}
	}
	budget := c.p.MaxCrashes - len(base.Crashes)

	type ext struct {
		x     fault.Schedule // the added faults
		sched fault.Schedule // canonical base ∪ x
	}
	var cutters []ext
	crashAt := make([]int, len(free))
	var rec func(i int)
	rec = func(i int) {
		if i < len(free) {
			for t := 0; t <= c.p.EOT; t++ {
				crashAt[i] = t
				rec(i + 1)
			}
			return
		}
		var cs []fault.Crash
		for j, t := range crashAt {
			if t > 0 {
				cs = append(cs, fault.Crash{Node: free[j], Time: t})
			}
		}
		if len(cs) > budget {
			return
		}
		for mask := 0; mask < 1<<len(oms); mask++ {
			x := fault.Schedule{Crashes: cs}
			for k, o := range oms {
				if mask&(1<<k) != 0 {
					x.Omissions = append(x.Omissions, o)
				}
			}
			s := fault.Schedule{Crashes: slices.Concat(base.Crashes, x.Crashes), Omissions: slices.Concat(base.Omissions, x.Omissions)}
			if bruteCuts(c, s) {
				cutters = append(cutters, ext{x, s.Canonical()})
			}
		}
	}
	rec(0)

	isCutter := map[string]bool{}
	for _, e := range cutters {
		isCutter[setKey(e.x)] = true
	}
	relevant := relevantTimes(c)
	var keep []ext
	for _, e := range cutters {
		// No proper subset cuts (with Not nodes, cutting is not monotone:
		// dropping one fault at a time is not enough to check).
		minimal := true
		for _, y := range properSubsets(e.x) {
			if isCutter[setKey(y)] {
				minimal = false
			}
		}
		for _, cr := range e.x.Crashes {
			if !relevant[cr.Node][cr.Time] {
				minimal = false
			}
		}
		if minimal {
			keep = append(keep, e)
		}
	}
	slices.SortFunc(keep, func(a, b ext) int {
		return cmp.Or(cmp.Compare(a.x.Size(), b.x.Size()), strings.Compare(a.sched.String(), b.sched.String()))
	})
	var out []string
	var sizes []int
	for _, e := range keep {
		if c.opts.MaxSize > 0 && e.x.Size() > c.opts.MaxSize {
			continue
		}
		if slices.ContainsFunc(c.opts.Exclude, func(x fault.Schedule) bool { return bruteContains(e.sched, x) }) {
			continue
		}
		if c.opts.Skip != nil && c.opts.Skip(e.sched) {
			continue
		}
		out = append(out, e.sched.String())
		sizes = append(sizes, e.x.Size())
		if len(out) == c.opts.Limit {
			break
		}
	}
	return out, sizes
}

func setKey(x fault.Schedule) string {
	var parts []string
	for _, c := range x.Crashes {
		parts = append(parts, c.String())
	}
	for _, o := range x.Omissions {
		parts = append(parts, o.String())
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// properSubsets lists every proper subset of x's faults.
func properSubsets(x fault.Schedule) []fault.Schedule {
	n := len(x.Crashes) + len(x.Omissions)
	var out []fault.Schedule
	for mask := 0; mask < 1<<n-1; mask++ {
		var y fault.Schedule
		for i, c := range x.Crashes {
			if mask&(1<<i) != 0 {
				y.Crashes = append(y.Crashes, c)
			}
		}
		for i, o := range x.Omissions {
			if mask&(1<<(len(x.Crashes)+i)) != 0 {
				y.Omissions = append(y.Omissions, o)
			}
		}
		out = append(out, y)
	}
	return out
}

func dropOne(x fault.Schedule) []fault.Schedule {
	var out []fault.Schedule
	for i := range x.Crashes {
		out = append(out, fault.Schedule{Crashes: slices.Delete(slices.Clone(x.Crashes), i, i+1), Omissions: x.Omissions})
	}
	for i := range x.Omissions {
		out = append(out, fault.Schedule{Crashes: x.Crashes, Omissions: slices.Delete(slices.Clone(x.Omissions), i, i+1)})
	}
	return out
}

func bruteContains(s, x fault.Schedule) bool {
	have := map[string]bool{}
	for _, f := range strings.Fields(s.Canonical().String()) {
		have[f] = true
	}
	for _, f := range strings.Fields(x.Canonical().String()) {
		if f != "no" && f != "faults" && !have[f] {
			return false
		}
	}
	return true
}

var (
	bruteN    = flag.Int("brute.n", 1500, "number of random cases checked against brute force")
	bruteSeed = flag.Uint64("brute.seed", 1, "seed of the random cases")
)

// checkPartialLevel: with PartialLevel, the result has as many hypotheses
// as the limit allows, all from the full list, in its order, and every
// size before the last one returned is complete.
func checkPartialLevel(t *testing.T, i int, c bruteCase, all []string, sizes []int) {
	t.Helper()
	c.opts.PartialLevel = true
	hs, _, err := Minimal(context.Background(), c.sup, c.p, c.opts)
	if err != nil {
		t.Fatalf("case %d (partial): %v\n%s", i, err, c)
	}
	pos := make([]int, len(hs))
	for j, h := range hs {
		pos[j] = slices.Index(all, h.String())
		if pos[j] < 0 || j > 0 && pos[j] <= pos[j-1] {
			t.Fatalf("case %d (partial): %s not in order in the full list %q\n%s", i, h, all, c)
		}
	}
	if len(hs) != min(c.opts.Limit, len(all)) {
		t.Fatalf("case %d (partial): %d hypotheses, want %d\n%s", i, len(hs), min(c.opts.Limit, len(all)), c)
	}
	if len(hs) > 0 {
		last := sizes[pos[len(pos)-1]]
		for j, h := range all {
			if sizes[j] < last && !slices.Contains(pos, j) {
				t.Fatalf("case %d (partial): size %d hypothesis %s missing before size %d\n%s", i, sizes[j], h, last, c)
			}
		}
	}
}

// checkGreedy: in Greedy mode and in Auto mode with ExactSize 1 and 2,
// every hypothesis returned is one of the full list (a subset-minimal
// cutting schedule), none twice, in (size, String()) order, as many as the
// limit allows (without a limit: the full list); in Auto mode the sizes up
// to ExactSize are exactly those of the full list.
func checkGreedy(t *testing.T, i int, c bruteCase, all []string, sizes []int) {
	t.Helper()
	for _, m := range []struct {
		mode  Mode
		exact int
	}{{Greedy, 0}, {Auto, 1}, {Auto, 2}} {
		o := c.opts
		o.Mode, o.ExactSize = m.mode, m.exact
		hs, _, err := Minimal(context.Background(), c.sup, c.p, o)
		if err != nil {
			t.Fatalf("case %d (%v %d): %v\n%s", i, m.mode, m.exact, err, c)
		}
		want := len(all)
		if o.Limit > 0 {
			want = min(want, o.Limit)
		}
		if len(hs) != want {
			t.Fatalf("case %d (%v %d): %d hypotheses %v, want %d of %q\n%s", i, m.mode, m.exact, len(hs), hs, want, all, c)
		}
		small := 0 // hypotheses of at most m.exact faults
		prev := -1
		for j, h := range hs {
			k := slices.Index(all, h.String())
			if k < 0 || k <= prev {
				t.Fatalf("case %d (%v %d): %s not a hypothesis or out of order (full list %q)\n%s", i, m.mode, m.exact, h, all, c)
			}
			prev = k
			if sizes[k] <= m.exact {
				if k != j {
					t.Fatalf("case %d (%v %d): %s at %d, want the full list's prefix %q\n%s", i, m.mode, m.exact, h, j, all, c)
				}
				small++
			}
		}
		if len(hs) < want || o.Limit == 0 {
			// Not cut short by the limit: every small one is there.
			for k := range all {
				if sizes[k] <= m.exact && k >= small {
					t.Fatalf("case %d (%v %d): %s missing\n%s", i, m.mode, m.exact, all[k], c)
				}
			}
		}
	}
}

func TestMinimalMatchesBruteForce(t *testing.T) {
	testBrute(t, rand.New(rand.NewPCG(*bruteSeed, 2)), randomCase)
}

// With Not nodes, hypotheses are still the subset-minimal cutting
// schedules, smallest first.
func TestMinimalMatchesBruteForceWithNot(t *testing.T) {
	testBrute(t, rand.New(rand.NewPCG(*bruteSeed, 3)), randomNotCase)
}

func testBrute(t *testing.T, r *rand.Rand, gen func(*rand.Rand) bruteCase) {
	n := *bruteN
	if testing.Short() {
		n = min(n, 300)
	}
	nonEmpty := 0
	for i := range n {
		c := gen(r)
		c.opts.Mode = Exact
		full := c
		full.opts.Limit = 0
		all, sizes := bruteMinimal(full) // the full list
		want := all
		if c.opts.Limit > 0 && len(want) > c.opts.Limit {
			want = want[:c.opts.Limit]
		}
		hs, _, err := Minimal(context.Background(), c.sup, c.p, c.opts)
		if err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, c)
		}
		var got []string
		for _, h := range hs {
			got = append(got, h.String())
		}
		if !slices.Equal(got, want) {
			t.Fatalf("case %d:\n got  %q\n want %q\n%s", i, got, want, c)
		}
		if c.opts.Limit > 0 {
			checkPartialLevel(t, i, c, all, sizes)
		}
		checkGreedy(t, i, c, all, sizes)
		if len(want) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < n/4 {
		t.Errorf("only %d of %d cases have hypotheses: the generator is too weak", nonEmpty, n)
	}
}

// On relay supports of 100–400 graph nodes (too large for the full brute
// force), Minimal with MaxSize 3 must equal an enumeration of every set of
// at most 3 relevant faults.
func TestMediumSupportsUpToSize3(t *testing.T) {
	for seed := range uint64(10) {
		sup, p := relaySupport(7+int(seed%3), 6+int(seed%2), 2+int(seed%2), 1+int(seed%4), seed)
		p.EFF, p.MaxCrashes = 3+int(seed%2), 1+int(seed%2)
		c := bruteCase{sup: sup, p: p, opts: Options{MaxSize: 3}}

		var universe []fault.Schedule // single faults
		seenOmit := map[fault.Omission]bool{}
		for _, n := range sup.Graph.Nodes {
			o := fault.Omission{From: n.Event.From, To: n.Event.To, Time: n.Event.Time}
			if n.Kind == lineage.Send && o.From != o.To && o.Time < p.EFF && !seenOmit[o] {
				seenOmit[o] = true
				universe = append(universe, fault.Schedule{Omissions: []fault.Omission{o}})
			}
		}
		rel := relevantTimes(c)
		for _, n := range p.Nodes {
			for tm := range rel[n] {
				universe = append(universe, fault.Schedule{Crashes: []fault.Crash{{Node: n, Time: tm}}})
			}
		}
		union := func(idx []int) fault.Schedule {
			var s fault.Schedule
			for _, i := range idx {
				s.Omissions = append(s.Omissions, universe[i].Omissions...)
				s.Crashes = append(s.Crashes, universe[i].Crashes...)
			}
			return s
		}
		valid := func(s fault.Schedule) bool {
			nodes := map[string]bool{}
			for _, c := range s.Crashes {
				if nodes[c.Node] {
					return false
				}
				nodes[c.Node] = true
			}
			return len(s.Crashes) <= p.MaxCrashes
		}
		cutter := map[string]bool{}
		var sets []fault.Schedule
		var rec func(start int, idx []int)
		rec = func(start int, idx []int) {
			if len(idx) > 0 {
				s := union(idx)
				if !valid(s) {
					return
				}
				if bruteCuts(c, s) {
					cutter[setKey(s)] = true
					sets = append(sets, s)
				}
			}
			if len(idx) == 3 {
				return
			}
			for i := start; i < len(universe); i++ {
				rec(i+1, append(idx, i))
			}
		}
		rec(0, nil)
		var want []string
		for _, s := range sets {
			if !slices.ContainsFunc(dropOne(s), func(y fault.Schedule) bool { return cutter[setKey(y)] }) {
				want = append(want, s.String())
			}
		}
		slices.SortFunc(want, func(a, b string) int {
			return cmp.Or(cmp.Compare(len(strings.Fields(a)), len(strings.Fields(b))), strings.Compare(a, b))
		})
		hs, _, err := Minimal(context.Background(), sup, p, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hs {
			got = append(got, h.String())
		}
		if !slices.Equal(got, want) {
			t.Errorf("seed %d (%d graph nodes, %d faults):\n got  %q\n want %q", seed, len(sup.Graph.Nodes), len(universe), got, want)
		} else {
			t.Logf("seed %d: %d graph nodes, %d faults, %d hypotheses", seed, len(sup.Graph.Nodes), len(universe), len(got))
		}
	}
}

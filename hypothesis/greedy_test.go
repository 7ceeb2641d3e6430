package hypothesis

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// A support where {a, b, c} cuts, no two of them do, and {a} alone does:
// dropping one fault at a time stops at {a, b, c}, which is not
// subset-minimal. The root is Not(Or(P, Q)) with P = "a removed, b and c
// not", Q = "all three removed".
func nonMonotoneSupport() (*lineage.Support, fault.Params) {
	var g lineage.Graph
	add := func(n lineage.Node) lineage.NodeID {
		g.Nodes = append(g.Nodes, n)
		return lineage.NodeID(len(g.Nodes) - 1)
	}
	not := func(c lineage.NodeID) lineage.NodeID {
		return add(lineage.Node{Kind: lineage.Not, Children: []lineage.NodeID{c}})
	}
	sa := add(lineage.Node{Kind: lineage.Send, Event: lineage.Event{From: "a", To: "b", Time: 1}})
	sb := add(lineage.Node{Kind: lineage.Send, Event: lineage.Event{From: "a", To: "b", Time: 2}})
	sc := add(lineage.Node{Kind: lineage.Send, Event: lineage.Event{From: "b", To: "a", Time: 1}})
	p := add(lineage.Node{Kind: lineage.And, Children: []lineage.NodeID{not(sa), sb, sc}})
	q := add(lineage.Node{Kind: lineage.And, Children: []lineage.NodeID{not(sa), not(sb), not(sc)}})
	root := not(add(lineage.Node{Kind: lineage.Or, Children: []lineage.NodeID{p, q}}))
	sup := &lineage.Support{Graph: g, Outcomes: []lineage.Outcome{{Tuple: "post(b)", Root: root}}}
	return sup, fault.Params{Nodes: []string{"a", "b"}, EOT: 3, EFF: 3, MaxCrashes: 0}
}

func TestMinimizeNonMonotone(t *testing.T) {
	sup, p := nonMonotoneSupport()
	e, err := encode(sup, p, fault.Schedule{})
	if err != nil {
		t.Fatal(err)
	}
	if !e.hasNot || e.rootCut || e.noCut || len(e.faults) != 3 {
		t.Fatalf("encoding: hasNot %v rootCut %v noCut %v faults %v", e.hasNot, e.rootCut, e.noCut, e.faults)
	}
	var st Stats
	r := run{ctx: context.Background(), e: e, s: sup, st: &st, base: normalize(e.constrs, e.nvars+1)}
	all := slices.Clone(e.faults)
	if !e.cuts(all) || !slices.Equal(r.shrink(all), all) {
		t.Fatalf("{a, b, c} should cut and be drop-one minimal; shrink gives %v", r.shrink(all))
	}
	got, err := r.minimize(all)
	if err != nil {
		t.Fatal(err)
	}
	if s := e.schedule(got).String(); s != "omit(a->b@1)" {
		t.Errorf("minimize(%v) = %s, want omit(a->b@1)", all, s)
	}
	// Every mode returns the one hypothesis.
	for _, m := range []Mode{Exact, Greedy, Auto} {
		hs, _, err := Minimal(context.Background(), sup, p, Options{Mode: m})
		if err != nil || len(hs) != 1 || hs[0].String() != "omit(a->b@1)" {
			t.Errorf("%v: %v, %v; want [omit(a->b@1)]", m, hs, err)
		}
	}
}

// Greedy and Auto (with a small ExactSize) give the same answer on every
// call, also from concurrent goroutines; every hypothesis is a cut from
// which no fault can be dropped (the graph has no Not), none twice, in
// (size, String()) order; without a limit, Greedy finds the full list.
func TestGreedyDeterministicAndMinimal(t *testing.T) {
	sup, p := relaySupport(8, 8, 3, 3, 5)
	p.MaxCrashes = 2
	exactAll, _, err := Minimal(context.Background(), sup, p, Options{Mode: Exact})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{
		{Mode: Greedy, Limit: 30},
		{Mode: Auto, ExactSize: 2, Limit: 30},
		{Mode: Greedy},
	} {
		want, st, err := Minimal(context.Background(), sup, p, o)
		if err != nil {
			t.Fatal(err)
		}
		if st.Greedy == 0 || len(want) == 0 {
			t.Fatalf("%+v: weak case: %d hypotheses, stats %+v", o, len(want), st)
		}
		seen := map[string]bool{}
		for i, h := range want {
			if seen[h.String()] {
				t.Errorf("%+v: %s twice", o, h)
			}
			seen[h.String()] = true
			if i > 0 {
				a := want[i-1]
				if a.Size() > h.Size() || a.Size() == h.Size() && a.String() >= h.String() {
					t.Errorf("%+v: out of order: %s before %s", o, a, h)
				}
			}
			if len(mustCuts(t, sup, p, h)) == 0 {
				t.Errorf("%+v: %s cuts nothing", o, h)
			}
			for _, y := range dropOne(h) {
				if len(mustCuts(t, sup, p, y)) > 0 {
					t.Errorf("%+v: %s is not minimal: %s cuts", o, h, y)
				}
			}
			if !slices.ContainsFunc(exactAll, func(x fault.Schedule) bool { return x.String() == h.String() }) {
				t.Errorf("%+v: %s is not in the exact list", o, h)
			}
		}
		if o.Limit == 0 && len(want) != len(exactAll) {
			t.Errorf("%+v: %d hypotheses, want all %d", o, len(want), len(exactAll))
		}
		if o.Mode == Auto {
			for i, h := range want {
				if h.Size() <= o.ExactSize && h.String() != exactAll[i].String() {
					t.Errorf("%+v: %s at %d, want %s (exact sizes first)", o, h, i, exactAll[i])
				}
			}
		}
		results := make([][]fault.Schedule, 3)
		done := make(chan bool)
		for i := range results {
			go func() {
				results[i], _, _ = Minimal(context.Background(), sup, p, o)
				done <- true
			}()
		}
		for range results {
			<-done
		}
		for i, got := range results {
			if !slices.EqualFunc(got, want, func(a, b fault.Schedule) bool { return a.String() == b.String() }) {
				t.Errorf("%+v: goroutine %d: %v, want %v", o, i, got, want)
			}
		}
	}
}

func TestModeErrors(t *testing.T) {
	sup, p := nonMonotoneSupport()
	for _, o := range []Options{{Mode: Greedy + 1}, {ExactSize: -1}} {
		if _, _, err := Minimal(context.Background(), sup, p, o); err == nil || !strings.Contains(err.Error(), "hypothesis:") {
			t.Errorf("%+v: error %v", o, err)
		}
	}
}

// On random supports with Not nodes, minimize turns any cutting set into a
// subset of it from which no proper subset cuts (checked by enumerating
// the subsets), also when dropping one fault at a time is not enough.
func TestMinimizeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	checked, smaller := 0, 0
	for i := range 20000 {
		c := randomNotCase(r)
		base := c.opts.Base.Canonical()
		e, err := encode(c.sup, c.p, base)
		if err != nil {
			t.Fatal(err)
		}
		if e.rootCut || e.noCut || len(e.faults) == 0 {
			continue
		}
		var st Stats
		run := run{ctx: context.Background(), e: e, s: c.sup, st: &st, base: normalize(e.constrs, e.nvars+1)}
		// A random valid set: any omissions, at most one crash time per
		// node, within the budget.
		var xs []faultVar
		crashed := map[string]bool{}
		budget := c.p.MaxCrashes - len(base.Crashes)
		for _, f := range e.faults {
			if r.IntN(2) == 0 {
				continue
			}
			if f.crash {
				if crashed[f.c.Node] || len(crashed) == budget {
					continue
				}
				crashed[f.c.Node] = true
			}
			xs = append(xs, f)
		}
		if !e.cuts(xs) {
			continue
		}
		shrunk := run.shrink(xs)
		ys, err := run.minimize(slices.Clone(shrunk))
		if err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, c)
		}
		if !e.cuts(ys) {
			t.Fatalf("case %d: %v does not cut\n%s", i, ys, c)
		}
		for _, y := range ys {
			if !slices.Contains(xs, y) {
				t.Fatalf("case %d: %v is not a subset of %v\n%s", i, ys, xs, c)
			}
		}
		for mask := 0; mask < 1<<len(ys)-1; mask++ {
			var sub []faultVar
			for j, y := range ys {
				if mask&(1<<j) != 0 {
					sub = append(sub, y)
				}
			}
			if e.cuts(sub) {
				t.Fatalf("case %d: minimize gave %v but its subset %v cuts\n%s", i, ys, sub, c)
			}
		}
		checked++
		if len(ys) < len(shrunk) {
			smaller++
		}
	}
	t.Logf("%d cutting sets checked, %d made smaller than dropping one at a time gives", checked, smaller)
	if checked < 300 {
		t.Errorf("only %d cutting sets: the generator is too weak", checked)
	}
}

func mustCuts(t *testing.T, sup *lineage.Support, p fault.Params, s fault.Schedule) []string {
	t.Helper()
	cut, err := Cuts(sup, p, s)
	if err != nil {
		t.Fatal(err)
	}
	return cut
}

package hypothesis

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

func TestMinimalErrors(t *testing.T) {
	p := fault.Params{Nodes: []string{"a", "b"}, EOT: 3, EFF: 2, MaxCrashes: 1}
	send := lineage.Node{Kind: lineage.Send, Event: lineage.Event{From: "a", To: "b", Time: 1}}
	sup := func(root lineage.NodeID, nodes ...lineage.Node) *lineage.Support {
		return &lineage.Support{Graph: lineage.Graph{Nodes: nodes}, Outcomes: []lineage.Outcome{{Tuple: "post(b)", Root: root}}}
	}
	for _, tc := range []struct {
		name string
		sup  *lineage.Support
		p    fault.Params
		o    Options
		want string
	}{
		{"child after parent", sup(0, lineage.Node{Kind: lineage.Or, Children: []lineage.NodeID{1}}, send), p, Options{}, "children must come before"},
		{"child is parent", sup(0, lineage.Node{Kind: lineage.And, Children: []lineage.NodeID{0}}), p, Options{}, "children must come before"},
		{"negative child", sup(1, send, lineage.Node{Kind: lineage.And, Children: []lineage.NodeID{-1}}), p, Options{}, "children must come before"},
		{"root out of range", sup(5, send), p, Options{}, "root 5 out of range"},
		{"negative root", sup(-1, send), p, Options{}, "out of range"},
		{"unknown kind", sup(0, lineage.Node{Kind: 9}), p, Options{}, "unknown kind"},
		{"bad params", sup(0, send), fault.Params{Nodes: []string{"a"}, EOT: 0}, Options{}, "EOT must be at least 1"},
		{"bad base", sup(0, send), p, Options{Base: fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "b", Time: 2}}}}, "base schedule"},
		{"negative limit", sup(0, send), p, Options{Limit: -1}, "negative Limit"},
	} {
		hs, _, err := Minimal(context.Background(), tc.sup, tc.p, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, %v; want error containing %q", tc.name, hs, err, tc.want)
		}
		if strings.Contains(tc.want, "children") || strings.Contains(tc.want, "range") || strings.Contains(tc.want, "kind") {
			if !errors.Is(err, ErrGraph) {
				t.Errorf("%s: error %v does not wrap ErrGraph", tc.name, err)
			}
		}
	}
}

// The same call gives the same answer, also from concurrent goroutines.
func TestMinimalDeterministicAndConcurrent(t *testing.T) {
	sup, p := relaySupport(8, 8, 3, 3, 5)
	p.MaxCrashes = 2
	want, st, err := Minimal(context.Background(), sup, p, Options{Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 5 || st.SolverCalls == 0 || st.FaultVars == 0 || st.Variables <= st.FaultVars {
		t.Fatalf("weak case: %d hypotheses, stats %+v", len(want), st)
	}
	for i := 1; i < len(want); i++ {
		a, b := want[i-1], want[i]
		if a.Size() > b.Size() || a.Size() == b.Size() && a.String() >= b.String() {
			t.Errorf("out of order: %s before %s", a, b)
		}
	}
	var wg sync.WaitGroup
	results := make([][]fault.Schedule, 4)
	for i := range results {
		wg.Go(func() {
			results[i], _, _ = Minimal(context.Background(), sup, p, Options{Limit: 40})
		})
	}
	wg.Wait()
	for i, got := range results {
		if !slices.EqualFunc(got, want, func(a, b fault.Schedule) bool { return a.String() == b.String() }) {
			t.Errorf("goroutine %d: %v, want %v", i, got, want)
		}
	}
}

// Minimal checks its context between solver calls: a done context ends it
// with ctx.Err(), also when the context ends in the middle of the
// enumeration, while concurrent calls with live contexts are unaffected
// (they share the solver lock only for one call at a time).
func TestMinimalCancelled(t *testing.T) {
	sup, p := relaySupport(8, 8, 3, 3, 5)
	p.MaxCrashes = 2
	want, _, err := Minimal(context.Background(), sup, p, Options{Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if hs, st, err := Minimal(ctx, sup, p, Options{Limit: 40}); hs != nil || !errors.Is(err, context.Canceled) || st.SolverCalls != 0 {
		t.Errorf("cancelled before: %v, %d solver calls, %v", hs, st.SolverCalls, err)
	}
	var wg sync.WaitGroup
	results := make([][]fault.Schedule, 4)
	errs := make([]error, 4)
	for i := range results {
		ctx, cancel := context.WithCancel(context.Background())
		o := Options{Limit: 40}
		if i%2 == 1 {
			// Cancelled once the first hypothesis is found.
			o.Skip = func(fault.Schedule) bool { cancel(); return false }
		}
		wg.Go(func() {
			defer cancel()
			results[i], _, errs[i] = Minimal(ctx, sup, p, o)
		})
	}
	wg.Wait()
	for i, got := range results {
		if i%2 == 1 {
			if got != nil || !errors.Is(errs[i], context.Canceled) {
				t.Errorf("goroutine %d, cancelled during the enumeration: %v, %v", i, got, errs[i])
			}
			continue
		}
		if errs[i] != nil || !slices.EqualFunc(got, want, func(a, b fault.Schedule) bool { return a.String() == b.String() }) {
			t.Errorf("goroutine %d: %v, %v; want %v", i, got, errs[i], want)
		}
	}
}

// Limit returns a prefix of the full list, and Skip leaves hypotheses out
// without proposing their supersets instead.
func TestLimitAndSkip(t *testing.T) {
	sup, p := relaySupport(6, 6, 2, 2, 3)
	all, _, err := Minimal(context.Background(), sup, p, Options{})
	if err != nil || len(all) < 4 {
		t.Fatalf("%d hypotheses, %v", len(all), err)
	}
	for n := 1; n <= len(all); n++ {
		got, _, _ := Minimal(context.Background(), sup, p, Options{Limit: n})
		if len(got) != n || got[n-1].String() != all[n-1].String() {
			t.Fatalf("Limit %d: %v, want a prefix of %v", n, got, all)
		}
	}
	skip := all[0].String()
	got, _, _ := Minimal(context.Background(), sup, p, Options{Skip: func(s fault.Schedule) bool { return s.String() == skip }})
	if len(got) != len(all)-1 || got[0].String() != all[1].String() {
		t.Errorf("Skip %s: %v, want %v without it", skip, got, all)
	}
}

// Malformed graphs (children out of order or range, unknown kinds, roots
// out of range) give errors, never panics.
func TestMalformedGraphsDoNotPanic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	p := fault.Params{Nodes: []string{"a", "b"}, EOT: 3, EFF: 3, MaxCrashes: 1}
	for range 2000 {
		var g lineage.Graph
		for range 1 + r.IntN(6) {
			n := lineage.Node{Kind: lineage.Kind(r.IntN(7))}
			if n.Kind == lineage.Send {
				n.Event = lineage.Event{From: "a", To: "b", Time: r.IntN(4)}
			}
			for range r.IntN(3) {
				n.Children = append(n.Children, lineage.NodeID(r.IntN(9)-2))
			}
			g.Nodes = append(g.Nodes, n)
		}
		sup := &lineage.Support{Graph: g, Outcomes: []lineage.Outcome{{Tuple: "post()", Root: lineage.NodeID(r.IntN(9) - 2)}}}
		_, _, _ = Minimal(context.Background(), sup, p, Options{})
		_, _ = Cuts(sup, p, fault.Schedule{Crashes: []fault.Crash{{Node: "a", Time: 1}}})
	}
}

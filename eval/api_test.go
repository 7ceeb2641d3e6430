package eval

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

func mustEngine(t *testing.T, src string) *Engine {
	t.Helper()
	prog, err := dedalus.LoadSource("test.ded", src)
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(prog)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestTupleLimit(t *testing.T) {
	e := mustEngine(t, `n("a", 0)@1; n(N, X + 1) :- n(N, X);`)
	_, err := e.Run(context.Background(), fault.Params{Nodes: []string{"a"}, EOT: 2}, fault.Schedule{}, Options{MaxTuples: 500})
	if !errors.Is(err, ErrTupleLimit) || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "deriving n") {
		t.Fatalf("err = %v, want the tuple limit", err)
	}
}

func TestRunValidates(t *testing.T) {
	e := mustEngine(t, `r("a")@1;`)
	p := fault.Params{Nodes: []string{"a", "b"}, EOT: 3, EFF: 2}
	for _, s := range []fault.Schedule{
		{Omissions: []fault.Omission{{From: "a", To: "b", Time: 2}}},
		{Omissions: []fault.Omission{{From: "a", To: "x", Time: 1}}},
		{Crashes: []fault.Crash{{Node: "a", Time: 1}}},
	} {
		if _, err := e.Run(context.Background(), p, s, Options{}); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", s, err)
		}
	}
	if _, err := e.Run(context.Background(), fault.Params{Nodes: []string{"a"}, EOT: MaxEOT + 1}, fault.Schedule{}, Options{}); err == nil {
		t.Errorf("EOT above MaxEOT: no error")
	}
	if _, err := e.Run(context.Background(), fault.Params{EOT: 3}, fault.Schedule{}, Options{}); err == nil {
		t.Errorf("no nodes: no error")
	}
}

const bcastSrc = `
peer("a", "b")@1;
peer("a", "c")@1;
value("a", "v")@1;
peer(N, M)@next :- peer(N, M);
log(N, V)@next :- log(N, V);
log(N, V) :- value(N, V);
log(M, V)@async :- value(N, V), peer(N, M);
pre(N, V) :- log(M, V), peer(M, N), notin crash(_, N, _);
post(N, V) :- log(N, V);
`

func TestProvenanceAPI(t *testing.T) {
	e := mustEngine(t, bcastSrc)
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 3, EFF: 2}
	res, err := e.Run(context.Background(), p, fault.Schedule{}, Options{Provenance: true})
	if err != nil {
		t.Fatal(err)
	}
	var post []string
	for _, id := range res.Post() {
		post = append(post, res.Tuple(id).String())
	}
	if want := []string{`post("a","v")@3`, `post("b","v")@3`, `post("c","v")@3`}; !slices.Equal(post, want) {
		t.Fatalf("Post() = %v, want %v", post, want)
	}
	id, ok := res.Find("post", 3, sv("b"), sv("v"))
	if !ok {
		t.Fatal("post(b,v)@3 not found")
	}
	if got := res.Sends(id); !slices.Equal(got, []SendEvent{{From: "a", To: "b", Time: 1}}) {
		t.Errorf("Sends = %v", got)
	}
	// The local outcome depends on no message.
	ida, _ := res.Find("post", 3, sv("a"), sv("v"))
	if got := res.Sends(ida); len(got) != 0 {
		t.Errorf("Sends(post a) = %v, want none", got)
	}
	// Find is exact about types, arity, times and unknown strings.
	for _, bad := range [][]dedalus.Value{{sv("b")}, {sv("b"), iv(1)}, {sv("zzz"), sv("v")}} {
		if _, ok := res.Find("post", 3, bad...); ok {
			t.Errorf("Find(post, %v) found something", bad)
		}
	}
	if _, ok := res.Find("post", 4, sv("b"), sv("v")); ok {
		t.Errorf("Find after EOT found something")
	}
	if _, ok := res.Find("nope", 3); ok {
		t.Errorf("Find(nope) found something")
	}
	// Without provenance: same tuples, no derivations.
	res2, err := e.Run(context.Background(), p, fault.Schedule{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res2.HasProvenance() || res2.Derivations(0) != nil || res2.Sends(0) != nil {
		t.Errorf("provenance recorded although off")
	}
	if !slices.Equal(engineLines(res), engineLines(res2)) {
		t.Errorf("provenance changes the run")
	}
}

func TestViolationsSorted(t *testing.T) {
	e := mustEngine(t, bcastSrc)
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 3, EFF: 2, MaxCrashes: 1}
	res, err := e.Run(context.Background(), p, fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "c", Time: 1}, {From: "a", To: "b", Time: 1}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range res.Violations() {
		got = append(got, v.String())
	}
	if want := []string{`pre("b","v")@3`, `pre("c","v")@3`}; res.OK() || !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
	// A crashed receiver is exempt by the program's own invariant.
	res, err = e.Run(context.Background(), p, fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "b", Time: 1}}, Crashes: []fault.Crash{{Node: "b", Time: 1}}}, Options{})
	if err != nil || !res.OK() {
		t.Fatalf("err %v, violations %v", err, res.Violations())
	}
}

func TestTuplesAt(t *testing.T) {
	e := mustEngine(t, bcastSrc)
	res, err := e.Run(context.Background(), fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 3, EFF: 2}, fault.Schedule{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, id := range res.TuplesAt("log", 2) {
		got = append(got, res.Tuple(id).String())
	}
	if want := []string{`log("a","v")@2`, `log("b","v")@2`, `log("c","v")@2`}; !slices.Equal(got, want) {
		t.Errorf("TuplesAt(log, 2) = %v, want %v", got, want)
	}
	if res.TuplesAt("log", 4) != nil || res.TuplesAt("nope", 1) != nil || res.TuplesAt("log", 0) != nil {
		t.Errorf("TuplesAt outside the run returned tuples")
	}
}

// stopAfter is a context whose Err reports cancellation from its n-th call
// on: it counts the checks Run makes.
type stopAfter struct {
	context.Context
	calls, n int
}

func (c *stopAfter) Err() error {
	c.calls++
	if c.calls >= c.n {
		return context.Canceled
	}
	return nil
}

// Run checks its context once per timestep and returns ctx.Err() once it
// is done, with no result.
func TestRunCancelled(t *testing.T) {
	e := mustEngine(t, `n("a", 0)@1; n(N, X + 1)@next :- n(N, X);`)
	p := fault.Params{Nodes: []string{"a"}, EOT: 5}
	ctx := &stopAfter{Context: context.Background(), n: 1 << 30}
	if _, err := e.Run(ctx, p, fault.Schedule{}, Options{}); err != nil {
		t.Fatal(err)
	}
	if ctx.calls != p.EOT {
		t.Errorf("%d context checks for EOT %d, want one per timestep", ctx.calls, p.EOT)
	}
	for _, n := range []int{1, 3, p.EOT} {
		ctx := &stopAfter{Context: context.Background(), n: n}
		res, err := e.Run(ctx, p, fault.Schedule{}, Options{Provenance: true})
		if res != nil || !errors.Is(err, context.Canceled) || ctx.calls != n {
			t.Errorf("cancelled at check %d: got %v, %v after %d checks", n, res, err, ctx.calls)
		}
	}
}

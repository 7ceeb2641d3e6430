package symbolic

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

func load(t *testing.T, src string) *dedalus.Program {
	t.Helper()
	prog, err := dedalus.LoadSource("p.ded", src)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

var abParams = fault.Params{Nodes: []string{"a", "b"}, EOT: 4, EFF: 2, MaxCrashes: 1}

// A construct the encoding cannot express is named with its position,
// never certified.
func TestUnsupportedNamesThePosition(t *testing.T) {
	// Thirteen messages of distinct powers of two, sent at different times
	// so that each can be lost on its own: their sum can take 8,192 values, over the encoding's table limit.
	prog := load(t, `
v("a", 1)@1; v("a", 2)@2; v("a", 4)@3; v("a", 8)@4; v("a", 16)@5; v("a", 32)@6; v("a", 64)@7; v("a", 128)@8; v("a", 256)@9; v("a", 512)@10; v("a", 1024)@11; v("a", 2048)@12; v("a", 4096)@13;
peer("a", "b")@1;
peer(N, M)@next :- peer(N, M);
got(M, X)@async :- v(N, X), peer(N, M);
got(N, X)@next :- got(N, X);
total(N, sum<X>) :- got(N, X);
pre(N) :- peer(N, _);
post(N) :- peer(N, _), total(_, _);
`)
	p := fault.Params{Nodes: []string{"a", "b"}, EOT: 15, EFF: 14}
	_, err := Check(context.Background(), prog, p, Options{})
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("got %v, want ErrUnsupported", err)
	}
	if !strings.Contains(err.Error(), "p.ded:7:") {
		t.Errorf("error %q does not name the rule's position", err)
	}
}

// Above the instance limit the check stops and names the relation.
func TestInstanceLimitNamesTheRelation(t *testing.T) {
	prog := load(t, `
n("a", 1)@1; n("a", 2)@1; n("a", 3)@1; n("a", 4)@1;
n(N, X)@next :- n(N, X);
pair(N, X, Y) :- n(N, X), n(N, Y);
pre(N) :- n(N, _);
post(N) :- pair(N, _, _);
`)
	_, err := Check(context.Background(), prog, abParams, Options{MaxInstances: 20})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "pair") {
		t.Fatalf("got %v, want ErrTooLarge naming pair", err)
	}
	if _, err := Check(context.Background(), prog, abParams, Options{}); err != nil {
		t.Fatalf("at the default limit: %v", err)
	}
}

// A cancelled context ends the check with the context's error.
func TestCancelled(t *testing.T) {
	prog := load(t, `
v("a", 1)@1;
v(N, X)@next :- v(N, X);
pre(N) :- v(N, _);
post(N) :- v(N, _);
`)
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	if _, err := Check(ctx, prog, abParams, Options{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the deadline", err)
	}
}

// A cycle of tuples that only support each other within a timestep never
// holds: the encoding takes the least fixpoint, so losing the message that
// starts the cycle breaks the invariant.
func TestRecursionIsLeastFixpoint(t *testing.T) {
	prog := load(t, `
peer("a", "b")@1;
edge("b", 1, 2)@1; edge("b", 2, 1)@1; edge("b", 2, 3)@1;
peer(N, M)@next :- peer(N, M);
edge(N, X, Y)@next :- edge(N, X, Y);
start(M, X)@async :- peer(N, M), seed(N, X);
seed("a", 1)@1;
reach(N, X) :- start(N, X);
reach(N, Y) :- reach(N, X), edge(N, X, Y);
reach(N, X)@next :- reach(N, X);
pre(N) :- edge(N, _, _);
post(N) :- reach(N, 3);
`)
	p := fault.Params{Nodes: []string{"a", "b"}, EOT: 4, EFF: 2}
	res, err := Check(context.Background(), prog, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Violated || res.Schedule.String() != "omit(a->b@1)" {
		t.Fatalf("violated=%v %s, want omit(a->b@1)", res.Violated, res.Schedule)
	}
	if !violates(t, prog, p, res.Schedule) {
		t.Fatal("the model does not replay")
	}
	// With the seed delivered no matter what, nothing breaks it.
	p.EFF = 1
	res, err = Check(context.Background(), prog, p, Options{})
	if err != nil || res.Violated {
		t.Fatalf("EFF 1: violated=%v err=%v, want a certificate", res != nil && res.Violated, err)
	}
}

// A recursion that builds ever larger values within a timestep has no
// fixpoint: the grounding gives up after maxRounds rounds with
// ErrTooLarge, quickly, instead of crawling towards MaxInstances one tuple
// per round.
func TestRunawayRecursionStops(t *testing.T) {
	prog := load(t, `
n("a", 0)@1;
go("a")@1;
n(N, X + 1) :- n(N, X), go(N);
go(N)@next :- go(N);
pre(N) :- go(N);
post(N) :- n(N, 3);
`)
	start := time.Now()
	_, err := Check(context.Background(), prog, fault.Params{Nodes: []string{"a"}, EOT: 2, EFF: 1}, Options{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "fixpoint") {
		t.Fatalf("got %v, want ErrTooLarge naming the fixpoint", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v to give up", d)
	}
}

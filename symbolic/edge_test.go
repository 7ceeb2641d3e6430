package symbolic

import (
	"fmt"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// edgeCases are small hand-written programs for corners the generator
// reaches rarely or not at all. Each is compared with exhaustive
// enumeration at every listed bound.
var edgeCases = []struct {
	name string
	src  string
}{
	{"crash-oracle-positive (issue 10)", `
job("a", "j1")@1;
peer("a", "b")@1;
peer(N, M)@next :- peer(N, M);
job(N, J)@next :- job(N, J);
handoff(M, J)@async :- job(N, J), peer(N, M);
job(N, J) :- handoff(N, J);
got(N, J) :- handoff(N, J);
got(N, J)@next :- got(N, J);
pre(N, J) :- crash(_, N, _), job(N, J);
post(N, J) :- job(N, J), got(_, J);
`},
	{"outsider-node-rules", `
link("a", "b")@1;
link("z", "a")@1;
link("a", "z")@1;
link("b", "a")@1;
link(N, M)@next :- link(N, M);
v("a", 1)@1;
v(N, X)@next :- v(N, X);
m(M, N, X)@async :- v(N, X), link(N, M);
got(N, X) :- m(N, _, X);
got(N, X)@next :- got(N, X);
back(M, N)@async :- got(N, _), link(N, M);
zsees(N) :- link("z", N);
heard(N) :- back(N, _);
heard(N)@next :- heard(N);
pre(N) :- link(N, "b");
post(N) :- heard(N);
post(N) :- zsees(N), got("z", _);
`},
	{"future-and-past-at-k", `
v("a", 1)@1;
v("b", 2)@2;
v(N, X)@next :- v(N, X);
link("a", "b")@1;
link("b", "a")@1;
link(N, M)@next :- link(N, M);
m(M, X)@async :- v(N, X), link(N, M);
got(N, X) :- m(N, X);
got(N, X)@next :- got(N, X);
early(N) :- v(N, _), got(N, _)@3;
late(N) :- v(N, _), notin got(N, _)@3;
never(N) :- v(N, _), got(N, _)@40;
pre(N) :- v(N, _);
post(N) :- early(N), notin late(N);
post(N) :- never(N);
`},
	{"self-messages-and-crash", `
v("a", 1)@1;
v("b", 2)@1;
v(N, X)@next :- v(N, X);
link("a", "b")@1;
link("b", "a")@1;
link(N, M)@next :- link(N, M);
selfm(N, X)@async :- v(N, X);
m(M, X)@async :- selfm(N, X), link(N, M);
mine(N, X) :- selfm(N, X);
got(N, X) :- m(N, X);
got(N, X)@next :- got(N, X);
pre(N) :- mine(N, _), notin crash(_, N, _);
post(N) :- got(N, _);
`},
	{"crash-constants", `
link("a", "b")@1;
link("b", "c")@1;
link("c", "a")@1;
link(N, M)@next :- link(N, M);
early(N) :- link(N, _), crash(N, "a", 2);
any(N, T) :- link(N, _), crash(_, M, T), M != N;
alarm(N) :- any(N, T), T < 3;
pre(N) :- link(N, _), notin crash(_, N, _);
post(N) :- link(N, _), notin alarm(N);
post(N) :- early(N);
`},
	{"sum-duplicates-negatives", `
v("a", 1)@1;
v("b", 1)@1;
v("c", 3)@1;
link("a", "c")@1;
link("b", "c")@1;
link("c", "a")@1;
link(N, M)@next :- link(N, M);
m(M, N, 2 - X)@async :- v(N, X), link(N, M);
m(M, N, X)@next :- m(M, N, X);
s(N, sum<X>) :- m(N, _, X);
c(N, count<X>) :- m(N, _, X);
mx(N, max<S>, min<S>) :- m(N, S, _);
ok(N) :- s(N, S), c(N, C), S + C >= 0;
ok(N) :- mx(N, A, B), A != B;
pre(N) :- link(_, N), notin crash(_, N, _);
post(N) :- ok(N);
`},
	{"aggregate-of-aggregate-two-groups", `
v("a", 1)@1;
v("a", 2)@1;
v("b", 2)@1;
v("b", 3)@1;
link("a", "b")@1;
link("b", "a")@1;
link(N, M)@next :- link(N, M);
v(N, X)@next :- v(N, X);
m(M, N, X)@async :- v(N, X), link(N, M);
got(N, S, X) :- m(N, S, X);
got(N, S, X)@next :- got(N, S, X);
per(N, S, X % 2, count<X>) :- got(N, S, X);
tot(N, sum<C>) :- per(N, _, _, C);
q(N) :- tot(N, T), T >= 1;
pre(N) :- v(N, _);
post(N) :- q(N);
`},
	{"division-by-zero", `
v("a", 0)@1;
v("a", 1)@1;
v("b", 2)@1;
link("a", "b")@1;
link("b", "a")@1;
link(N, M)@next :- link(N, M);
m(M, X)@async :- v(N, X), link(N, M), clk(N, 1);
clk("a", 1)@1;
clk("b", 1)@1;
clk(N, T + 1)@next :- clk(N, T);
q(N, 6 / X) :- m(N, X);
q(N, Y)@next :- q(N, Y);
r(N, Y % X) :- q(N, Y), m(N, X);
pre(N) :- link(N, _);
post(N) :- q(N, _);
`},
	{"three-way-recursion-blocked", `
link("a", "b")@1;
link("b", "c")@1;
link("c", "a")@1;
link(N, M)@next :- link(N, M);
clk("a", 1)@1;
clk("b", 1)@1;
clk("c", 1)@1;
clk(N, T + 1)@next :- clk(N, T);
hello(M, N)@async :- link(N, M), clk(N, T), T < 3;
e(N, S, N) :- hello(N, S);
e(N, S, N)@next :- e(N, S, N);
e(N, X, Y) :- clk(N, _), e(Y, X, Y);
bad(M, N)@async :- link(N, M), crash(N, M, _);
p(N, X, Y) :- e(N, X, Y);
q(N, X, Z) :- p(N, X, Y), e(N, Y, Z), notin bad(N, Z);
r(N, X, Z) :- q(N, X, Z);
p(N, X, Z) :- r(N, X, Z);
pre(N) :- clk(N, _), notin crash(_, N, _);
post(N) :- p(N, N, N);
`},
	{"self-supporting-tuple", `
link("a", "b")@1;
link("b", "a")@1;
link("b", "c")@1;
link(N, M)@next :- link(N, M);
clk("a", 1)@1;
clk("b", 1)@1;
clk("c", 1)@1;
clk(N, T + 1)@next :- clk(N, T);
hello(M, N)@async :- link(N, M), clk(N, T), T <= 2;
e(N, S, N) :- hello(N, S);
e(N, S, N)@next :- e(N, S, N);
e(N, N, N) :- clk(N, _);
reach(N, X, Y) :- e(N, X, Y);
reach(N, X, Z) :- reach(N, X, Y), e(N, Y, Z);
pre(N) :- link(_, N);
post(N) :- reach(N, S, N), S != N;
`},
	{"sum-of-partial-sets", `
v("a", 1)@1;
v("b", 2)@1;
link("a", "c")@1;
link("b", "c")@1;
link("a", "b")@1;
link(N, M)@next :- link(N, M);
m(M, X)@async :- v(N, X), link(N, M);
got(N, X) :- m(N, X);
got(N, X)@next :- got(N, X);
s(N, sum<X>) :- got(N, X);
ok(N) :- s(N, S), S >= 1;
pre(N) :- link(_, N);
post(N) :- ok(N);
`},
	{"zero-fault-violation", `
v("a", 1)@1;
link("a", "b")@1;
link(N, M)@next :- link(N, M);
m(M, X)@async :- v(N, X), link(N, M);
got(N, X) :- m(N, X);
pre(N) :- link(_, N);
post(N) :- got(N, _);
`},
	{"strings-min-max-compare", `
link("a", "b")@1;
link("a", "c")@1;
link("b", "c")@1;
link("c", "b")@1;
link(N, M)@next :- link(N, M);
hi(M, N)@async :- link(N, M);
seen(N, S) :- hi(N, S);
seen(N, S)@next :- seen(N, S);
lo(N, min<S>) :- seen(N, S);
top(N, max<S>) :- seen(N, S);
leader(N, L) :- lo(N, L), L < N;
leader(N, N) :- seen(N, _), notin lo(N, _);
pre(N) :- link(_, N);
post(N) :- leader(N, L), top(N, T), L <= T;
`},
}

// TestEdgeCasesAgreeWithExhaustive checks the hand-written corner cases at
// several small bounds.
func TestEdgeCasesAgreeWithExhaustive(t *testing.T) {
	for _, c := range edgeCases {
		prog, err := dedalus.LoadSource(c.name+".ded", c.src)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for _, p := range []fault.Params{
			{Nodes: []string{"a", "b"}, EOT: 4, EFF: 2, MaxCrashes: 1},
			{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2, MaxCrashes: 1},
			{Nodes: []string{"a", "b", "c"}, EOT: 5, EFF: 0, MaxCrashes: 2},
			{Nodes: []string{"a", "b", "c"}, EOT: 5, EFF: 3, MaxCrashes: 0},
			{Nodes: []string{"a", "b"}, EOT: 4, EFF: 6, MaxCrashes: 1},
		} {
			name := fmt.Sprintf("%s/n%d-eot%d-eff%d-c%d", c.name, len(p.Nodes), p.EOT, p.EFF, p.MaxCrashes)
			o, err := compareExact(prog, p, 20000)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			t.Logf("%s: violated=%v faults=%d runs=%d", name, o.violated, o.faults, o.runs)
		}
	}
}

package calm

import (
	"slices"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
)

func analyze(t *testing.T, src string, outcomes ...string) *Report {
	t.Helper()
	prog, err := dedalus.LoadSource("t.ded", src)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	rep, err := Analyze(prog, outcomes)
	if err != nil {
		t.Fatalf("analyze: %v", err)
	}
	return rep
}

func outcome(t *testing.T, rep *Report, name string) Outcome {
	t.Helper()
	for _, o := range rep.Outcomes {
		if o.Relation == name {
			return o
		}
	}
	t.Fatalf("no outcome %s in %+v", name, rep.Outcomes)
	return Outcome{}
}

func relation(t *testing.T, rep *Report, name string) Relation {
	t.Helper()
	for _, r := range rep.Relations {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no relation %s", name)
	return Relation{}
}

// kinds lists "kind@line" of the points, in order.
func kinds(ps []Point) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Kind+"@"+p.Relation)
	}
	return out
}

// A broadcast: the sender logs its payload and sends it once to every
// other node; receivers log what arrives; the log is persisted. The
// invariant relations and the log are monotone, so confluent.
const broadcast = `
node("a", "b")@1; node("a", "c")@1; node("b", "a")@1;
bcast("a", "hello")@1;
node(N, M)@next :- node(N, M);
log(N, P)@next :- log(N, P);
log(N, P) :- bcast(N, P);
log(M, P)@async :- bcast(N, P), node(N, M);
pre(X, P) :- node(X, _), log(Y, P), notin crash(_, X, _);
post(X, P) :- log(X, P);
`

func TestBroadcastConfluent(t *testing.T) {
	rep := analyze(t, broadcast)
	if !rep.Confluent {
		t.Fatalf("broadcast called order-sensitive: %+v", rep.Outcomes)
	}
	for _, name := range []string{"log", "pre", "post"} {
		if r := relation(t, rep, name); r.Class != ClassMonotone || !r.Monotone || !r.MessageDerived {
			t.Errorf("%s: %+v, want monotone and message-derived", name, r)
		}
	}
	for _, name := range []string{"node", "bcast", "crash"} {
		if r := relation(t, rep, name); r.Class != ClassLocal || r.MessageDerived {
			t.Errorf("%s: %+v, want local", name, r)
		}
	}
	if r := relation(t, rep, "log"); !r.Persisted {
		t.Errorf("log not persisted: %+v", r)
	}
}

func TestPointsOfOrder(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // kind@relation of post's points of order
		reads     string   // the literal of the first point
	}{
		{"negation", `
			member("a", "b")@1; member("b", "a")@1; cand("a", "x")@1; cand("b", "x")@3;
			member(N, M)@next :- member(N, M);
			cand(N, X)@next :- cand(N, X);
			veto(M, X)@async :- cand(N, X), member(N, M);
			kept(N, X)@next :- kept(N, X);
			kept(N, X) :- cand(N, X), notin veto(N, X);
			post(N, X) :- kept(N, X);`,
			[]string{"negation@kept"}, "notin veto(N, X)"},
		{"aggregate remembered", `
			peer("a", "b")@1; val("a", 3)@1; val("a", 5)@2;
			peer(N, M)@next :- peer(N, M);
			got(M, V)@async :- val(N, V), peer(N, M);
			seen(N, V)@next :- seen(N, V);
			seen(N, V) :- got(N, V);
			best(N, max<V>) :- seen(N, V);
			hist(N, V)@next :- hist(N, V);
			hist(N, V) :- best(N, V);
			post(N, V) :- hist(N, V);`,
			[]string{"aggregate@best"}, "seen(N, V)"},
		{"coincidence with a later fact", `
			peer("a", "b")@1; v("a", "x")@1; ready("b")@3;
			peer(N, M)@next :- peer(N, M);
			m(M, X)@async :- v(N, X), peer(N, M);
			both(N, X)@next :- both(N, X);
			both(N, X) :- m(N, X), ready(N);
			post(N, X) :- both(N, X);`,
			[]string{"coincidence@both"}, "m(N, X)"},
		{"coincidence of two messages", `
			peer("a", "b")@1; v("a", "x")@1; w("a", "x")@2;
			peer(N, M)@next :- peer(N, M);
			m1(M, X)@async :- v(N, X), peer(N, M);
			m2(M, X)@async :- w(N, X), peer(N, M);
			both(N, X)@next :- both(N, X);
			both(N, X) :- m1(N, X), m2(N, X);
			post(N, X) :- both(N, X);`,
			[]string{"coincidence@both"}, "m1(N, X)"},
		{"token not carried forward", `
			ring("a", "b")@1; ring("b", "c")@1; ring("c", "a")@1; start("a")@1;
			ring(N, M)@next :- ring(N, M);
			tok(M)@async :- start(N), ring(N, M);
			tok(M)@async :- tok(N), ring(N, M);
			post(N) :- tok(N);`,
			[]string{"persistence@tok"}, ""},
		{"kept only under a condition", `
			peer("a", "b")@1; v("a", "x")@1; stop("b", "x")@3;
			peer(N, M)@next :- peer(N, M);
			m(M, X)@async :- v(N, X), peer(N, M);
			log(N, X) :- m(N, X);
			log(N, X)@next :- log(N, X), notin stop(N, X);
			post(N, X) :- log(N, X);`,
			[]string{"persistence@log"}, "notin stop(N, X)"},
		{"snapshot", `
			peer("a", "b")@1; peer("b", "a")@1; v("a", "x")@1;
			peer(N, M)@next :- peer(N, M);
			m(M, X)@async :- v(N, X), peer(N, M);
			got(N, X)@next :- got(N, X);
			got(N, X) :- m(N, X);
			post(N, X) :- peer(N, _), got(N, X)@3;`,
			[]string{"snapshot@post"}, "got(N, X)@3"},
		{"counter started by a message", `
			peer("a", "b")@1; go("a")@1;
			peer(N, M)@next :- peer(N, M);
			m(M)@async :- go(N), peer(N, M);
			c(N, 0) :- m(N);
			c(N, K + 1)@next :- c(N, K);
			c(N, K)@next :- c(N, K);
			post(N, K) :- c(N, K);`,
			[]string{"unbounded@c"}, "c(N, K)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := analyze(t, c.src)
			o := outcome(t, rep, "post")
			if o.Confluent || rep.Confluent {
				t.Fatalf("called confluent: %+v", o)
			}
			if got := kinds(o.Points); !slices.Equal(got, c.want) {
				t.Fatalf("points %v, want %v\n%+v", got, c.want, o.Points)
			}
			p := o.Points[0]
			if p.Reads != c.reads || p.Line == 0 || p.File != "t.ded" || p.Detail == "" || p.Fix == "" {
				t.Errorf("point %+v: want reads %q, a position, a detail and a fix", p, c.reads)
			}
			// Each example is a real point of order: some schedule changes post.
			prog, err := dedalus.LoadSource("t.ded", c.src)
			if err != nil {
				t.Fatal(err)
			}
			if !orderMatters(t, prog, "post", 300) {
				t.Errorf("no schedule of 300 changes post at EOT: not a real point of order")
			}
		})
	}
}

func TestConfluentShapes(t *testing.T) {
	cases := []struct{ name, src, class string }{
		{"max over a persisted set settles", `
			peer("a", "b")@1; val("a", 3)@1; val("a", 5)@2;
			peer(N, M)@next :- peer(N, M);
			got(M, V)@async :- val(N, V), peer(N, M);
			seen(N, V)@next :- seen(N, V);
			seen(N, V) :- got(N, V);
			post(N, max<V>) :- seen(N, V);`, ClassSettles},
		{"relay forever", `
			node("a", "b")@1; node("b", "a")@1; bcast("a", "x")@1;
			node(N, M)@next :- node(N, M);
			log(N, P)@next :- log(N, P);
			log(N, P) :- bcast(N, P);
			log(M, P)@async :- log(N, P), node(N, M);
			post(X, P) :- log(X, P);`, ClassMonotone},
		{"persisted through a copy cycle", `
			node("a", "b")@1; bcast("a", "x")@1;
			node(N, M)@next :- node(N, M);
			seen(N, P)@next :- log(N, P);
			log(N, P) :- seen(N, P);
			log(N, P) :- bcast(N, P);
			rcv(M, P)@async :- bcast(N, P), node(N, M);
			log(N, P) :- rcv(N, P);
			post(X, P) :- log(X, P);`, ClassMonotone},
		{"message joined with unchanging data", `
			node("a", "b")@1; ok("b", "x")@1; bcast("a", "x")@1;
			node(N, M)@next :- node(N, M);
			ok(N, P)@next :- ok(N, P);
			rcv(M, P)@async :- bcast(N, P), node(N, M);
			acc(N, P)@next :- acc(N, P);
			acc(N, P) :- rcv(N, P), ok(N, P), notin crash(_, N, _);
			post(X, P) :- acc(X, P);`, ClassMonotone},
		{"notin over a persisted set at the read", `
			node("a", "b")@1; add("a", "x")@1; add("a", "y")@1; del("a", "y")@1;
			node(N, M)@next :- node(N, M);
			adds(M, E)@async :- add(N, E), node(N, M);
			dels(M, E)@async :- del(N, E), node(N, M);
			added(N, E)@next :- added(N, E);
			added(N, E) :- adds(N, E);
			gone(N, E)@next :- gone(N, E);
			gone(N, E) :- dels(N, E);
			post(N, E) :- added(N, E), notin gone(N, E);`, ClassSettles},
		{"state-based counter over sets", `
			peer("a", "b")@1; peer("a", "c")@1; peer("b", "a")@1;
			peer("b", "c")@1; peer("c", "a")@1; peer("c", "b")@1;
			inc("a", "u1")@1; inc("a", "u2")@2; inc("b", "u3")@1;
			peer(N, M)@next :- peer(N, M);
			incs(N, U)@next :- incs(N, U);
			incs(N, U) :- inc(N, U);
			own(N, count<U>) :- incs(N, U);
			seen(N, N, C) :- own(N, C);
			seen(N, I, C)@next :- seen(N, I, C);
			seen(M, I, C)@async :- peer(N, M), seen(N, I, C);
			top(N, I, max<C>) :- seen(N, I, C);
			post(N, A + B) :- top(N, "a", A), top(N, "b", B);`, ClassSettles},
		{"message to self is never late", `
			v("a", "x")@1;
			m(N, X)@async :- v(N, X);
			post(N, X) :- m(N, X);`, ClassLocal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := analyze(t, c.src)
			o := outcome(t, rep, "post")
			if !o.Confluent || !rep.Confluent || o.Class != c.class || len(o.Points) != 0 {
				t.Fatalf("post: %+v, want confluent (%s)", o, c.class)
			}
			// And it is: the same at EOT under random delays and duplicates.
			prog, err := dedalus.LoadSource("t.ded", c.src)
			if err != nil {
				t.Fatal(err)
			}
			if !checkBehaviour(t, c.name, prog, prog.LocationConstants(), 14, 30, 3) {
				t.Fatal("a run hit a limit")
			}
		})
	}
}

// TestRelationReasons: a message-derived relation that is not monotone says
// why, with the rule's position; the persisted one that reads it too.
func TestRelationReasons(t *testing.T) {
	rep := analyze(t, `
		member("a", "b")@1; cand("a", "x")@1;
		member(N, M)@next :- member(N, M);
		cand(N, X)@next :- cand(N, X);
		veto(M, X)@async :- cand(N, X), member(N, M);
		ok(N, X) :- cand(N, X), notin veto(N, X);
		kept(N, X)@next :- kept(N, X);
		kept(N, X) :- ok(N, X);
		post(N, X) :- kept(N, X);`)
	veto := relation(t, rep, "veto")
	if veto.Class != ClassTransient || veto.Monotone || len(veto.Reasons) != 1 || veto.Reasons[0].Kind != KindPersistence {
		t.Errorf("veto: %+v, want transient with a persistence reason", veto)
	}
	ok := relation(t, rep, "ok")
	if ok.Class != ClassSettles || len(ok.Reasons) == 0 || ok.Reasons[0].Kind != KindNegation || ok.Reasons[0].Line != 6 {
		t.Errorf("ok: %+v, want settles, negation at line 6", ok)
	}
	kept := relation(t, rep, "kept")
	if kept.Class != ClassOrderSensitive || !kept.Persisted || len(kept.Reasons) != 1 || kept.Reasons[0].Kind != KindInput {
		t.Errorf("kept: %+v, want order-sensitive, persisted, reading ok", kept)
	}
	// The point of order is where the notin is, not where it is kept.
	o := outcome(t, rep, "post")
	if got := kinds(o.Points); !slices.Equal(got, []string{"negation@ok"}) {
		t.Errorf("post points %v, want negation@ok", got)
	}
	if p := o.Points[0]; !slices.Equal(p.Via, []string{"veto"}) {
		t.Errorf("via %v, want [veto]", p.Via)
	}
}

func TestOutcomeFlag(t *testing.T) {
	prog, err := dedalus.LoadSource("t.ded", broadcast)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyze(prog, []string{"log", "post"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range rep.Outcomes {
		names = append(names, o.Relation)
	}
	if !slices.Equal(names, []string{"log", "post", "pre"}) {
		t.Errorf("outcomes %v, want log, post, pre (sorted, once each)", names)
	}
	if _, err := Analyze(prog, []string{"nosuch"}); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("unknown outcome: err %v", err)
	}
}

// TestNoAsyncIsConfluent: without an @async rule (or with messages to self
// only), nothing depends on delivery: every relation is local and every
// outcome confluent. On generated programs, with @async made @next.
func TestNoAsyncIsConfluent(t *testing.T) {
	checked := 0
	for seed := uint64(1); seed < 300; seed++ {
		src := strings.ReplaceAll(genProgram(seed), "@async", "@next")
		prog, err := dedalus.LoadSource("gen.ded", src)
		if err != nil {
			continue
		}
		checked++
		rep, err := Analyze(prog, allRelations(prog))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range rep.Outcomes {
			if !o.Confluent || o.Class != ClassLocal || len(o.Points) > 0 {
				t.Fatalf("seed %d: %s is %+v without any message:\n%s", seed, o.Relation, o, src)
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d programs", checked)
	}
}

// TestNegationOverMessagesIsNot: a relation carried forward that some rule
// derives through notin over message-derived data is never confluent, and
// the rule is among its reasons. On generated programs.
func TestNegationOverMessagesIsNot(t *testing.T) {
	found := 0
	for seed := uint64(1); seed < 300; seed++ {
		prog, err := dedalus.LoadSource("gen.ded", genProgram(seed))
		if err != nil {
			continue
		}
		a := newAnalysis(prog)
		a.levels()
		rep, err := Analyze(prog, allRelations(prog))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range prog.Rules {
			if !a.persist[r.Head] || !readsMessagesNegated(a, &r) {
				continue
			}
			found++
			name := prog.Relations[r.Head].Name
			if o := outcome(t, rep, name); o.Confluent {
				t.Fatalf("seed %d: %s called confluent though %s", seed, name, r.Text)
			}
			if !slices.ContainsFunc(relation(t, rep, name).Reasons, func(p Point) bool { return p.Rule == r.Text }) {
				t.Fatalf("seed %d: %s: the rule %s is not among its reasons", seed, name, r.Text)
			}
		}
	}
	if found < 20 {
		t.Fatalf("only %d cases", found)
	}
}

// readsMessagesNegated: r has a notin over message-derived data and may
// fire after time 1 (no positive atom over a relation empty from then on).
func readsMessagesNegated(a *analysis, r *dedalus.Rule) bool {
	negated := false
	for k := range r.Body {
		b := &r.Body[k]
		if l := a.atomLevel(b); !b.Negated && a.local(b) && (l == lvEmpty || l == lvVanish) {
			return false
		}
		negated = negated || b.Negated && !a.local(b)
	}
	return negated
}

func allRelations(prog *dedalus.Program) []string {
	var out []string
	for _, r := range prog.Relations {
		out = append(out, r.Name)
	}
	return out
}

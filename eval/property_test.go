package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// propPrograms is the number of generated programs per property test;
// LDFI_PROP_N overrides it for longer, manual runs.
var propPrograms = func() uint64 {
	if n, err := strconv.Atoi(os.Getenv("LDFI_PROP_N")); err == nil && n > 0 {
		return uint64(n)
	}
	return 200
}()

func genParams(rng *rand.Rand, eot int) fault.Params {
	return fault.Params{Nodes: genNodes, EOT: eot, EFF: 1 + rng.IntN(eot), MaxCrashes: 1}
}

// TestDifferential compares the engine with the naive reference evaluator
// on random programs and schedules.
func TestDifferential(t *testing.T) {
	for seed := range propPrograms {
		rng := rand.New(rand.NewPCG(seed, 1))
		eot := 2 + rng.IntN(4)
		o := genOpts{negation: true, aggs: true, crash: true, atTime: true, eot: eot}
		prog := genProgram(seed, o)
		e, err := New(prog)
		if err != nil {
			t.Fatalf("seed %d: New: %v", seed, err)
		}
		for range 3 {
			par := genParams(rng, eot)
			s := genSchedule(rng, par)
			res, err := e.Run(context.Background(), par, s, Options{Provenance: seed%2 == 0})
			if err != nil {
				t.Fatalf("seed %d: Run: %v", seed, err)
			}
			got, want := engineLines(res), refRun(prog, par, s).lines()
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d, schedule %s: engine and reference differ:\n%s", seed, s, diffLines(want, got))
			}
		}
	}
}

func diffLines(want, got []string) string {
	var b strings.Builder
	for _, w := range want {
		if !slices.Contains(got, w) {
			fmt.Fprintf(&b, "  missing: %s\n", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			fmt.Fprintf(&b, "  extra:   %s\n", g)
		}
	}
	return b.String()
}

// TestMonotone: without negation, aggregates or crash reads, adding faults
// never adds tuples.
func TestMonotone(t *testing.T) {
	for seed := range propPrograms {
		rng := rand.New(rand.NewPCG(seed, 2))
		eot := 2 + rng.IntN(4)
		prog := genProgram(seed, genOpts{atTime: true, eot: eot})
		e, err := New(prog)
		if err != nil {
			t.Fatalf("seed %d: New: %v", seed, err)
		}
		par := genParams(rng, eot)
		s1 := genSchedule(rng, par)
		s2 := genSchedule(rng, par)
		s2.Omissions = append(s2.Omissions, s1.Omissions...)
		if len(s2.Crashes) == 0 {
			s2.Crashes = s1.Crashes
		} else if len(s1.Crashes) > 0 {
			s2.Crashes = s1.Crashes
			if s1.Crashes[0].Time > 1 {
				s2.Crashes = []fault.Crash{{Node: s1.Crashes[0].Node, Time: s1.Crashes[0].Time - 1}}
			}
		}
		r1, err := e.Run(context.Background(), par, s1, Options{})
		if err != nil {
			t.Fatal(err)
		}
		r2, err := e.Run(context.Background(), par, s2, Options{})
		if err != nil {
			t.Fatal(err)
		}
		more, less := engineLines(r1), engineLines(r2)
		for _, l := range less {
			if strings.HasPrefix(l, "msg ") || strings.HasPrefix(l, "crash(") {
				continue
			}
			if !slices.Contains(more, l) {
				t.Fatalf("seed %d: %s holds under %q but not under fewer faults %q", seed, l, s2, s1)
			}
		}
	}
}

func resultJSON(t *testing.T, res *Result) string {
	b, err := json.Marshal(map[string]any{"v": res.Violations(), "m": res.Messages(), "t": res.Tables()})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDeterministic: the same run gives byte-identical output, also when
// many goroutines run the engine at once.
func TestDeterministic(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 3))
		eot := 2 + rng.IntN(4)
		prog := genProgram(seed, genOpts{negation: true, aggs: true, crash: true, atTime: true, eot: eot})
		e, err := New(prog)
		if err != nil {
			t.Fatal(err)
		}
		par := genParams(rng, eot)
		s := genSchedule(rng, par)
		first, err := e.Run(context.Background(), par, s, Options{Provenance: true})
		if err != nil {
			t.Fatal(err)
		}
		want := resultJSON(t, first)
		var wg sync.WaitGroup
		outs := make([]string, 4)
		for i := range outs {
			wg.Go(func() {
				res, err := e.Run(context.Background(), par, s, Options{Provenance: i%2 == 0})
				if err == nil {
					outs[i] = resultJSON(t, res)
				}
			})
		}
		wg.Wait()
		for i, o := range outs {
			if o != want {
				t.Fatalf("seed %d: run %d differs", seed, i)
			}
		}
	}
}

// TestDerivationsRecheck: every recorded derivation re-checks against the
// rule: body tuples exist at the expected times and unify with the body
// atoms, comparisons hold, negated atoms have no match, and the head
// evaluates to the tuple.
func TestDerivationsRecheck(t *testing.T) {
	for seed := range propPrograms {
		rng := rand.New(rand.NewPCG(seed, 4))
		eot := 2 + rng.IntN(4)
		prog := genProgram(seed, genOpts{negation: true, aggs: true, crash: true, atTime: true, eot: eot})
		e, err := New(prog)
		if err != nil {
			t.Fatal(err)
		}
		par := genParams(rng, eot)
		s := genSchedule(rng, par)
		res, err := e.Run(context.Background(), par, s, Options{Provenance: true})
		if err != nil {
			t.Fatal(err)
		}
		for id := range TupleID(res.NumTuples()) {
			ds := res.Derivations(id)
			if len(ds) == 0 {
				t.Fatalf("seed %d: %s has no derivation", seed, res.Tuple(id))
			}
			for _, b := range ds[0].Body {
				if b >= id {
					t.Fatalf("seed %d: %s: first derivation uses the later tuple %s", seed, res.Tuple(id), res.Tuple(b))
				}
			}
			seen := map[string]bool{}
			for _, d := range ds {
				k := fmt.Sprint(d.Kind, d.Rule, d.Body, d.Send)
				if seen[k] {
					t.Fatalf("seed %d: %s: derivation recorded twice: %s", seed, res.Tuple(id), k)
				}
				seen[k] = true
				if err := recheck(res, id, d); err != nil {
					t.Fatalf("seed %d: %s: %v", seed, res.Tuple(id), err)
				}
			}
		}
	}
}

func recheck(res *Result, id TupleID, d Derivation) error {
	prog := res.Program()
	tup := res.Tuple(id)
	switch d.Kind {
	case DerivFact:
		for _, f := range prog.Facts {
			if prog.Relations[f.Rel].Name == tup.Rel && f.Time == tup.Time && slices.Equal(f.Args, tup.Args) {
				return nil
			}
		}
		return fmt.Errorf("no such fact")
	case DerivBuiltin:
		if tup.Rel != "crash" {
			return fmt.Errorf("builtin derivation of %s", tup.Rel)
		}
		ct, ok := res.Schedule().CrashTime(tup.Args[1].Str)
		if !ok || int64(ct) != tup.Args[2].Int || !res.Params().HasNode(tup.Args[0].Str) {
			return fmt.Errorf("crash tuple not in schedule")
		}
		return nil
	}
	r := &prog.Rules[d.Rule]
	if prog.Relations[r.Head].Name != tup.Rel {
		return fmt.Errorf("rule %d derives %s", d.Rule, prog.Relations[r.Head].Name)
	}
	ft := tup.Time // firing time
	if r.Kind != dedalus.Deductive {
		ft--
	}
	if r.Kind == dedalus.Async {
		if d.Send == nil || d.Send.To != tup.Args[0].Str || d.Send.At != tup.Time {
			return fmt.Errorf("bad send event %+v", d.Send)
		}
		// A late copy fired at its send time; the fault model says when
		// its copies arrive.
		ft = d.Send.Time
		if !res.Params().Delivers(res.Schedule(), d.Send.From, d.Send.To, ft, tup.Time) {
			return fmt.Errorf("no copy of %v arrives at %d", d.Send, tup.Time)
		}
	} else if d.Send != nil {
		return fmt.Errorf("send event on a local derivation")
	}
	var pos []dedalus.BodyAtom
	for _, a := range r.Body {
		if !a.Negated {
			pos = append(pos, a)
		}
	}
	if r.HasAgg {
		// Every body tuple must be a tuple of some positive atom's relation
		// at the right time.
		for _, b := range d.Body {
			ok := false
			for _, a := range pos {
				at := ft
				if a.AtTime != 0 {
					at = a.AtTime
				}
				ok = ok || prog.Relations[a.Rel].Name == res.Rel(b) && res.Time(b) == at
			}
			if !ok {
				return fmt.Errorf("aggregate body tuple %s fits no atom", res.Tuple(b))
			}
		}
		return nil
	}
	if len(d.Body) != len(pos) {
		return fmt.Errorf("%d body tuples for %d atoms", len(d.Body), len(pos))
	}
	vars := make([]dedalus.Value, len(r.VarNames))
	set := make([]bool, len(r.VarNames))
	for i, a := range pos {
		b := res.Tuple(d.Body[i])
		at := ft
		if a.AtTime != 0 {
			at = a.AtTime
		}
		if b.Rel != prog.Relations[a.Rel].Name || b.Time != at {
			return fmt.Errorf("body %d is %s, want %s@%d", i, b, prog.Relations[a.Rel].Name, at)
		}
		for c, term := range a.Args {
			switch {
			case term.IsConst && b.Args[c] != term.Const:
				return fmt.Errorf("body %s: column %d is not %v", b, c, term.Const)
			case term.Var >= 0 && set[term.Var] && vars[term.Var] != b.Args[c]:
				return fmt.Errorf("body %s: variable %s mismatch", b, r.VarNames[term.Var])
			case term.Var >= 0:
				vars[term.Var], set[term.Var] = b.Args[c], true
			}
		}
	}
	node := r.NodeConst
	if r.NodeVar >= 0 {
		node = vars[r.NodeVar]
	}
	if !res.Params().HasNode(node.Str) {
		return fmt.Errorf("rule fired at %q outside the node set", node.Str)
	}
	if d.Send != nil && d.Send.From != node.Str {
		return fmt.Errorf("send from %s, rule node %s", d.Send.From, node.Str)
	}
	for _, c := range r.Cmps {
		if !refCmp(c, vars) {
			return fmt.Errorf("comparison fails")
		}
	}
	ni := 0
	for _, a := range r.Body {
		if !a.Negated {
			continue
		}
		if ni >= len(d.Negated) {
			return fmt.Errorf("negated atom not recorded")
		}
		n := d.Negated[ni]
		ni++
		at := ft
		if a.AtTime != 0 {
			at = a.AtTime
		}
		if n.Rel != prog.Relations[a.Rel].Name || n.Time != at {
			return fmt.Errorf("negated atom %s recorded as %s", prog.Relations[a.Rel].Name, n)
		}
		for c, term := range a.Args {
			want := term.Const
			if term.Var >= 0 {
				want = vars[term.Var]
			}
			if term.IsWildcard() != n.Wild[c] || !term.IsWildcard() && n.Args[c] != want {
				return fmt.Errorf("negated atom %s: column %d", n, c)
			}
		}
		// No matching tuple may exist.
		if at <= ft {
			for _, tab := range res.Tables() {
				if tab.Rel != n.Rel {
					continue
				}
				for _, row := range tab.Rows {
					if row.Time != at {
						continue
					}
					match := true
					for c := range row.Args {
						match = match && (n.Wild[c] || row.Args[c] == n.Args[c])
					}
					if match {
						return fmt.Errorf("%s but %s holds", n, Tuple{n.Rel, at, row.Args})
					}
				}
			}
		}
	}
	for c, h := range r.Args {
		v, ok := refExpr(h.Expr, vars)
		if !ok || v != tup.Args[c] {
			return fmt.Errorf("head column %d evaluates to %v", c, v)
		}
	}
	return nil
}

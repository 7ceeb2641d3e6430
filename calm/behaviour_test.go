package calm

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// The soundness smoke test: every relation the analysis calls confluent
// must hold the same tuples at EOT under random delivery schedules without
// loss (delays and duplicates of messages sent before EFF) as without
// faults. It runs the corpus programs and generated ones; LDFI_LONG=1 runs
// more programs and schedules. (The team's behavioural confluence check,
// `ldfi check --invariant confluence`, is the thorough version.)

// asyncParams are the bounds of the smoke test: EOT well past the last
// late arrival (EFF-1 + 1 + MaxDelay), so that what settles has settled.
func asyncParams(nodes []string, eot int) fault.Params {
	return fault.Params{Nodes: nodes, EOT: eot, EFF: 3, MaxDelay: 2, Duplicates: true}
}

// randomSchedule delays and duplicates messages at random: for every
// channel and send time before EFF, a delay in 0..D and maybe a later
// second copy.
func randomSchedule(rng *rand.Rand, p fault.Params) fault.Schedule {
	var s fault.Schedule
	for _, from := range p.Nodes {
		for _, to := range p.Nodes {
			if from == to {
				continue
			}
			for t := 1; t < p.EFF; t++ {
				d := rng.IntN(p.MaxDelay + 1)
				if d > 0 {
					s.Delays = append(s.Delays, fault.Delay{From: from, To: to, Time: t, By: d})
				}
				if d < p.MaxDelay && rng.IntN(2) == 0 {
					s.Duplicates = append(s.Duplicates, fault.Duplicate{From: from, To: to, Time: t, By: d + 1 + rng.IntN(p.MaxDelay-d)})
				}
			}
		}
	}
	return s
}

// atEOT prints the tuples of every relation at EOT, one line per relation.
func atEOT(res *eval.Result, rels []string, eot int) map[string]string {
	out := map[string]string{}
	for _, rel := range rels {
		var ts []string
		for _, id := range res.TuplesAt(rel, eot) {
			ts = append(ts, res.Tuple(id).Atom())
		}
		out[rel] = strings.Join(ts, " ")
	}
	return out
}

// checkBehaviour runs prog under n random schedules and fails when a
// relation called confluent differs from the fault-free run at EOT. It
// returns false when a run hit a limit (nothing was compared).
func checkBehaviour(t *testing.T, name string, prog *dedalus.Program, nodes []string, eot, n int, seed uint64) bool {
	t.Helper()
	var rels []string
	for _, r := range prog.Relations {
		rels = append(rels, r.Name)
	}
	rep, err := Analyze(prog, rels)
	if err != nil {
		t.Fatal(err)
	}
	var confluent []string
	for _, o := range rep.Outcomes {
		if o.Confluent {
			confluent = append(confluent, o.Relation)
		}
	}
	e, err := eval.New(prog)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	p := asyncParams(nodes, eot)
	base, err := e.Run(context.Background(), p, fault.Schedule{}, eval.Options{MaxTuples: 20000})
	if err != nil {
		return false // an overflow or the tuple limit (a counter without bound): nothing to compare
	}
	want := atEOT(base, confluent, eot)
	rng := rand.New(rand.NewPCG(seed, 7))
	for range n {
		s := randomSchedule(rng, p)
		res, err := e.Run(context.Background(), p, s, eval.Options{MaxTuples: 20000})
		if err != nil {
			return false // a limit: nothing to compare
		}
		got := atEOT(res, confluent, eot)
		for _, rel := range confluent {
			if got[rel] != want[rel] {
				t.Fatalf("%s: %s called confluent but differs at EOT %d under %v:\n without faults: %s\n with:           %s",
					name, rel, eot, s.Faults(), want[rel], got[rel])
			}
		}
	}
	return true
}

// orderMatters reports whether one of n random schedules changes rel at
// EOT from the fault-free run.
func orderMatters(t *testing.T, prog *dedalus.Program, rel string, n int) bool {
	t.Helper()
	e, err := eval.New(prog)
	if err != nil {
		t.Fatal(err)
	}
	p := asyncParams(prog.LocationConstants(), 14)
	base, err := e.Run(context.Background(), p, fault.Schedule{}, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := atEOT(base, []string{rel}, p.EOT)[rel]
	rng := rand.New(rand.NewPCG(5, 5))
	for range n {
		res, err := e.Run(context.Background(), p, randomSchedule(rng, p), eval.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if atEOT(res, []string{rel}, p.EOT)[rel] != want {
			return true
		}
	}
	return false
}

func TestBehaviourCorpus(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.ded")
	runs := 10
	if os.Getenv("LDFI_LONG") != "" {
		runs = 200
	}
	for _, f := range files {
		prog, err := dedalus.LoadFiles(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		nodes := prog.LocationConstants()
		if len(nodes) == 0 || len(nodes) > 4 {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			if !checkBehaviour(t, f, prog, nodes, 14, runs, 1) {
				t.Errorf("a run hit a limit")
			}
		})
	}
}

func TestBehaviourGenerated(t *testing.T) {
	programs, runs := 60, 20
	if os.Getenv("LDFI_LONG") != "" {
		programs, runs = 2000, 60
	}
	checked, limited := 0, 0
	for seed := uint64(1); checked < programs && seed < uint64(programs)*20; seed++ {
		src := genProgram(seed)
		prog, err := dedalus.LoadSource("gen.ded", src)
		if err != nil {
			continue // unstratified, or some other check: draw again
		}
		if !checkBehaviour(t, fmt.Sprintf("seed %d:\n%s", seed, src), prog, []string{"a", "b"}, 14, runs, seed) {
			limited++
			continue
		}
		checked++
	}
	t.Logf("%d programs compared under %d schedules each; %d hit a limit", checked, runs, limited)
	if checked < programs {
		t.Fatalf("only %d programs compared", checked)
	}
}

// genProgram writes a random program over nodes a and b: facts of two
// input relations at times 1..3, six derived relations (location, int)
// with deductive, @next and @async rules, negation, aggregates, guarded
// arithmetic, reads at a fixed time, and persistence rules.
func genProgram(seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 11))
	var b strings.Builder
	b.WriteString("peer(\"a\", \"b\")@1;\npeer(\"b\", \"a\")@1;\npeer(N, M)@next :- peer(N, M);\n")
	for range 2 + rng.IntN(4) {
		fmt.Fprintf(&b, "e%d(%q, %d)@%d;\n", rng.IntN(2), []string{"a", "b"}[rng.IntN(2)], rng.IntN(3), []int{1, 1, 1, 2, 3}[rng.IntN(5)])
	}
	rels := []string{"e0", "e1", "r0", "r1", "r2", "r3", "r4", "r5"}
	for h := range 6 {
		head := "r" + strconv.Itoa(h)
		if rng.IntN(2) == 0 {
			fmt.Fprintf(&b, "%s(N, X)@next :- %s(N, X);\n", head, head)
		}
		for range 1 + rng.IntN(2) {
			b.WriteString(genRule(rng, head, rels))
		}
	}
	return b.String()
}

func genRule(rng *rand.Rand, head string, rels []string) string {
	pick := func() string { return rels[rng.IntN(len(rels))] }
	body := []string{pick() + "(N, X)"}
	vars := []string{"X"}
	if rng.IntN(5) < 2 {
		at := ""
		if rng.IntN(10) == 0 {
			at = "@2"
		}
		body = append(body, pick()+"(N, Y)"+at)
		vars = append(vars, "Y")
	}
	if rng.IntN(10) < 3 {
		body = append(body, "notin "+pick()+"(N, X)")
	}
	val := vars[rng.IntN(len(vars))]
	kind := []string{"", "", "@next", "@async"}[rng.IntN(4)]
	switch r := rng.IntN(10); {
	case r == 0:
		if rng.IntN(2) == 0 { // else a counter without bound
			body = append(body, val+" < 3")
		}
		val += " + 1"
	case r == 1 && kind == "":
		val = []string{"count", "max", "min", "sum"}[rng.IntN(4)] + "<" + val + ">"
	}
	loc := "N"
	if kind == "@async" {
		body = append(body, "peer(N, M)")
		loc = "M"
	}
	slices.Reverse(body[1:]) // vary the order of the extra literals
	return fmt.Sprintf("%s(%s, %s)%s :- %s;\n", head, loc, val, kind, strings.Join(body, ", "))
}

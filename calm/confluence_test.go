package calm

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
)

// Soundness of the analysis against behaviour (issue 13): an outcome that
// Analyze calls confluent must have no confluence counterexample from the
// exact check (ldfi check --invariant confluence --strategy exact): its
// contents at EOT are the same under every delivery schedule without loss
// within small bounds whose EOT leaves the program time to settle. The
// corpus and generated programs; on the generated ones the exact verdict
// is also compared with running every schedule (a differential), and the
// tally of order-sensitive outcomes that really have a counterexample
// measures the analysis' precision. LDFI_LONG=1 runs the whole corpus and
// more programs at larger bounds.

// behaviourVerdict is the confluence check's verdict on one outcome.
func behaviourVerdict(t *testing.T, prog *dedalus.Program, p fault.Params, st search.Strategy, rel string) *search.ConfluenceResult {
	t.Helper()
	cfg := search.Config{Params: p, Strategy: st, Parallel: 1, MaxRuns: 20000, Timeout: 30 * time.Second, MaxInstances: 400_000}
	res, err := search.CheckConfluence(context.Background(), prog, cfg, []string{rel})
	if err != nil {
		t.Fatalf("%s %s: %v", st, rel, err)
	}
	return res
}

// tally counts outcomes by the analysis' verdict and the behaviour's.
type tally map[string]int

func (c tally) add(static bool, res *search.ConfluenceResult) {
	k := "order-sensitive"
	if static {
		k = "confluent"
	}
	c[k+" / "+string(res.Verdict)]++
}

func (c tally) String() string {
	var ks []string
	for k := range c {
		ks = append(ks, fmt.Sprintf("%s: %d", k, c[k]))
	}
	sort.Strings(ks)
	return strings.Join(ks, "; ")
}

// benchRow is the part of an examples/bench.json row the corpus test
// reads.
type benchRow struct {
	Files []string `json:"files"`
	EOT   int      `json:"eot"`
	EFF   int      `json:"eff"`
	Delay int      `json:"delay"`
	Nodes []string `json:"nodes"`
}

// corpusBounds are the bounds of each corpus program's first bench row,
// made into confluence bounds: the row's nodes, EFF 2 (in the long run
// the row's, within 2..4) so that messages are sent before it, a delay of 2
// (3) with duplicates, and EOT past the row's by the delay and at least
// EFF + delay + 4, so that what a late message starts has time to settle.
func corpusBounds(t *testing.T, long bool) map[string]fault.Params {
	data, err := os.ReadFile("../examples/bench.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []benchRow
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	out := map[string]fault.Params{}
	for _, r := range rows {
		name := filepath.Base(r.Files[0])
		if _, ok := out[name]; ok || len(r.Files) != 1 {
			continue
		}
		eff, d := 2, 2
		if long {
			eff, d = min(max(r.EFF, 2), 4), 3
		}
		out[name] = fault.Params{Nodes: r.Nodes, EFF: eff, MaxDelay: d, Duplicates: true, EOT: max(r.EOT+d, eff+d+4)}
	}
	return out
}

func TestConfluenceSoundCorpus(t *testing.T) {
	long := os.Getenv("LDFI_LONG") != ""
	bounds := corpusBounds(t, long)
	files, _ := filepath.Glob("../examples/*.ded")
	total := tally{}
	for _, f := range files {
		name := filepath.Base(f)
		p, ok := bounds[name]
		if !ok {
			t.Logf("%-28s skipped: no bench row names its nodes and bounds", name)
			continue
		}
		prog, err := dedalus.LoadFiles(f)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Analyze(prog, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range rep.Outcomes {
			res := behaviourVerdict(t, prog, p, search.Exact, o.Relation)
			total.add(o.Confluent, res)
			t.Logf("%-28s %-5s calm %-15s behaviour %-14s %s", name, o.Relation, verdictWord(o.Confluent), res.Verdict, divergenceText(res))
			if o.Confluent && res.Verdict == search.Counterexample {
				t.Errorf("%s: calm calls %s confluent, but %s", name, o.Relation, divergenceText(res))
			}
		}
	}
	t.Logf("corpus: %s", total)
}

func verdictWord(confluent bool) string {
	if confluent {
		return "confluent"
	}
	return "order-sensitive"
}

// divergenceText says how a counterexample's outcome differs (or why the
// check was inconclusive).
func divergenceText(res *search.ConfluenceResult) string {
	d := res.Counterexample
	if d == nil {
		return res.Reason
	}
	var miss, extra []string
	for _, x := range d.Missing {
		miss = append(miss, x.Atom())
	}
	for _, x := range d.Extra {
		extra = append(extra, x.Atom())
	}
	return fmt.Sprintf("%s: -%v +%v", d.Schedule, miss, extra)
}

// generatedBounds are the bounds of the generated programs (nodes a and
// b), without loss: a delay of 2 with duplicates, EFF 2 (36 delivery
// schedules; 3 in the long run: 1296), EOT 10 (12), well past the last
// late arrival.
func generatedBounds(long bool) fault.Params {
	if long {
		return fault.Params{Nodes: []string{"a", "b"}, EOT: 12, EFF: 3, MaxDelay: 2, Duplicates: true, OmissionsBounded: true}
	}
	return fault.Params{Nodes: []string{"a", "b"}, EOT: 10, EFF: 2, MaxDelay: 2, Duplicates: true, OmissionsBounded: true}
}

// genCheck runs the confluence check of strategy st on the outcome
// relations rels of a generated program; nil when it hit a limit (an
// overflow, the tuple or instance limit: a runaway counter).
func genCheck(prog *dedalus.Program, p fault.Params, st search.Strategy, rels []string) *search.ConfluenceResult {
	cfg := search.Config{Params: p, Strategy: st, Parallel: 1, MaxRuns: 5000, Timeout: 5 * time.Second, MaxInstances: 100_000}
	r, err := search.CheckConfluence(context.Background(), prog, cfg, rels)
	if err != nil || r.Verdict == search.Inconclusive {
		return nil
	}
	return r
}

// firstChanges runs every delivery schedule of p (fault.Enumerate,
// smallest first) with the evaluator alone and returns, per relation, the
// first schedule under which its tuples at EOT differ from the fault-free
// run's (none: it is confluent within p). ok is false when a run hit a
// limit. It is the differential's reference, independent of the search.
func firstChanges(prog *dedalus.Program, p fault.Params, rels []string) (first map[string]fault.Schedule, ok bool) {
	eng, err := eval.New(prog)
	if err != nil {
		return nil, false
	}
	var ref map[string]string
	first = map[string]fault.Schedule{}
	for s := range fault.Enumerate(p) {
		r, err := eng.Run(context.Background(), p, s, eval.Options{})
		if err != nil {
			return nil, false
		}
		got := atEOT(r, rels, p.EOT)
		if ref == nil {
			ref = got
			continue
		}
		for _, rel := range rels {
			if _, seen := first[rel]; !seen && got[rel] != ref[rel] {
				first[rel] = s
			}
		}
	}
	return first, true
}

// genSound checks a generated program. The outcomes the analysis calls
// confluent must have no counterexample from the exact check (asked once
// for all of them: their joint outcome differs exactly when one of theirs
// does; one by one in the long run); each order-sensitive outcome is
// checked alone, for the precision tally. Each answer is compared with
// running every schedule (firstChanges): the same verdict, and as few
// faults. It returns the number of outcomes compared, or -1 when a check
// hit a limit.
func genSound(t *testing.T, src string, prog *dedalus.Program, p fault.Params, rep *Report, long bool, counts tally) int {
	t.Helper()
	var groups [][]string
	var confluent, all []string
	static := map[string]bool{}
	for _, o := range rep.Outcomes {
		static[o.Relation] = o.Confluent
		all = append(all, o.Relation)
		if !o.Confluent || long {
			groups = append(groups, []string{o.Relation})
		} else {
			confluent = append(confluent, o.Relation)
		}
	}
	if len(confluent) > 0 {
		groups = append(groups, confluent)
	}
	first, ok := firstChanges(prog, p, all)
	if !ok {
		return -1
	}
	n := 0
	for _, rels := range groups {
		res := genCheck(prog, p, search.Exact, rels)
		if res == nil {
			return -1
		}
		for range rels {
			counts.add(static[rels[0]], res)
		}
		n += len(rels)
		if static[rels[0]] && res.Verdict == search.Counterexample {
			t.Errorf("calm calls %v confluent, but %s; program:\n%s", rels, divergenceText(res), src)
		}
		genDifferential(t, src, rels, res, first)
	}
	return n
}

// genDifferential compares the exact check's answer on the outcome rels
// with running every schedule: the group's outcome changes when one of
// its relations does, first at the fewest faults among theirs.
func genDifferential(t *testing.T, src string, rels []string, exact *search.ConfluenceResult, first map[string]fault.Schedule) {
	t.Helper()
	fewest := -1
	for _, r := range rels {
		if s, ok := first[r]; ok && (fewest < 0 || s.Size() < fewest) {
			fewest = s.Size()
		}
	}
	switch differs := exact.Verdict == search.Counterexample; {
	case differs != (fewest >= 0):
		t.Errorf("%v: exact %s (%s), running every schedule: changed=%v; program:\n%s", rels, exact.Verdict, divergenceText(exact), fewest >= 0, src)
	case differs && exact.Counterexample.Schedule.Size() != fewest:
		t.Errorf("%v: exact's fewest faults %s, running every schedule: %d faults; program:\n%s", rels, exact.Counterexample.Schedule, fewest, src)
	}
}

func TestConfluenceSoundGenerated(t *testing.T) {
	long := os.Getenv("LDFI_LONG") != ""
	programs := 200
	if long {
		programs = 2000
	}
	p := generatedBounds(long)
	eval.SetDefaultMaxTuples(20000) // a counter without bound stops early
	t.Cleanup(func() { eval.SetDefaultMaxTuples(0) })
	counts := tally{}
	checked, outcomes, limited := 0, 0, 0
	for seed := uint64(1); checked < programs && seed < uint64(programs)*20; seed++ {
		src := genProgram(seed)
		prog, err := dedalus.LoadSource("gen.ded", src)
		if err != nil {
			continue // unstratified, or some other check: draw again
		}
		var rels []string
		for _, r := range prog.Relations {
			if r.Name != "crash" {
				rels = append(rels, r.Name)
			}
		}
		rep, err := Analyze(prog, rels)
		if err != nil {
			t.Fatal(err)
		}
		text := fmt.Sprintf("seed %d:\n%s", seed, src)
		n := genSound(t, text, prog, p, rep, long, counts)
		if n < 0 {
			limited++
			continue
		}
		outcomes += n
		checked++
	}
	t.Logf("%d programs (%d skipped: a check hit a limit), %d outcomes; calm / exact check (each answer also checked against running every schedule): %s",
		checked, limited, outcomes, counts)
	if checked < programs {
		t.Fatalf("only %d programs generated", checked)
	}
}

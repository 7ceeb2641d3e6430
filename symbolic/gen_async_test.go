package symbolic

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ldfi/ldfi/fault"
)

// The generator's asynchrony variant (genCaseOf with async): bounds with
// delays, duplicates, a partition and an omission budget, and protocol
// steps whose outcome depends on when and how often a message arrives:
// last-arrival-wins registers, counters over arrivals, first-arrival times
// and heartbeats with timeouts.

// genAsyncBounds draws asynchrony bounds for n nodes: EOT 3-6, EFF 2-4
// (rarely 1) below EOT,
// crashes 0 (mostly) or 1, MaxDelay 0-2 (0 only with another asynchrony fault),
// duplicates, at most one partition, an omission budget of 0 (mostly) or
// 1 or none;
// at most limit schedules (fault.Count).
func genAsyncBounds(r *rand.Rand, nodes []string, limit int64) fault.Params {
	for {
		p := fault.Params{Nodes: nodes, EOT: 3 + r.IntN(4), EFF: 2 + r.IntN(3)}
		if r.IntN(6) == 0 {
			p.MaxCrashes = 1 // rarely: a crash often breaks what a delay does
		}
		if r.IntN(10) == 0 {
			p.EFF = 1 // crashes only: the asynchrony faults have no send slot
		}
		p.EFF = min(p.EFF, p.EOT-1)
		p.MaxDelay = []int{0, 1, 1, 2, 2}[r.IntN(5)]
		p.Duplicates = p.MaxDelay > 0 && r.IntN(2) == 0
		if r.IntN(10) < 3 {
			p.MaxPartitions = 1
		}
		if w := r.IntN(10); w < 7 {
			// mostly no loss at all: the bugs asynchrony alone causes
			p.OmissionsBounded, p.MaxOmissions = true, w/5
		}
		if !p.Async() || p.Validate() != nil {
			continue
		}
		c := fault.Count(p)
		if !c.IsInt64() || c.Int64() > limit {
			continue
		}
		if c.Int64() == 1 && r.Float64() < 0.75 {
			continue // keep a few fault-free bounds, not many
		}
		return p
	}
}

// asyncStep adds one step whose outcome depends on message timing.
func (g *gen) asyncStep() {
	switch g.r.IntN(4) {
	case 0:
		g.lastWins()
	case 1:
		g.arrivalCounter()
	case 2:
		g.firstArrival()
	default:
		g.heartbeat()
	}
}

// msgSource picks a message-derived relation with a column of kind k
// after the location (sending a new message when there is none), and the
// index of that column.
func (g *gen) msgSource(k colKind) (*grel, int) {
	ok := func(r *grel) bool { return r.msg && slices.Contains(r.cols[1:], k) }
	src := g.source(ok)
	if src == nil {
		g.send()
		if src = g.source(ok); src == nil {
			return nil, 0
		}
	}
	return src, 1 + slices.Index(src.cols[1:], k)
}

// wildArgs is N then a wildcard per column of r.
func wildArgs(r *grel) []string {
	args := []string{"N"}
	for range r.cols[1:] {
		args = append(args, "_")
	}
	return args
}

// lastWins adds a register that takes the value of whatever arrives and
// keeps it while nothing does: reordered, late or repeated writes change
// what it ends with. Sometimes also a conflict alarm (two values at once).
func (g *gen) lastWins() {
	src, i := g.msgSource(kInt)
	if src == nil {
		return
	}
	a := &alloc{}
	args := freshArgs(a, src, "N")
	reg := g.newRel("reg", []colKind{kNode, kInt}, true, "state")
	if g.chance(0.5) {
		g.emit("%s :- clk(N, 1);", atom(reg.name, []string{"N", "0"}))
	}
	g.emit("%s@next :- %s;", atom(reg.name, []string{"N", args[i]}), atom(src.name, args))
	g.emit("%s@next :- %s, notin %s;", atom(reg.name, []string{"N", "V"}), atom(reg.name, []string{"N", "V"}), atom(src.name, wildArgs(src)))
	reg.persisted = true
	if g.chance(0.5) {
		c := g.newRel("conflict", []colKind{kNode}, true, "neg")
		g.emit("%s :- %s, %s, V != W;", atom(c.name, []string{"N"}), atom(reg.name, []string{"N", "V"}), atom(reg.name, []string{"N", "W"}))
		return
	}
	u := g.newRel("q", []colKind{kNode}, true, "aggUse")
	g.emit("%s :- %s, V %s %d;", atom(u.name, []string{"N"}), atom(reg.name, []string{"N", "V"}), []string{">=", "==", "<"}[g.r.IntN(3)], 1+g.r.IntN(3))
}

// arrivalCounter adds a counter advanced at each step by the number of
// values that arrive, or by one when any does: a duplicate arriving later
// counts again. Then a threshold on it, or an alarm when a message of a
// one-shot send arrived at two steps (only a duplicate does that).
func (g *gen) arrivalCounter() {
	src := g.source(func(r *grel) bool { return r.msg && len(r.cols) > 1 })
	if src == nil {
		return
	}
	c := g.newRel("cnt", []colKind{kNode, kInt}, true, "state")
	g.emit("%s :- clk(N, 1);", atom(c.name, []string{"N", "0"}))
	if g.chance(0.5) {
		a := &alloc{}
		args := freshArgs(a, src, "N")
		k := g.newRel("arr", []colKind{kNode, kInt}, true, "agg")
		g.emit("%s :- %s;", atom(k.name, []string{"N", fmt.Sprintf("count<%s>", args[1+g.r.IntN(len(args)-1)])}), atom(src.name, args))
		g.emit("%s@next :- %s, %s;", atom(c.name, []string{"N", "C + K"}), atom(c.name, []string{"N", "C"}), atom(k.name, []string{"N", "K"}))
	} else {
		g.emit("%s@next :- %s, %s;", atom(c.name, []string{"N", "C + 1"}), atom(c.name, []string{"N", "C"}), atom(src.name, wildArgs(src)))
	}
	g.emit("%s@next :- %s, notin %s;", atom(c.name, []string{"N", "C"}), atom(c.name, []string{"N", "C"}), atom(src.name, wildArgs(src)))
	c.persisted = true
	if g.chance(0.5) {
		u := g.newRel("twice", []colKind{kNode}, true, "neg")
		g.emit("%s :- %s, C > 1;", atom(u.name, []string{"N"}), atom(c.name, []string{"N", "C"}))
		return
	}
	u := g.newRel("q", []colKind{kNode}, true, "aggUse")
	g.emit("%s :- %s, C %s %d;", atom(u.name, []string{"N"}), atom(c.name, []string{"N", "C"}), []string{">=", "==", "<", ">"}[g.r.IntN(4)], 1+g.r.IntN(3))
}

// firstArrival records when a message first arrives and raises an alarm
// when that is after a deadline.
func (g *gen) firstArrival() {
	src := g.source(func(r *grel) bool { return r.msg })
	if src == nil {
		return
	}
	seen := g.newRel("seen", []colKind{kNode}, true, "state")
	g.emit("%s@next :- %s;", atom(seen.name, []string{"N"}), atom(src.name, wildArgs(src)))
	g.emit("%s@next :- %s;", atom(seen.name, []string{"N"}), atom(seen.name, []string{"N"}))
	seen.persisted = true
	at := g.newRel("at", []colKind{kNode, kInt}, true, "state")
	g.emit("%s :- %s, clk(N, T), notin %s;", atom(at.name, []string{"N", "T"}), atom(src.name, wildArgs(src)), atom(seen.name, []string{"N"}))
	late := g.newRel("late", []colKind{kNode}, true, "neg")
	g.emit("%s :- %s, T > %d;", atom(late.name, []string{"N"}), atom(at.name, []string{"N", "T"}), 2+g.r.IntN(max(g.eot-2, 1)))
	if g.chance(0.5) {
		g.persist(late)
	}
}

// heartbeat adds a heartbeat every step up to k and a suspicion when one
// does not arrive on time: a late heartbeat looks like a dead peer.
func (g *gen) heartbeat() {
	k := 1 + g.r.IntN(max(g.eot-1, 1))
	hb := g.newRel("hb", []colKind{kNode, kNode}, true, "send")
	g.emit("%s@async :- link(N, M), clk(N, T), T <= %d;", atom(hb.name, []string{"M", "N"}), k)
	sus := g.newRel("sus", []colKind{kNode, kNode}, true, "neg")
	g.emit("%s :- link(M, N), clk(N, T), T >= 2, T <= %d, notin %s;", atom(sus.name, []string{"N", "M"}), k+1, atom(hb.name, []string{"N", "M"}))
	if g.chance(0.4) {
		g.persist(sus)
	}
}

// TestGeneratedAsyncAgreeWithExhaustive compares the exact check with
// exhaustive enumeration (fault.Enumerate + eval) on 100 generated
// protocols with asynchrony bounds (seeds 1-100; -short: 40) of at most
// 3,000 schedules: same verdict, models that replay, fewest faults.
func TestGeneratedAsyncAgreeWithExhaustive(t *testing.T) {
	n := 100
	if testing.Short() {
		n = 40
	}
	st := runGeneratedCases(t, 1, n, 3000, time.Time{}, true)
	checkAsyncMix(t, st)
}

// checkAsyncMix asserts that most programs load, both verdicts occur, and
// some fewest-fault violations have an asynchrony fault.
func checkAsyncMix(t *testing.T, st *genStats) {
	t.Helper()
	t.Log(st)
	checked := st.violated + st.certified
	if st.programs == 0 || checked == 0 {
		t.Fatal("no program checked")
	}
	if loaded := float64(st.programs-st.notLoaded) / float64(st.programs); loaded < 0.8 {
		t.Errorf("only %.0f%% of the generated programs load", 100*loaded)
	}
	if st.violated == 0 || st.certified == 0 {
		t.Errorf("want both verdicts")
	}
	if st.withDelay+st.withDup+st.withPartition == 0 {
		t.Errorf("no fewest-fault violation has an asynchrony fault")
	}
}

// TestGeneratedAsyncLong is the long run with asynchrony bounds:
// LDFI_LONG=N checks N programs (LDFI_LONG=1: 20,000) from seed LDFI_SEED
// (default 1,000,000), stopping at LDFI_LONG_TIME (default 10m).
func TestGeneratedAsyncLong(t *testing.T) {
	env := os.Getenv("LDFI_LONG")
	if env == "" {
		t.Skip("set LDFI_LONG=1 (or a program count) for the long differential run")
	}
	n, err := strconv.Atoi(env)
	if err != nil || n <= 1 {
		n = 20000
	}
	from, d := longSeedAndTime(t)
	start := time.Now()
	st := runGeneratedCases(t, from, n, 5000, start.Add(d), true)
	t.Logf("seeds from %d, %s", from, time.Since(start).Round(time.Second))
	checkAsyncMix(t, st)
}

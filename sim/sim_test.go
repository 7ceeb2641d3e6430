package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
	"github.com/ldfi/ldfi/search"
)

// chatter sends to every peer at every step and records what it receives.
type chatter struct {
	got []string // "from@sent>at"
}

func (n *chatter) Start(*Context) {}
func (n *chatter) Receive(ctx *Context, m Message) {
	n.got = append(n.got, fmt.Sprintf("%s@%d>%d", m.From, m.Sent, ctx.Now()))
}
func (n *chatter) Tick(ctx *Context) {
	for _, p := range ctx.Nodes() {
		ctx.Send(p, ctx.Now()) // to itself too
	}
}

func chatterCluster() *Cluster {
	return &Cluster{Nodes: []string{"a", "b", "c"}, New: func(string) Node { return &chatter{} },
		Invariant: func(*Run) []Expectation { return nil }}
}

// Every send follows fault.Params.Fate, and every arrival it lists within
// EOT (and only those) reaches the receiver at that step.
func TestSendsFollowTheFaultRule(t *testing.T) {
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 5, EFF: 3, MaxCrashes: 1, MaxDelay: 2, Duplicates: true, MaxPartitions: 1}
	n := 0
	for s := range fault.Enumerate(p) {
		if n++; n > 4000 {
			break // the smallest schedules: every kind of fault, alone and combined
		}
		r, err := Simulate(context.Background(), chatterCluster(), p, s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{}
		for _, snd := range r.Sends {
			if f := p.Fate(s, snd.From, snd.To, snd.Sent); f != snd.Fate {
				t.Fatalf("%s: %s->%s@%d fate %+v, the rule says %+v", s, snd.From, snd.To, snd.Sent, snd.Fate, f)
			}
			for _, at := range snd.Fate.Arrivals(snd.Sent) {
				if at <= p.EOT {
					want[snd.To] = append(want[snd.To], fmt.Sprintf("%s@%d>%d", snd.From, snd.Sent, at))
				}
			}
		}
		for _, id := range r.Nodes() {
			got := slices.Clone(r.Node(id).(*chatter).got)
			slices.Sort(got)
			slices.Sort(want[id])
			if !slices.Equal(got, want[id]) {
				t.Fatalf("%s: %s received %v, the fates say %v", s, id, got, want[id])
			}
		}
	}
}

// The same schedule gives the same run byte for byte, with or without
// lineage (recording it changes nothing the nodes see).
func TestSameScheduleSameBytes(t *testing.T) {
	p := params(4, 3, 1)
	for _, text := range []string{"", "omit(a->b@1)", "crash(a@2) omit(a->c@1) omit(a->b@2)"} {
		s, err := ParseSchedule(text)
		if err != nil {
			t.Fatal(err)
		}
		var runs []string
		for _, lin := range []bool{true, true, false} {
			r, err := Simulate(context.Background(), broadcast(true), p, s, Options{Lineage: lin})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			r.Spacetime(&b)
			r.Transcript(&b)
			out := b.String()
			if !lin {
				out = stripBecause(out)
			}
			runs = append(runs, out)
		}
		if runs[0] != runs[1] {
			t.Fatalf("%q: two runs differ:\n%s\n----\n%s", text, runs[0], runs[1])
		}
		if stripBecause(runs[0]) != runs[2] {
			t.Fatalf("%q: lineage changed the run:\n%s\n----\n%s", text, runs[0], runs[2])
		}
	}
}

func stripBecause(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if i := strings.Index(l, " because {"); i >= 0 {
			l = l[:i]
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// relay: a sends to b at 1, b forwards to c, c declares; b also pings
// itself and c (narrowed to nothing) so that only the chain is the lineage.
type relay struct{}

func (relay) Start(ctx *Context) {
	if ctx.Self() == "a" {
		ctx.Send("b", "go")
	}
}
func (relay) Receive(ctx *Context, m Message) {
	switch {
	case ctx.Self() == "b" && m.Body == "go":
		ctx.Send("b", "self")
		ctx.Send("c", "fwd")
		ctx.SendBecause("c", "unrelated")
	case ctx.Self() == "b" && m.Body == "self":
		ctx.Send("c", "again") // its past: a->b@1 via the message to self
	case ctx.Self() == "c" && m.Body == "fwd":
		ctx.Outcome("got", "c")
	case ctx.Self() == "c" && m.Body == "unrelated":
		ctx.OutcomeBecause(K("free", "c"), m)
	case ctx.Self() == "c" && m.Body == "again":
		ctx.OutcomeBecause(K("again", "c"), m)
	}
}
func (relay) Tick(*Context) {}

// A message carries its sender's causal past; a message to self adds no
// event; SendBecause and OutcomeBecause narrow.
func TestCausalPast(t *testing.T) {
	c := &Cluster{Nodes: []string{"a", "b", "c"}, New: func(string) Node { return relay{} },
		Invariant: func(*Run) []Expectation { return nil }}
	r, err := Simulate(context.Background(), c, params(5, 0, 0), fault.Schedule{}, Options{Lineage: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key  Key
		want string
	}{
		{K("got", "c"), "{a->b@1 b->c@2}"},
		{K("free", "c"), "{b->c@2}"},
		{K("again", "c"), "{a->b@1 b->c@3}"},
	} {
		key, want := tc.key, tc.want
		sup := r.Support(key)
		if len(sup) != 1 || eventsText(sup[0]) != want {
			t.Errorf("support of %s: %v, want [%s]", key, sup, want)
		}
	}
	plain, err := Simulate(context.Background(), c, params(5, 0, 0), fault.Schedule{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sup := plain.Support(K("got", "c")); sup != nil {
		t.Errorf("support without lineage: %v, want none", sup)
	}
}

// For code monotone in the faults (retrying broadcast), lineage is sound:
// every schedule that keeps all the events of one support set of an
// outcome of the fault-free run keeps the outcome.
func TestLineageSoundOnMonotoneCode(t *testing.T) {
	p := params(4, 3, 1)
	free, err := Simulate(context.Background(), broadcast(true), p, fault.Schedule{}, Options{Lineage: true})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for s := range fault.Enumerate(p) {
		r, err := Simulate(context.Background(), broadcast(true), p, s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"b", "c"} {
			k := K("delivered", n, "hello")
			for _, set := range free.Support(k) {
				if !slices.ContainsFunc(set, func(e lineage.Event) bool { return p.Lost(s, e.From, e.To, e.Time) }) && !r.Holds(k) {
					t.Fatalf("%s keeps %v yet %s does not hold", s, set, k)
				}
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no schedule checked")
	}
}

func TestSearchFindsTheBroadcastBugs(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name     string
		c        *Cluster
		cfg      search.Config
		verdict  search.Verdict
		method   string
		schedule string
	}{
		{"best-effort", broadcast(false), search.Config{Params: params(4, 2, 0), Symmetry: true}, search.Counterexample, "", "omit(a->b@1)"},
		{"retry", broadcast(true), search.Config{Params: params(4, 2, 0), Symmetry: true}, search.NoCounterexample, search.MethodLineageGuided, ""},
		{"retry-crash", broadcast(true), search.Config{Params: params(4, 2, 1)}, search.Counterexample, "", "crash(a@2) omit(a->b@1)"},
		{"retry-exhaustive", broadcast(true), search.Config{Params: params(4, 2, 0), Strategy: search.Exhaustive}, search.Certified, search.MethodExhaustive, ""},
		{"best-effort-random", broadcast(false), search.Config{Params: params(4, 2, 0), Strategy: search.Random, Seed: 1}, search.Counterexample, "", ""},
	}
	for _, tc := range cases {
		res, err := Check(ctx, tc.c, tc.cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res.Verdict != tc.verdict || res.CertificateMethod != tc.method {
			t.Fatalf("%s: %s (%s), want %s (%s)", tc.name, res.Verdict, res.CertificateMethod, tc.verdict, tc.method)
		}
		if len(res.Counterexamples) == 0 {
			continue
		}
		s := res.Counterexamples[0].Schedule
		if tc.schedule != "" && s.String() != tc.schedule {
			t.Errorf("%s: counterexample %s, want %s", tc.name, s, tc.schedule)
		}
		r, err := Simulate(ctx, tc.c, tc.cfg.Params, s, Options{})
		if err != nil || !r.Violated() {
			t.Errorf("%s: replaying %s: violated %v, err %v", tc.name, s, err == nil && r.Violated(), err)
		}
	}
	if _, err := Check(ctx, broadcast(false), search.Config{Params: params(4, 2, 0), Strategy: search.Exact}); !errors.Is(err, search.ErrNoExact) {
		t.Errorf("exact strategy: %v, want ErrNoExact", err)
	}
}

// Every canonical schedule prints in a form ParseSchedule reads back.
func TestParseScheduleRoundTrip(t *testing.T) {
	p := fault.Params{Nodes: []string{"C", "a", "b"}, EOT: 4, EFF: 3, MaxCrashes: 1, MaxDelay: 2, Duplicates: true, MaxPartitions: 1}
	n := 0
	for s := range fault.Enumerate(p) {
		if n++; n > 3000 {
			break
		}
		got, err := ParseSchedule(s.String())
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got.String() != s.String() {
			t.Fatalf("%s read back as %s", s, got)
		}
	}
	for _, bad := range []string{"omit(a-b@1)", "crash(a)", "omit(a->b@x)", "delay(a->b@1)", "partition(a@1)", "lose(a->b@1)", "omit a->b@1"} {
		if _, err := ParseSchedule(bad); !errors.Is(err, fault.ErrSyntax) {
			t.Errorf("%q: %v, want a syntax error", bad, err)
		}
	}
}

type panicky struct{ chatter }

func (panicky) Tick(ctx *Context) {
	if ctx.Now() == 2 {
		panic("boom")
	}
}

type stray struct{ chatter }

func (stray) Tick(ctx *Context) { ctx.Send("nobody", 1) }

// Bad code and bad bounds are errors, never panics of the runtime.
func TestErrors(t *testing.T) {
	ctx := context.Background()
	p := params(3, 2, 0)
	inv := func(*Run) []Expectation { return nil }
	for name, c := range map[string]*Cluster{
		"panic":   {Nodes: p.Nodes, New: func(string) Node { return &panicky{} }, Invariant: inv},
		"unknown": {Nodes: p.Nodes, New: func(string) Node { return &stray{} }, Invariant: inv},
	} {
		if _, err := Simulate(ctx, c, p, fault.Schedule{}, Options{}); !errors.Is(err, ErrNode) {
			t.Errorf("%s: %v, want ErrNode", name, err)
		}
	}
	if _, err := Simulate(ctx, chatterCluster(), params(3, 2, 0), fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "b", Time: 2}}}, Options{}); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("omission at EFF: %v, want ErrInvalid", err)
	}
	other := fault.Params{Nodes: []string{"a", "b"}, EOT: 3}
	if _, err := Simulate(ctx, chatterCluster(), other, fault.Schedule{}, Options{}); err == nil {
		t.Error("bounds naming other nodes: no error")
	}
	if _, err := Simulate(ctx, &Cluster{Nodes: p.Nodes}, p, fault.Schedule{}, Options{}); err == nil {
		t.Error("cluster without New: no error")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Simulate(cancelled, chatterCluster(), p, fault.Schedule{}, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// With the asynchrony faults and no omission allowed, the search finds
// the late message that misses EOT, and the exhaustive search agrees.
func TestSearchWithAsynchronyFaults(t *testing.T) {
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 2, EFF: 2, MaxDelay: 1, Duplicates: true, OmissionsBounded: true}
	for _, strategy := range []search.Strategy{search.LDFI, search.Exhaustive} {
		res, err := Check(context.Background(), broadcast(false), search.Config{Params: p, Strategy: strategy})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != search.Counterexample || res.Counterexamples[0].Schedule.String() != "delay(a->b@1+1)" {
			t.Fatalf("%s: %s %v, want the counterexample delay(a->b@1+1)", strategy, res.Verdict, res.Counterexamples)
		}
	}
	// Retrying broadcast re-sends: a late copy is never the last.
	p.EOT = 4
	res, err := Check(context.Background(), broadcast(true), search.Config{Params: p, Strategy: search.Exhaustive})
	if err != nil || res.Verdict != search.Certified {
		t.Fatalf("retrying under delays: %v, %v", res.Verdict, err)
	}
}

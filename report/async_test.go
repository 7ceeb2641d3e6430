package report

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// The asynchrony faults in the report, on hand-made runs (the messages as
// the evaluator describes them): the JSON, the text spacetime and the
// spacetime view the page and the DOT files draw.

var asyncParams = fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 5, EFF: 4,
	MaxDelay: 2, Duplicates: true, MaxPartitions: 1}

var asyncSchedule = fault.Schedule{
	Delays:     []fault.Delay{{From: "a", To: "b", Time: 1, By: 2}, {From: "a", To: "b", Time: 3, By: 2}},
	Duplicates: []fault.Duplicate{{From: "a", To: "c", Time: 1, By: 2}},
	Partitions: []fault.Partition{{Groups: [2][]string{{"c"}, {"b", "a"}}, From: 2, To: 3}},
}

func msg(from, to string, t int, st eval.MessageStatus, delay, dup int) eval.Message {
	s := func(x string) dedalus.Value { return dedalus.Value{Type: dedalus.TypeString, Str: x} }
	return eval.Message{From: from, To: to, Rel: "log", Args: []dedalus.Value{s(to), s("x")}, SendTime: t,
		Status: st, Delay: delay, Dup: dup}
}

// asyncMessages are the messages of asyncSchedule's run, sorted as
// eval.Result.Messages sorts them.
var asyncMessages = []eval.Message{
	msg("a", "b", 1, eval.Delivered, 2, 0), // arrives at 4
	msg("a", "c", 1, eval.Delivered, 0, 2), // arrives at 2 and 4
	msg("a", "b", 2, eval.Delivered, 0, 0), // same side of the partition
	msg("a", "c", 2, eval.LostPartition, 0, 0),
	msg("a", "b", 3, eval.AfterEOT, 2, 0), // would arrive at 6
	msg("b", "c", 3, eval.LostPartition, 0, 0),
}

func TestFaultsJSONAsync(t *testing.T) {
	plain, err := JSON(Faults(fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "b", Time: 1}}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"delays", "duplicates", "partitions"} {
		if strings.Contains(string(plain), key) {
			t.Errorf("a schedule without asynchrony faults prints %q:\n%s", key, plain)
		}
	}
	data, err := JSON(Faults(asyncSchedule))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Delays     []map[string]any `json:"delays"`
		Duplicates []map[string]any `json:"duplicates"`
		Partitions []struct {
			Groups   [][]string `json:"groups"`
			From, To int
		} `json:"partitions"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Delays) != 2 || got.Delays[0]["by"] != 2.0 || got.Delays[1]["time"] != 3.0 {
		t.Errorf("delays %v", got.Delays)
	}
	if len(got.Duplicates) != 1 || got.Duplicates[0]["to"] != "c" || got.Duplicates[0]["by"] != 2.0 {
		t.Errorf("duplicates %v", got.Duplicates)
	}
	// canonical: the group with the smallest name first, each sorted
	if len(got.Partitions) != 1 || !slices.Equal(got.Partitions[0].Groups[0], []string{"a", "b"}) ||
		!slices.Equal(got.Partitions[0].Groups[1], []string{"c"}) || got.Partitions[0].From != 2 || got.Partitions[0].To != 3 {
		t.Errorf("partitions %+v\n%s", got.Partitions, data)
	}
}

func TestParamsJSONAsync(t *testing.T) {
	var j ParamsJSON
	j.asyncParams(fault.Params{Nodes: []string{"a"}, EOT: 3, EFF: 2})
	data, _ := JSON(j)
	for _, key := range []string{`"delay"`, `"duplicates"`, `"partitions"`, `"omissions"`} {
		if strings.Contains(string(data), key) {
			t.Errorf("zero asynchrony bounds print %s:\n%s", key, data)
		}
	}
	j = ParamsJSON{}
	j.asyncParams(fault.Params{MaxDelay: 2, Duplicates: true, MaxPartitions: 1, OmissionsBounded: true})
	data, _ = JSON(j)
	for _, want := range []string{`"delay": 2`, `"duplicates": true`, `"partitions": 1`, `"omissions": 0`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("bounds lack %s:\n%s", want, data)
		}
	}
	if got := (fault.Params{MaxDelay: 2, Duplicates: true, MaxPartitions: 1, OmissionsBounded: true, MaxOmissions: 3}).AsyncBounds(); got != ", delay 2, duplicates, partitions 1, omissions 3" {
		t.Errorf("AsyncBounds = %q", got)
	}
}

func TestSpacetimeTextAsync(t *testing.T) {
	var b bytes.Buffer
	spacetimeText(&b, asyncParams, asyncSchedule, asyncMessages)
	out := b.String()
	for _, re := range []string{
		// sends and their fate
		`(?m)^\s+a\s+-> b\s+log\("b","x"\)  late \+2, delivered@4$`,
		`(?m)^\s+a\s+-> c\s+log\("c","x"\)  delivered@2, duplicated, again @4$`,
		`(?m)^\s+a\s+-> c\s+log\("c","x"\)  LOST \(partition\)$`,
		`(?m)^\s+a\s+-> b\s+log\("b","x"\)  late \+2, arrives after EOT$`,
		// arrivals: the late copy and the second copy say which they are
		`(?m)^\s+b\s+<- a\s+log\("b","x"\)  \(sent@1, late \+2\)$`,
		`(?m)^\s+c\s+<- a\s+log\("c","x"\)$`,
		`(?m)^\s+c\s+<- a\s+log\("c","x"\)  \(sent@1, duplicate \+2\)$`,
		// the partition, once, at its first send time
		`(?m)^  t=2\n    PARTITION \{a,b\} \| \{c\}: messages sent at 2-3 between the groups are lost$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("spacetime lacks %s:\n%s", re, out)
		}
	}
	if n := strings.Count(out, "PARTITION"); n != 1 {
		t.Errorf("%d partition lines, want 1:\n%s", n, out)
	}
	// t=4 receives two copies: the late one and the duplicate (the one
	// sent at 3 arrives after EOT)
	t4 := out[strings.Index(out, "  t=4\n"):strings.Index(out, "  t=5\n")]
	if n := strings.Count(t4, "<-"); n != 2 {
		t.Errorf("t=4 receives %d copies, want the late one and the duplicate:\n%s", n, t4)
	}
}

// TestMsgFatePlain: without asynchrony faults the fates read as before.
func TestMsgFatePlain(t *testing.T) {
	for _, c := range []struct {
		m    eval.Message
		want string
	}{
		{msg("a", "b", 1, eval.Delivered, 0, 0), "delivered@2"},
		{msg("a", "b", 4, eval.AfterEOT, 0, 0), "(arrives after EOT)"},
		{msg("a", "b", 1, eval.LostOmission, 0, 0), "LOST (omission)"},
		{msg("a", "b", 1, eval.LostCrash, 0, 0), "LOST (sender crashed)"},
		{msg("a", "b", 1, eval.Delivered, 1, 2), "late +1, delivered@3, duplicated, again @4"},
		{msg("a", "b", 2, eval.Delivered, 0, 3), "delivered@3, duplicated, again @6 (after EOT)"},
	} {
		if got := msgFate(c.m, 4); got != c.want {
			t.Errorf("msgFate(%v) = %q, want %q", c.m, got, c.want)
		}
	}
}

func TestSpacetimeViewAsync(t *testing.T) {
	v := spacetimeOf(asyncParams, asyncSchedule, asyncMessages)
	if len(v.Arrows) != len(asyncMessages) {
		t.Fatalf("%d arrows, want %d", len(v.Arrows), len(asyncMessages))
	}
	for i, m := range asyncMessages {
		a := v.Arrows[i]
		if a.Delay != m.Delay || a.Dup != m.Dup || a.lost() != m.Lost() {
			t.Errorf("arrow %d = %+v for %v", i, a, m)
		}
	}
	if got := v.Arrows[3].Status; got != "lost-partition" {
		t.Errorf("partitioned arrow's status %q", got)
	}
	if len(v.Partitions) != 1 || v.Partitions[0].Cut != 2 || v.Partitions[0].Label != "{a,b} | {c}" {
		t.Fatalf("partitions %+v", v.Partitions)
	}
	if got := v.arrowTip(v.Arrows[1]); got != "a→c sent at 1, delivered at 2; duplicated: again at 4\nlog(\"c\",\"x\")" {
		t.Errorf("duplicate's tip %q", got)
	}
	if got := v.fate(v.Arrows[4]); got != "arrives after EOT (late +2)" {
		t.Errorf("late arrow past EOT: %q", got)
	}
	if v.lastRow() != asyncParams.EOT+1 {
		t.Errorf("last row %d, want the row after EOT", v.lastRow())
	}
	// Interleaved groups have no single cut.
	s := asyncSchedule
	s.Partitions = []fault.Partition{{Groups: [2][]string{{"a", "c"}, {"b"}}, From: 2, To: 2}}
	if pv := spacetimeOf(asyncParams, s, asyncMessages).Partitions[0]; pv.Cut != 0 || !slices.Equal(pv.Groups[0], []int{0, 2}) || !slices.Equal(pv.Groups[1], []int{1}) {
		t.Errorf("interleaved partition %+v", pv)
	}
	dot := v.dot("async")
	for _, want := range []string{
		`p0_1 -> p1_4 [constraint=false, label="log(\"b\",\"x\")\n+2"`, // the late one, to its arrival
		`p0_1 -> p2_2 [constraint=false, label="log(\"c\",\"x\")"`,     // the duplicated one's first copy
		`p0_1 -> p2_4 [constraint=false, label="dup +2"`,               // and its second
		`p0_3 -> p1_6 [constraint=false`,                               // past EOT: to the row after it
		`label="partition {a,b} | {c}\nsent 2-3: cut"`,
	} {
		if !strings.Contains(dot, want) {
			t.Errorf("DOT lacks %s:\n%s", want, dot)
		}
	}
}

// TestSpacetimeViewPlain: without asynchrony faults the view has no
// partitions, delays or duplicates, so the page's JSON stays as it was.
func TestSpacetimeViewPlain(t *testing.T) {
	p := fault.Params{Nodes: []string{"a", "b"}, EOT: 3, EFF: 2}
	v := spacetimeOf(p, fault.Schedule{}, []eval.Message{msg("a", "b", 1, eval.Delivered, 0, 0)})
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"partitions", "delay", "dup"} {
		if strings.Contains(string(data), `"`+key+`"`) {
			t.Errorf("plain view has %q: %s", key, data)
		}
	}
}

// runAsync runs asyncCase's program under its bounds and schedule s, with
// provenance when prov.
func runAsync(t *testing.T, s fault.Schedule, prov bool) *eval.Result {
	t.Helper()
	return runCase(t, asyncCase, s, prov)
}

// runCase runs c's program under its bounds and schedule s.
func runCase(t *testing.T, c reportCase, s fault.Schedule, prov bool) *eval.Result {
	t.Helper()
	prog, err := dedalus.LoadFiles(c.files...)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := eval.New(prog)
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(context.Background(), c.p, s, eval.Options{Provenance: prov})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestSpacetimeTextRun: the text spacetime of a real run with each
// asynchrony fault.
func TestSpacetimeTextRun(t *testing.T) {
	var b bytes.Buffer
	Spacetime(&b, runAsync(t, asyncCase.schedule(), false))
	out := b.String()
	for _, re := range []string{
		`(?m)^\s+a\s+-> b\s+log\("b","hello"\)  late \+2, delivered@4$`,
		`(?m)^\s+a\s+-> c\s+log\("c","hello"\)  delivered@2, duplicated, again @4$`,
		`(?m)^\s+a\s+-> c\s+log\("c","hello"\)  LOST \(partition\)$`,
		`(?m)^\s+b\s+<- a\s+log\("b","hello"\)  \(sent@1, late \+2\)$`,
		`(?m)^\s+c\s+<- a\s+log\("c","hello"\)  \(sent@1, duplicate \+2\)$`,
		`(?m)^  t=2\n    PARTITION \{a,b\} \| \{c\}: messages sent at 2-3 between the groups are lost$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("spacetime lacks %s:\n%s", re, out)
		}
	}
	if n := strings.Count(out, "LOST (partition)"); n != 2 {
		t.Errorf("%d messages lost to the partition, want a->c at 2 and 3:\n%s", n, out)
	}
}

// TestLineageLate: in the fault-free lineage of post("b","hello"), the
// delivery of a's message sent at 1 is cut as late under a delay of it,
// and as lost under an omission.
func TestLineageLate(t *testing.T) {
	free := runAsync(t, fault.Schedule{}, true)
	id, ok := free.Find("post", asyncCase.p.EOT, dedalus.Value{Type: dedalus.TypeString, Str: "b"}, dedalus.Value{Type: dedalus.TypeString, Str: "hello"})
	if !ok {
		t.Fatal("no post(\"b\",\"hello\") at EOT without faults")
	}
	g := buildLineage(free, id, `post("b","hello")`)
	for _, c := range []struct {
		s    fault.Schedule
		want string
	}{
		{fault.Schedule{Delays: []fault.Delay{{From: "a", To: "b", Time: 1, By: 2}}}, cutLate},
		{fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "b", Time: 1}}}, cutSend},
		{fault.Schedule{Duplicates: []fault.Duplicate{{From: "a", To: "b", Time: 1, By: 2}}}, ""},
	} {
		st := g.statusIn(runAsync(t, c.s, false), asyncCase.p, c.s)
		found := false
		for i, n := range g.nodes {
			if snd := n.d.Send; n.deriv && snd != nil && snd.From == "a" && snd.To == "b" && snd.Time == 1 {
				found = true
				if st.cut[i] != c.want {
					t.Errorf("%s: the delivery of a->b@1 is cut %q, want %q", c.s, st.cut[i], c.want)
				}
			}
		}
		if !found {
			t.Fatalf("the lineage has no delivery of a->b@1")
		}
	}
}

// TestCutSendsLate: the why line names the sends of an outcome's lineage
// that the schedule delays, and says whether it removes or delays them.
func TestCutSendsLate(t *testing.T) {
	free := runAsync(t, fault.Schedule{}, true)
	id, ok := free.Find("post", asyncCase.p.EOT, dedalus.Value{Type: dedalus.TypeString, Str: "b"}, dedalus.Value{Type: dedalus.TypeString, Str: "hello"})
	if !ok {
		t.Fatal("no post(\"b\",\"hello\") at EOT without faults")
	}
	late := []fault.Delay{{From: "a", To: "b", Time: 1, By: 2}}
	for _, c := range []struct {
		s    fault.Schedule
		cut  string
		verb string
	}{
		{fault.Schedule{Delays: late}, "a->b@1 (late +2)", "delays"},
		{fault.Schedule{Delays: late, Omissions: []fault.Omission{{From: "a", To: "b", Time: 2}}}, "a->b@1 (late +2), a->b@2", "removes or delays"},
		{fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "b", Time: 2}}}, "a->b@2", "removes"},
		{fault.Schedule{Duplicates: []fault.Duplicate{{From: "a", To: "b", Time: 1, By: 1}}}, "", "removes"},
	} {
		cut, verb := cutSends(free, id, c.s)
		if got := strings.Join(cut, ", "); got != c.cut || verb != c.verb {
			t.Errorf("%s: cut %q, %q; want %q, %q", c.s, got, verb, c.cut, c.verb)
		}
	}
}

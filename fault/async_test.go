package fault

import (
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestValidateParamsAsync(t *testing.T) {
	ok := Params{Nodes: nodes(3), EOT: 4, EFF: 3}
	for _, c := range []struct {
		name  string
		edit  func(*Params)
		field string // "" = valid
	}{
		{"all off", func(*Params) {}, ""},
		{"delay", func(p *Params) { p.MaxDelay = 2 }, ""},
		{"negative delay", func(p *Params) { p.MaxDelay = -1 }, "MaxDelay"},
		{"duplicates without delay", func(p *Params) { p.Duplicates = true }, "Duplicates"},
		{"duplicates with delay", func(p *Params) { p.Duplicates, p.MaxDelay = true, 1 }, ""},
		{"negative partitions", func(p *Params) { p.MaxPartitions = -1 }, "MaxPartitions"},
		{"partitions", func(p *Params) { p.MaxPartitions = 2 }, ""},
		{"partition of one node", func(p *Params) { p.Nodes, p.MaxPartitions = nodes(1), 1 }, "MaxPartitions"},
		{"negative budget", func(p *Params) { p.OmissionsBounded, p.MaxOmissions = true, -1 }, "MaxOmissions"},
		{"zero budget", func(p *Params) { p.OmissionsBounded = true }, ""},
		{"unbounded ignores MaxOmissions", func(p *Params) { p.MaxOmissions = -1 }, ""},
	} {
		p := ok
		c.edit(&p)
		err := p.Validate()
		var pe *ParamError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (!errors.As(err, &pe) || pe.Field != c.field):
			t.Errorf("%s: error %v, want a ParamError on %s", c.name, err, c.field)
		}
	}
}

func TestValidateScheduleAsync(t *testing.T) {
	p := Params{Nodes: nodes(3), EOT: 5, EFF: 4, MaxCrashes: 1, MaxDelay: 2, Duplicates: true,
		MaxPartitions: 2, OmissionsBounded: true, MaxOmissions: 1}
	noDups := p
	noDups.Duplicates = false
	noDelay := Params{Nodes: nodes(3), EOT: 5, EFF: 4}
	dl := func(f, to string, tm, by int) Delay { return Delay{f, to, tm, by} }
	dp := func(f, to string, tm, by int) Duplicate { return Duplicate{f, to, tm, by} }
	pt := func(g0, g1 string, from, to int) Partition {
		return Partition{Groups: [2][]string{strings.Split(g0, ","), strings.Split(g1, ",")}, From: from, To: to}
	}
	om := Omission{"a", "b", 1}
	for _, c := range []struct {
		p    Params
		s    Schedule
		want string // "" = valid
	}{
		{p, Schedule{Delays: []Delay{dl("a", "b", 1, 2)}, Duplicates: []Duplicate{dp("a", "b", 1, 1)}}, ""},
		{p, Schedule{Partitions: []Partition{pt("c", "b,a", 1, 3), pt("a", "b,c", 2, 2)}, Omissions: []Omission{om}}, ""},
		{p, Schedule{Crashes: []Crash{{"a", 1}}, Delays: []Delay{dl("a", "b", 2, 1)}}, ""}, // Canonical drops it
		{p, Schedule{Delays: []Delay{dl("x", "b", 1, 1)}}, `delay(x->b@1+1): unknown node "x"`},
		{p, Schedule{Delays: []Delay{dl("a", "x", 1, 1)}}, `unknown node "x"`},
		{p, Schedule{Delays: []Delay{dl("a", "a", 1, 1)}}, "messages to itself are never late"},
		{p, Schedule{Delays: []Delay{dl("a", "b", 0, 1)}}, "time must be at least 1"},
		{p, Schedule{Delays: []Delay{dl("a", "b", 4, 1)}}, "need send time < EFF (4)"},
		{noDelay, Schedule{Delays: []Delay{dl("a", "b", 1, 1)}}, "delays are not enabled"},
		{p, Schedule{Delays: []Delay{dl("a", "b", 1, 0)}}, "within 1..2"},
		{p, Schedule{Delays: []Delay{dl("a", "b", 1, 3)}}, "within 1..2"},
		{p, Schedule{Omissions: []Omission{om}, Delays: []Delay{dl("a", "b", 1, 1)}}, "also omitted"},
		{p, Schedule{Delays: []Delay{dl("a", "b", 1, 1), dl("a", "b", 1, 2)}}, "delayed twice"},
		{p, Schedule{Duplicates: []Duplicate{dp("a", "a", 1, 1)}}, "dup(a->a@1+1): a node's messages to itself"},
		{p, Schedule{Duplicates: []Duplicate{dp("a", "b", 1, 3)}}, "within 1..2"},
		{noDups, Schedule{Duplicates: []Duplicate{dp("a", "b", 1, 1)}}, "duplicates are not enabled"},
		{p, Schedule{Omissions: []Omission{om}, Duplicates: []Duplicate{dp("a", "b", 1, 1)}}, "also omitted"},
		{p, Schedule{Duplicates: []Duplicate{dp("a", "b", 1, 1), dp("a", "b", 1, 2)}}, "duplicated twice"},
		{p, Schedule{Delays: []Delay{dl("a", "b", 1, 2)}, Duplicates: []Duplicate{dp("a", "b", 1, 2)}}, "no second arrival"},
		{p, Schedule{Partitions: []Partition{pt("a", "b,c", 1, 1), pt("b", "a,c", 1, 1), pt("c", "a,b", 1, 1)}}, "3 partitions exceed the partition budget 2"},
		{p, Schedule{Partitions: []Partition{{Groups: [2][]string{nil, {"a", "b", "c"}}, From: 1, To: 1}}}, "both groups must be non-empty"},
		{p, Schedule{Partitions: []Partition{pt("a", "b,x", 1, 1)}}, `unknown node "x"`},
		{p, Schedule{Partitions: []Partition{pt("a,b", "b,c", 1, 1)}}, `node "b" is listed twice`},
		{p, Schedule{Partitions: []Partition{pt("a", "b", 1, 1)}}, `node "c" is in neither group`},
		{p, Schedule{Partitions: []Partition{pt("a", "b,c", 0, 1)}}, "times must be at least 1"},
		{p, Schedule{Partitions: []Partition{pt("a", "b,c", 3, 2)}}, "ends before it starts"},
		{p, Schedule{Partitions: []Partition{pt("a", "b,c", 2, 4)}}, "send times < EFF (4)"},
		{p, Schedule{Omissions: []Omission{om, {"b", "a", 1}}}, "2 omissions exceed the omission budget 1"},
		{noDelay, Schedule{Omissions: []Omission{om, {"b", "a", 1}}}, ""}, // no budget
	} {
		err := c.p.ValidateSchedule(c.s)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: %v", c.s.Faults(), err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrInvalid)):
			t.Errorf("%v: error %v, want one containing %q", c.s.Faults(), err, c.want)
		}
	}
}

func TestCanonicalAsync(t *testing.T) {
	pt := func(g0, g1 string, from, to int) Partition {
		return Partition{Groups: [2][]string{strings.Split(g0, ","), strings.Split(g1, ",")}, From: from, To: to}
	}
	for _, c := range []struct {
		name string
		s    Schedule
		want string
	}{
		{"groups sorted, smallest first", Schedule{Partitions: []Partition{pt("c", "b,a", 1, 2)}}, "partition(a,b|c@1-2)"},
		{"overlapping merged", Schedule{Partitions: []Partition{pt("a", "b,c", 2, 3), pt("c,b", "a", 1, 2)}}, "partition(a|b,c@1-3)"},
		{"adjacent merged", Schedule{Partitions: []Partition{pt("a", "b,c", 1, 1), pt("a", "b,c", 2, 3)}}, "partition(a|b,c@1-3)"},
		{"contained merged", Schedule{Partitions: []Partition{pt("a", "b,c", 1, 4), pt("a", "b,c", 2, 3)}}, "partition(a|b,c@1-4)"},
		{"gap kept", Schedule{Partitions: []Partition{pt("a", "b,c", 3, 3), pt("a", "b,c", 1, 1)}}, "partition(a|b,c@1) partition(a|b,c@3)"},
		{"other split kept", Schedule{Partitions: []Partition{pt("b", "a,c", 1, 1), pt("a", "b,c", 1, 1)}}, "partition(a,c|b@1) partition(a|b,c@1)"},
		{"omission cut dropped, both ways", Schedule{
			Omissions:  []Omission{{"a", "b", 2}, {"b", "a", 2}, {"b", "c", 2}, {"a", "b", 3}},
			Partitions: []Partition{pt("a", "b,c", 1, 2)},
		}, "omit(a->b@3) omit(b->c@2) partition(a|b,c@1-2)"},
		{"omission cut by a merged partition", Schedule{
			Omissions:  []Omission{{"a", "b", 2}},
			Partitions: []Partition{pt("a", "b,c", 1, 1), pt("a", "b,c", 2, 2)},
		}, "partition(a|b,c@1-2)"},
		{"delay and dup of a crashed sender dropped", Schedule{
			Crashes:    []Crash{{"a", 2}},
			Delays:     []Delay{{"a", "b", 2, 1}, {"a", "b", 1, 1}, {"a", "c", 3, 1}},
			Duplicates: []Duplicate{{"a", "b", 2, 1}, {"a", "c", 1, 2}},
		}, "crash(a@2) delay(a->b@1+1) dup(a->c@1+2)"},
		{"delay and dup of a cut message dropped", Schedule{
			Partitions: []Partition{pt("a,b", "c", 2, 2)},
			Delays:     []Delay{{"a", "c", 2, 1}, {"a", "b", 2, 1}, {"c", "a", 1, 1}},
			Duplicates: []Duplicate{{"c", "b", 2, 1}},
		}, "partition(a,b|c@2) delay(a->b@2+1) delay(c->a@1+1)"},
		{"copies ordered", Schedule{
			Delays:     []Delay{{"a", "b", 1, 3}, {"b", "a", 1, 1}},
			Duplicates: []Duplicate{{"a", "b", 1, 1}, {"b", "a", 1, 2}},
		}, "delay(a->b@1+1) delay(b->a@1+1) dup(a->b@1+3) dup(b->a@1+2)"},
		{"sorted and deduplicated", Schedule{
			Delays:     []Delay{{"b", "a", 1, 1}, {"a", "b", 2, 1}, {"a", "b", 1, 2}, {"a", "b", 2, 1}},
			Duplicates: []Duplicate{{"b", "a", 3, 1}, {"a", "c", 1, 1}, {"b", "a", 3, 1}},
		}, "delay(a->b@1+2) delay(a->b@2+1) delay(b->a@1+1) dup(a->c@1+1) dup(b->a@3+1)"},
	} {
		before := strings.Join(c.s.Faults(), " ")
		got := c.s.Canonical()
		if g := strings.Join(got.Faults(), " "); g != c.want {
			t.Errorf("%s: Canonical = %s, want %s", c.name, g, c.want)
		}
		if again := got.Canonical(); !reflect.DeepEqual(again, got) {
			t.Errorf("%s: not idempotent: %v then %v", c.name, got.Faults(), again.Faults())
		}
		if after := strings.Join(c.s.Faults(), " "); after != before {
			t.Errorf("%s: Canonical changed its input: %s became %s", c.name, before, after)
		}
	}
}

// Params.Fate is the one rule: crash, then partition, then omission remove
// a message; delays and duplicates apply only to messages a fault can
// touch; messages to self are never touched.
func TestFate(t *testing.T) {
	p := Params{Nodes: nodes(3), EOT: 6, EFF: 4, MaxCrashes: 1, MaxDelay: 2, Duplicates: true, MaxPartitions: 1}
	part := Partition{Groups: [2][]string{{"a"}, {"b", "c"}}, From: 2, To: 3}
	s := Schedule{
		Crashes:    []Crash{{"c", 3}},
		Omissions:  []Omission{{"c", "a", 3}, {"b", "a", 2}, {"b", "c", 1}, {"a", "a", 1}},
		Partitions: []Partition{part},
		Delays:     []Delay{{"a", "b", 1, 2}, {"b", "c", 2, 1}, {"a", "a", 1, 1}, {"a", "c", 4, 1}, {"c", "b", 2, 2}, {"a", "x", 1, 1}},
		Duplicates: []Duplicate{{"a", "b", 1, 1}, {"c", "b", 1, 2}, {"b", "c", 2, 2}, {"a", "c", 2, 1}},
	}
	for _, c := range []struct {
		from, to string
		t        int
		want     Fate
	}{
		{"c", "a", 3, Fate{Cause: Crashed}},     // crash, partition and omission
		{"c", "a", 2, Fate{Cause: Partitioned}}, // partition, before the crash
		{"b", "a", 2, Fate{Cause: Partitioned}}, // partition and omission
		{"b", "c", 1, Fate{Cause: Omitted}},
		{"a", "c", 2, Fate{Cause: Partitioned}}, // its duplicate does not bring it back
		{"a", "b", 1, Fate{Delay: 2, Dup: 1}},   // the order given (Canonical swaps)
		{"b", "c", 2, Fate{Delay: 1, Dup: 2}},   // same side of the partition
		{"c", "b", 2, Fate{Delay: 2}},           // before the crash
		{"c", "b", 1, Fate{Dup: 2}},             // duplicate only
		{"c", "b", 3, Fate{Cause: Crashed}},     // at the crash
		{"a", "a", 1, Fate{}},                   // to self: not omitted, not late
		{"a", "c", 4, Fate{}},                   // t >= EFF: not late
		{"a", "x", 1, Fate{}},                   // to a non-node: not late
		{"x", "a", 2, Fate{}},                   // from a non-node: not cut
		{"b", "b", 2, Fate{}},                   // to self inside the partition
		{"a", "b", 5, Fate{}},                   // after the partition
	} {
		got := p.Fate(s, c.from, c.to, c.t)
		if got != c.want {
			t.Errorf("%s->%s@%d: %+v, want %+v", c.from, c.to, c.t, got, c.want)
		}
		if r := p.Removes(s, c.from, c.to, c.t); r != c.want.Cause {
			t.Errorf("%s->%s@%d: Removes %v, want %v", c.from, c.to, c.t, r, c.want.Cause)
		}
		if l := p.Lost(s, c.from, c.to, c.t); l != (c.want.Cause != Kept) {
			t.Errorf("%s->%s@%d: Lost %v", c.from, c.to, c.t, l)
		}
	}
	// Negative delays read as none.
	if f := p.RemovedBy("a", "b", 1).Fate(0, false, false, -1, -2); f != (Fate{}) {
		t.Errorf("negative delays: %+v", f)
	}
	// A partition does not remove what cannot be omitted (t >= EFF).
	if f := p.RemovedBy("a", "b", 4).Fate(0, false, true, 1, 0); f != (Fate{}) {
		t.Errorf("cut at t >= EFF: %+v", f)
	}
}

func TestArrivalsAndDelivers(t *testing.T) {
	for _, c := range []struct {
		f    Fate
		want []int
	}{
		{Fate{}, []int{4}},
		{Fate{Delay: 2}, []int{6}},
		{Fate{Dup: 1}, []int{4, 5}},
		{Fate{Delay: 1, Dup: 2}, []int{5, 6}},
		{Fate{Delay: 2, Dup: 1}, []int{5, 6}},
		{Fate{Delay: 2, Dup: 2}, []int{6}},
		{Fate{Cause: Omitted, Delay: 1}, nil},
		{Fate{Cause: Crashed}, nil},
		{Fate{Cause: Partitioned}, nil},
	} {
		if got := c.f.Arrivals(3); !slices.Equal(got, c.want) {
			t.Errorf("%+v.Arrivals(3) = %v, want %v", c.f, got, c.want)
		}
	}
	p := Params{Nodes: nodes(2), EOT: 3, EFF: 2, MaxDelay: 3, Duplicates: true}
	s := Schedule{Delays: []Delay{{"a", "b", 1, 3}}, Duplicates: []Duplicate{{"a", "b", 1, 1}}}
	for at := 0; at <= 6; at++ {
		// Arrivals after EOT are reported: the caller bounds time.
		want := at == 3 || at == 5
		if got := p.Delivers(s, "a", "b", 1, at); got != want {
			t.Errorf("a->b@1 delivered at %d: %v, want %v", at, got, want)
		}
		if got := p.Delivers(s, "b", "a", 1, at); got != (at == 2) {
			t.Errorf("b->a@1 delivered at %d: %v", at, got)
		}
	}
}

func TestParseAsync(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "a,b,1,2", want: "delay(a->b@1+2)"},
		{in: " a , b , 10 , 3 ", want: "delay(a->b@10+3)"},
		{in: "a,b,1", err: `delay "a,b,1": want from,to,time,by`},
		{in: "a,b,1,2,3", err: "want from,to,time,by"},
		{in: "a,,1,2", err: "empty node name"},
		{in: "a,b,0,2", err: "time must be at least 1"},
		{in: "a,b,x,2", err: `time "x" is not an integer`},
		{in: "a,b,1,0", err: `the delay "0" must be an integer of at least 1`},
		{in: "a,b,1,y", err: `the delay "y"`},
	} {
		d, err := ParseDelay(tc.in)
		checkParse(t, tc.in, d.String(), err, tc.want, tc.err)
		u, err := ParseDuplicate(tc.in)
		checkParse(t, tc.in, u.String(), err, strings.Replace(tc.want, "delay(", "dup(", 1), strings.Replace(tc.err, `delay "a`, `duplicate "a`, 1))
	}
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "a,b|c@2-4", want: "partition(a,b|c@2-4)"},
		{in: "a|b,c@3", want: "partition(a|b,c@3)"}, {in: "a|b,c@3-3", want: "partition(a|b,c@3)"},
		{in: " a , b | c @ 2 - 4", want: "partition(a,b|c@2-4)"},
		{in: "c|b,a@1-1", want: "partition(c|b,a@1)"}, // syntax only: not canonical
		{in: "a,b|c", err: "want groups@interval"},
		{in: "a,b,c@1", err: "want two groups separated by |"},
		{in: "a|b|c@1", err: "want two groups separated by |"},
		{in: "|b@1", err: "empty node name"},
		{in: "a,|b@1", err: "empty node name"},
		{in: "a|b@x", err: `time "x" is not an integer`},
		{in: "a|b@0", err: "time must be at least 1"},
		{in: "a|b@2-", err: `time "" is not an integer`},
		{in: "a|b@1-2@3", err: "is not an integer"},
	} {
		x, err := ParsePartition(tc.in)
		checkParse(t, tc.in, x.String(), err, tc.want, tc.err)
	}
}

// Printing a fault in its command-line form and parsing it gives it back.
func TestParseRoundTrip(t *testing.T) {
	for _, d := range []Delay{{"a", "b", 1, 1}, {"n1", "m2", 12, 7}} {
		cli := strings.Join([]string{d.From, d.To, itoa(d.Time), itoa(d.By)}, ",")
		if got, err := ParseDelay(cli); err != nil || got != d {
			t.Errorf("ParseDelay(%q) = %v, %v", cli, got, err)
		}
		u := Duplicate(d)
		if got, err := ParseDuplicate(cli); err != nil || got != u {
			t.Errorf("ParseDuplicate(%q) = %v, %v", cli, got, err)
		}
	}
	for _, x := range []Partition{
		{Groups: [2][]string{{"a", "b"}, {"c"}}, From: 2, To: 4},
		{Groups: [2][]string{{"n1"}, {"m2", "x"}}, From: 10, To: 10},
	} {
		// String is "partition(<cli form>)".
		cli := strings.TrimSuffix(strings.TrimPrefix(x.String(), "partition("), ")")
		got, err := ParsePartition(cli)
		if err != nil || !reflect.DeepEqual(got, x) {
			t.Errorf("ParsePartition(%q) = %v, %v; want %v", cli, got, err, x)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestFaultsWithoutRename(t *testing.T) {
	s := Schedule{
		Crashes:    []Crash{{"c", 3}},
		Omissions:  []Omission{{"a", "b", 1}},
		Partitions: []Partition{{Groups: [2][]string{{"a"}, {"b", "c"}}, From: 2, To: 2}},
		Delays:     []Delay{{"b", "c", 1, 1}},
		Duplicates: []Duplicate{{"b", "c", 1, 2}, {"c", "a", 1, 1}},
	}
	faults := s.Faults()
	want := []string{"crash(c@3)", "omit(a->b@1)", "partition(a|b,c@2)", "delay(b->c@1+1)", "dup(b->c@1+2)", "dup(c->a@1+1)"}
	if !slices.Equal(faults, want) {
		t.Fatalf("Faults = %v, want %v", faults, want)
	}
	if got := s.String(); got != strings.Join(want, " ") {
		t.Errorf("String = %s", got)
	}
	for i := range faults {
		w := s.Without(i)
		rest := slices.Delete(slices.Clone(faults), i, i+1)
		if got := w.Faults(); !slices.Equal(got, rest) || w.Size() != s.Size()-1 {
			t.Errorf("Without(%d) = %v, want %v", i, got, rest)
		}
	}
	if got := s.Without(len(faults)).Faults(); !slices.Equal(got, faults) {
		t.Errorf("Without(out of range) = %v", got)
	}
	if got := s.Without(-1).Faults(); !slices.Equal(got, faults) {
		t.Errorf("Without(-1) = %v", got)
	}
	// a <-> c: the partition's groups are renamed, then put in canonical order.
	swap := map[string]string{"a": "c", "b": "b", "c": "a"}
	r := s.Rename(func(n string) string { return swap[n] })
	wantR := "crash(a@3) omit(c->b@1) partition(a,b|c@2) delay(b->a@1+1) dup(a->c@1+1) dup(b->a@1+2)"
	if got := strings.Join(r.Faults(), " "); got != wantR {
		t.Errorf("Rename = %s, want %s", got, wantR)
	}
	if back := r.Rename(func(n string) string { return swap[n] }); back.String() != s.String() {
		t.Errorf("Rename twice = %s, want %s", back, s)
	}
}

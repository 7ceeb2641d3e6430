package eval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// parseFaults reads a schedule written as space-separated kind=value
// faults in the command-line forms: omit=a,b,1 crash=a,2 delay=a,b,1,2
// dup=a,b,1,2 partition=a|b@1-2.
func parseFaults(t *testing.T, text string) fault.Schedule {
	t.Helper()
	var s fault.Schedule
	for _, f := range strings.Fields(text) {
		k, v, _ := strings.Cut(f, "=")
		var err error
		switch k {
		case "omit":
			var o fault.Omission
			o, err = fault.ParseOmission(v)
			s.Omissions = append(s.Omissions, o)
		case "crash":
			var c fault.Crash
			c, err = fault.ParseCrash(v)
			s.Crashes = append(s.Crashes, c)
		case "delay":
			var d fault.Delay
			d, err = fault.ParseDelay(v)
			s.Delays = append(s.Delays, d)
		case "dup":
			var d fault.Duplicate
			d, err = fault.ParseDuplicate(v)
			s.Duplicates = append(s.Duplicates, d)
		case "partition":
			var x fault.Partition
			x, err = fault.ParsePartition(v)
			s.Partitions = append(s.Partitions, x)
		default:
			err = fmt.Errorf("unknown fault kind %q", k)
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	return s
}

func loadAsync(t testing.TB, file string) *Engine {
	t.Helper()
	prog, err := dedalus.LoadFiles("testdata/async/" + file)
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(prog)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// runLines runs e and prints the tuples of rel and every message.
func runLines(t *testing.T, e *Engine, p fault.Params, s fault.Schedule, rel string) []string {
	t.Helper()
	res, err := e.Run(context.Background(), p, s, Options{Provenance: true})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var out []string
	for _, tab := range res.Tables() {
		if tab.Rel != rel {
			continue
		}
		for _, row := range tab.Rows {
			out = append(out, Tuple{Rel: rel, Time: row.Time, Args: row.Args}.String())
		}
	}
	for _, m := range res.Messages() {
		out = append(out, m.String())
	}
	return out
}

// TestAsyncDelivery: each message arrives when its fate says, written out
// by hand for small programs.
func TestAsyncDelivery(t *testing.T) {
	ab := []string{"a", "b"}
	// send.ded: a->b x@1, a->b y@2, b->a z@1; got holds at each arrival.
	send := fault.Params{Nodes: ab, EOT: 5, EFF: 4, MaxCrashes: 1, MaxDelay: 3, Duplicates: true, MaxPartitions: 2}
	short := send
	short.EOT, short.EFF = 3, 3
	const (
		x = `a->b got("b","a","x") sent@1 `
		y = `a->b got("b","a","y") sent@2 `
		z = `b->a got("a","b","z") sent@1 `
	)
	gx, gy, gz := `got("b","a","x")@`, `got("b","a","y")@`, `got("a","b","z")@`
	cases := []struct {
		name   string
		file   string
		p      fault.Params
		faults string
		rel    string
		want   []string
	}{
		{"on time", "send.ded", send, "", "got",
			[]string{gx + "2", gz + "2", gy + "3", x + "delivered@2", z + "delivered@2", y + "delivered@3"}},
		{"delay reorders x after y", "send.ded", send, "delay=a,b,1,2", "got",
			[]string{gz + "2", gy + "3", gx + "4", x + "delivered@4 (+2)", z + "delivered@2", y + "delivered@3"}},
		{"delay by the maximum", "send.ded", send, "delay=b,a,1,3", "got",
			[]string{gx + "2", gy + "3", gz + "5", x + "delivered@2", z + "delivered@5 (+3)", y + "delivered@3"}},
		{"delay past EOT", "send.ded", short, "delay=a,b,1,2", "got",
			[]string{gz + "2", gy + "3", x + "after EOT (+2)", z + "delivered@2", y + "delivered@3"}},
		{"duplicate", "send.ded", send, "dup=a,b,1,2", "got",
			[]string{gx + "2", gz + "2", gy + "3", gx + "4", x + "delivered@2 and @4 (dup +2)", z + "delivered@2", y + "delivered@3"}},
		{"delay and duplicate", "send.ded", send, "delay=a,b,1,1 dup=a,b,1,3", "got",
			[]string{gz + "2", gx + "3", gy + "3", gx + "5", x + "delivered@3 (+1) and @5 (dup +3)", z + "delivered@2", y + "delivered@3"}},
		{"duplicate past EOT", "send.ded", short, "dup=a,b,1,2", "got",
			[]string{gx + "2", gz + "2", gy + "3", x + "delivered@2 and after EOT (dup +2)", z + "delivered@2", y + "delivered@3"}},
		{"both copies past EOT", "send.ded", short, "delay=a,b,2,1 dup=a,b,2,2", "got",
			[]string{gx + "2", gz + "2", x + "delivered@2", z + "delivered@2", y + "after EOT (+1, dup +2)"}},
		{"partition cuts both directions", "send.ded", send, "partition=a|b@1", "got",
			[]string{gy + "3", x + "lost (partition)", z + "lost (partition)", y + "delivered@3"}},
		{"partition interval excludes its neighbours", "send.ded", send, "partition=b|a@2-3", "got",
			[]string{gx + "2", gz + "2", x + "delivered@2", z + "delivered@2", y + "lost (partition)"}},
		{"partition interval includes both bounds", "send.ded", send, "partition=a|b@1-2", "got",
			[]string{x + "lost (partition)", z + "lost (partition)", y + "lost (partition)"}},
		{"delay outside the partition", "send.ded", send, "partition=a|b@2 delay=a,b,1,1", "got",
			[]string{gz + "2", gx + "3", x + "delivered@3 (+1)", z + "delivered@2", y + "lost (partition)"}},
		{"crash after a delayed send", "send.ded", send, "crash=a,2 delay=a,b,1,3", "got",
			[]string{gz + "2", gx + "5", x + "delivered@5 (+3)", z + "delivered@2", y + "lost (crash)"}},
		{"crash at the delayed send", "send.ded", send, "crash=a,1 delay=a,b,1,3", "got",
			[]string{gz + "2", x + "lost (crash)", z + "delivered@2", y + "lost (crash)"}},
		{"omission and delay", "send.ded", send, "omit=a,b,2 delay=a,b,1,1", "got",
			[]string{gz + "2", gx + "3", x + "delivered@3 (+1)", z + "delivered@2", y + "lost (omission)"}},
		// counter.ded: b counts the timesteps with an arrival.
		{"counter on time", "counter.ded", send, "", "cnt",
			cnts(0, 0, 1, 1, 1)},
		{"counter delayed", "counter.ded", send, "delay=a,b,1,2", "cnt",
			cnts(0, 0, 0, 0, 1)},
		{"counter duplicate counts twice", "counter.ded", send, "dup=a,b,1,2", "cnt",
			cnts(0, 0, 1, 1, 2)},
		{"counter duplicate past EOT counts once", "counter.ded", send, "dup=a,b,1,3", "cnt",
			cnts(0, 0, 1, 1, 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runLines(t, loadAsync(t, c.file), c.p, parseFaults(t, c.faults), c.rel)
			if c.rel == "cnt" {
				got = slices.DeleteFunc(got, func(l string) bool { return !strings.HasPrefix(l, "cnt") })
			}
			want := slices.Clone(c.want)
			if c.rel == "got" {
				// Tables list tuples by time then columns; the cases list
				// them by time only.
				sortTupleLines(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// cnts is the cnt("b",C) tuples at times 1, 2, ...
func cnts(cs ...int) []string {
	var out []string
	for i, c := range cs {
		out = append(out, fmt.Sprintf(`cnt("b",%d)@%d`, c, i+1))
	}
	return out
}

// sortTupleLines sorts the tuple lines (those before the first message
// line, which has a space) by time, then text.
func sortTupleLines(lines []string) {
	n := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, " ") })
	if n < 0 {
		n = len(lines)
	}
	slices.SortStableFunc(lines[:n], func(a, b string) int {
		ta, tb := a[strings.LastIndexByte(a, '@'):], b[strings.LastIndexByte(b, '@'):]
		if c := len(ta) - len(tb); c != 0 {
			return c
		}
		if c := strings.Compare(ta, tb); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
}

// TestAsyncProvenance: a tuple made by a late copy has a derivation with
// the send event (sent at the send time, At its arrival); the lineage of a
// later tuple names the send once although both copies fed it.
func TestAsyncProvenance(t *testing.T) {
	e := loadAsync(t, "counter.ded")
	p := fault.Params{Nodes: []string{"a", "b"}, EOT: 5, EFF: 2, MaxDelay: 2, Duplicates: true}
	res, err := e.Run(context.Background(), p, parseFaults(t, "dup=a,b,1,2"), Options{Provenance: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{2, 4} {
		id, ok := res.Find("got", at, sv("b"), sv("a"), sv("x"))
		if !ok {
			t.Fatalf("got@%d does not hold", at)
		}
		ds := res.Derivations(id)
		if len(ds) != 1 || ds[0].Send == nil {
			t.Fatalf("got@%d: derivations %+v", at, ds)
		}
		want := SendEvent{From: "a", To: "b", Time: 1, At: at}
		if *ds[0].Send != want {
			t.Errorf("got@%d: send %+v, want %+v", at, *ds[0].Send, want)
		}
		if len(ds[0].Body) != 1 || res.Tuple(ds[0].Body[0]).String() != `send("a","b","x")@1` {
			t.Errorf("got@%d: body %v", at, ds[0].Body)
		}
	}
	id, ok := res.Find("cnt", 5, sv("b"), iv(2))
	if !ok {
		t.Fatal(`cnt("b",2)@5 does not hold`)
	}
	if s := res.Sends(id); len(s) != 1 || s[0] != (SendEvent{From: "a", To: "b", Time: 1}) {
		t.Errorf("sends of cnt@5: %v", s)
	}
}

// TestAsyncTupleLimit: tuples derived ahead, at a late copy's arrival,
// count against Options.MaxTuples like any other.
func TestAsyncTupleLimit(t *testing.T) {
	e := loadAsync(t, "send.ded")
	p := fault.Params{Nodes: []string{"a", "b"}, EOT: 5, EFF: 4, MaxDelay: 3, Duplicates: true}
	ctx := context.Background()
	count := func(s fault.Schedule) int {
		res, err := e.Run(ctx, p, s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res.NumTuples() + res.NumMessages()
	}
	onTime := parseFaults(t, "delay=a,b,1,1")
	dup := parseFaults(t, "delay=a,b,1,1 dup=a,b,1,3")
	n := count(onTime)
	if count(dup) != n+1 {
		t.Fatalf("the duplicate adds %d tuples, want 1", count(dup)-n)
	}
	if _, err := e.Run(ctx, p, onTime, Options{MaxTuples: n}); err != nil {
		t.Fatalf("limit %d: %v", n, err)
	}
	if _, err := e.Run(ctx, p, dup, Options{MaxTuples: n}); !errors.Is(err, ErrTupleLimit) {
		t.Fatalf("limit %d with the duplicate: err %v, want ErrTupleLimit", n, err)
	}
}

// TestMessageString: the forms of a late message's fate, also for a
// Message built by hand (no EOT known: every copy is shown as arriving).
func TestMessageString(t *testing.T) {
	base := Message{From: "a", To: "b", Rel: "m", Args: []dedalus.Value{sv("b")}, SendTime: 1}
	pre := `a->b m("b") sent@1 `
	cases := []struct {
		m    Message
		want string
	}{
		{Message{Status: Delivered}, "delivered@2"},
		{Message{Status: AfterEOT}, "after EOT"},
		{Message{Status: LostPartition}, "lost (partition)"},
		{Message{Status: Delivered, Delay: 2}, "delivered@4 (+2)"},
		{Message{Status: Delivered, Dup: 2}, "delivered@2 and @4 (dup +2)"},
		{Message{Status: Delivered, Delay: 3, Dup: 1}, "delivered@3 (dup +1) and @5 (+3)"},
		{Message{Status: Delivered, Delay: 1, Dup: 3, eot: 4}, "delivered@3 (+1) and after EOT (dup +3)"},
		{Message{Status: Delivered, Delay: 1, Dup: 3}, "delivered@3 (+1) and @5 (dup +3)"},
		{Message{Status: AfterEOT, Delay: 2, eot: 3}, "after EOT (+2)"},
		{Message{Status: AfterEOT, Dup: 3, eot: 1}, "after EOT (dup +3)"},
		{Message{Status: AfterEOT, Delay: 1, Dup: 2, eot: 2}, "after EOT (+1, dup +2)"},
	}
	for _, c := range cases {
		m := base
		m.Status, m.Delay, m.Dup, m.eot = c.m.Status, c.m.Delay, c.m.Dup, c.m.eot
		if got := m.String(); got != pre+c.want {
			t.Errorf("%+v: %q, want %q", c.m, got, pre+c.want)
		}
	}
}

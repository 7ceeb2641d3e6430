package fault

import "testing"

// RemovedBy and Cause are the one rule of what a schedule removes; Lost
// and Removes apply it to a Schedule.
func TestRemovalRule(t *testing.T) {
	p := Params{Nodes: []string{"a", "b", "c"}, EOT: 5, EFF: 3, MaxCrashes: 1}
	omitAB1 := Schedule{Omissions: []Omission{{From: "a", To: "b", Time: 1}}}
	crashA2 := Schedule{Crashes: []Crash{{Node: "a", Time: 2}}}
	both := Schedule{Omissions: []Omission{{From: "a", To: "b", Time: 2}}, Crashes: []Crash{{Node: "a", Time: 2}}}
	for _, c := range []struct {
		s        Schedule
		from, to string
		t        int
		want     Cause
	}{
		{Schedule{}, "a", "b", 1, Kept},
		{omitAB1, "a", "b", 1, Omitted},
		{omitAB1, "a", "b", 2, Kept},    // another send time
		{omitAB1, "b", "a", 1, Kept},    // the other direction
		{omitAB1, "a", "a", 1, Kept},    // messages to self are never lost
		{crashA2, "a", "b", 1, Kept},    // sent before the crash
		{crashA2, "a", "b", 2, Crashed}, // at the crash time
		{crashA2, "a", "c", 4, Crashed}, // after it, even at t >= EFF
		{crashA2, "a", "x", 4, Crashed}, // to a value outside the node set
		{crashA2, "a", "a", 4, Kept},
		{crashA2, "b", "a", 4, Kept},
		{both, "a", "b", 2, Crashed}, // a crash counts before an omission
	} {
		if got := p.Removes(c.s, c.from, c.to, c.t); got != c.want {
			t.Errorf("%s: %s->%s@%d: %v, want %v", c.s, c.from, c.to, c.t, got, c.want)
		}
		if got := p.Lost(c.s, c.from, c.to, c.t); got != (c.want != Kept) {
			t.Errorf("%s: %s->%s@%d: lost %v", c.s, c.from, c.to, c.t, got)
		}
	}
	for _, c := range []struct {
		from, to string
		t        int
		want     Removal
	}{
		{"a", "b", 1, Removal{Omittable: true, Crashable: true, sent: 1}},
		{"a", "b", 3, Removal{Crashable: true, sent: 3}}, // t >= EFF
		{"a", "b", 0, Removal{Crashable: true, sent: 0}},
		{"a", "x", 1, Removal{Crashable: true, sent: 1}},
		{"x", "a", 1, Removal{sent: 1}},
		{"a", "a", 1, Removal{sent: 1}},
	} {
		if got := p.RemovedBy(c.from, c.to, c.t); got != c.want {
			t.Errorf("RemovedBy(%s, %s, %d) = %+v, want %+v", c.from, c.to, c.t, got, c.want)
		}
	}
	// Cause reads crash time 0 as no crash.
	if got := p.RemovedBy("a", "b", 1).Cause(0, false); got != Kept {
		t.Errorf("no crash, no omission: %v", got)
	}
}

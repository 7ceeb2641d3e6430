package raft

import (
	"context"
	"fmt"
	"syscall"
	"testing"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
	"github.com/ldfi/ldfi/sim"
)

// BenchmarkSimulate measures the simulator on the election: one run per
// op, fault-free and under a crash and two losses, with lineage recording
// on and off, at the check's EOT 7 and at EOT 100 (a leader sending
// heartbeats for 95 steps), in process CPU time (GC included): steps are
// cluster timesteps, msgs sends.
func BenchmarkSimulate(b *testing.B) {
	scheds := map[string]fault.Schedule{
		"free":   {},
		"faults": {Crashes: []fault.Crash{{Node: "c", Time: 3}}, Omissions: []fault.Omission{{From: "a", To: "c", Time: 1}, {From: "b", To: "a", Time: 2}}},
	}
	for _, eot := range []int{7, 100} {
		for _, name := range []string{"free", "faults"} {
			for _, lin := range []bool{false, true} {
				b.Run(fmt.Sprintf("eot=%d/%s/lineage=%v", eot, name, lin), func(b *testing.B) {
					p := fault.Params{Nodes: members, EOT: eot, EFF: 4, MaxCrashes: 1}
					c := Election()
					msgs, cpu0 := 0, cpuTime()
					for b.Loop() {
						r, err := sim.Simulate(context.Background(), c, p, scheds[name], sim.Options{Lineage: lin})
						if err != nil {
							b.Fatal(err)
						}
						msgs = len(r.Sends)
					}
					// CPU time: steadier than wall time on a shared machine.
					cpu := float64(cpuTime() - cpu0)
					b.ReportMetric(cpu/float64(b.N), "cpu-ns/op")
					b.ReportMetric(float64(eot*b.N)/cpu*1e9, "steps/cpu-s")
					b.ReportMetric(float64(msgs*b.N)/cpu*1e9, "msgs/cpu-s")
				})
			}
		}
	}
}

// cpuTime is the process's user + system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkSearch is the whole LDFI search of the election at the parity
// bounds (21 executions).
func BenchmarkSearch(b *testing.B) {
	p := fault.Params{Nodes: members, EOT: 7, EFF: 4, MaxCrashes: 1}
	for b.Loop() {
		res, err := sim.Check(context.Background(), Election(), search.Config{Params: p})
		if err != nil || res.Verdict != search.NoCounterexample {
			b.Fatal(err, res.Verdict)
		}
	}
}

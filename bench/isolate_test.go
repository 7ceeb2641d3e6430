package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ldfi/ldfi/search"
)

// The test binary doubles as a fake row worker (see TestMain): its
// behaviour for the first stage it is given is set by LDFI_BENCH_FAKE.
func TestMain(m *testing.M) {
	if mode := os.Getenv("LDFI_BENCH_PROBE"); mode != "" {
		fakeProbeWorker(mode)
		os.Exit(0)
	}
	if mode := os.Getenv("LDFI_BENCH_FAKE"); mode != "" {
		fakeWorker(mode, strings.Split(os.Getenv("LDFI_BENCH_STAGES"), ","))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fakeWorker: "hang" never finishes an ldfi stage, "crash" dies in it,
// "garbage" prints no JSON; every other stage succeeds at once.
func fakeWorker(mode string, stages []string) {
	enc := json.NewEncoder(os.Stdout)
	for _, st := range stages {
		_ = enc.Encode(WorkerMessage{Begin: Stage(st)})
		if st == "ldfi" {
			switch mode {
			case "hang":
				time.Sleep(time.Hour)
			case "crash":
				fmt.Fprintln(os.Stderr, "panic: boom")
				os.Exit(2)
			case "garbage":
				fmt.Println("not json")
				time.Sleep(time.Hour)
			}
		}
		r := StageResult{Stage: Stage(st)}
		switch Stage(st) {
		case StageRandom:
			r.Random = &RandomOutcome{Trials: 2, TrialsRun: 2, Found: 2, Executions: []int{3, 5}, Mean: 4, Min: 3, Max: 5}
		default:
			r.Outcome = &Outcome{Verdict: search.Counterexample, Executions: 7}
		}
		_ = enc.Encode(WorkerMessage{Result: &r})
	}
}

func fakeLauncher(t *testing.T, mode string, launched *[][]Stage) Launcher {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return func(entry string, stages []Stage) *exec.Cmd {
		*launched = append(*launched, stages)
		var names []string
		for _, st := range stages {
			names = append(names, string(st))
		}
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "LDFI_BENCH_FAKE="+mode, "LDFI_BENCH_STAGES="+strings.Join(names, ","))
		return cmd
	}
}

// TestIsolated: a worker that hangs past the time limit is killed, one that
// crashes or talks nonsense is reported, and the row's other stages still
// run, in a fresh worker.
func TestIsolated(t *testing.T) {
	entry := Entry{Name: "x", Files: []string{"x.ded"}, EOT: 3, EFF: 2, Nodes: []string{"a", "b"}, Expect: search.Counterexample}
	for _, tt := range []struct {
		mode, reason string
		abandoned    bool
	}{
		{"ok", "", false},
		{"hang", "the search did not stop at its time limit; its worker was killed", true},
		{"crash", "the worker failed: panic: boom", false},
		{"garbage", "bad worker output: invalid character 'o' in literal null (expecting 'u')", false},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			var launched [][]Stage
			opts := Options{RandomTrials: 2, Timeout: 200 * time.Millisecond, Grace: 300 * time.Millisecond}
			start := time.Now()
			rows := RunIsolated(context.Background(), []Entry{entry}, opts, fakeLauncher(t, tt.mode, &launched))
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
			r := rows[0]
			if r.Exact == nil || r.Exact.Executions != 7 || r.Random == nil || r.Random.Mean != 4 || r.Exhaustive == nil || r.Exhaustive.Executions != 7 {
				t.Errorf("the other stages did not run: %+v", r)
			}
			if tt.mode == "ok" {
				if len(launched) != 1 || r.LDFI.Executions != 7 || !r.Match {
					t.Errorf("launched %v, row %+v", launched, r)
				}
				return
			}
			if len(launched) != 2 || len(launched[1]) != 3 || launched[1][0] != StageExact {
				t.Errorf("launched %v, want a second worker for exact,random,exhaustive", launched)
			}
			if r.LDFI.Verdict != search.Inconclusive || r.LDFI.Reason != tt.reason || r.LDFI.Abandoned != tt.abandoned {
				t.Errorf("LDFI %+v, want inconclusive because %q", r.LDFI, tt.reason)
			}
			if r.Match {
				t.Error("a killed LDFI stage matched the expectation")
			}
		})
	}
}

package bench

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/search"
)

// fakeProbeWorker stands for `ldfi bench --worker-probe EOT`, by mode:
// "upto:N" decides every EOT up to N and times out above; "hog" holds
// ever more memory; "hang" never answers; "crash" dies.
func fakeProbeWorker(mode string) {
	eot, _ := strconv.Atoi(os.Getenv("LDFI_BENCH_EOT"))
	switch {
	case strings.HasPrefix(mode, "upto:"):
		n, _ := strconv.Atoi(strings.TrimPrefix(mode, "upto:"))
		p := Probe{EOT: eot, EFF: eot - 1, Verdict: search.Certified, Executions: 1, Exact: &ExactFigures{Vars: 10 * eot, Clauses: 30 * eot}}
		if eot > n {
			p.Verdict, p.Reason, p.Executions, p.Exact = search.Inconclusive, "the time limit was reached during the exact check", 1, nil
		}
		_ = json.NewEncoder(os.Stdout).Encode(p)
	case mode == "hog":
		var keep [][]byte
		for {
			b := make([]byte, 16<<20)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1
			}
			keep = append(keep, b)
		}
	case mode == "hang":
		time.Sleep(time.Hour)
	case mode == "crash":
		os.Stderr.WriteString("panic: boom\n")
		os.Exit(2)
	}
}

func fakeProbeLauncher(t *testing.T, mode string) ProbeLauncher {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return func(entry string, eot int) *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "LDFI_BENCH_PROBE="+mode, "LDFI_BENCH_EOT="+strconv.Itoa(eot))
		return cmd
	}
}

func probeEOTs(r PushResult) []int {
	var out []int
	for _, p := range r.Probes {
		out = append(out, p.EOT)
	}
	return out
}

// TestPushSearch: EOT doubles from the entry's until a probe fails, then
// bisection narrows the gap to 1 % (or to adjacent EOTs).
func TestPushSearch(t *testing.T) {
	e := &Entry{Name: "x", EOT: 7, Nodes: []string{"a", "b"}}
	fake := func(limit int) Prober {
		return func(_ context.Context, eot int) Probe {
			p := Probe{EOT: eot, EFF: eot - 1, Verdict: search.Certified}
			if eot > limit {
				p.Verdict, p.Reason = search.Inconclusive, "too slow"
			}
			return p
		}
	}
	for _, tt := range []struct {
		limit, maxEOT     int
		largest, failedAt int
		eots              []int
	}{
		{limit: 50, largest: 50, failedAt: 51, eots: []int{7, 14, 28, 56, 42, 49, 52, 50, 51}},
		// Within 1 %: 994 and 1001 are close enough.
		{limit: 1000, largest: 994, failedAt: 1001, eots: []int{7, 14, 28, 56, 112, 224, 448, 896, 1792, 1344, 1120, 1008, 952, 980, 994, 1001}},
		{limit: 3, largest: 3, failedAt: 4, eots: []int{7, 3, 5, 4}},
		{limit: 0, largest: 0, failedAt: 1, eots: []int{7, 3, 1}},
		{limit: 100, maxEOT: 40, largest: 40, eots: []int{7, 14, 28, 40}},
	} {
		r := Push(context.Background(), e, PushOptions{Crashes: 1, MaxEOT: tt.maxEOT}, fake(tt.limit))
		if got := probeEOTs(r); !slices.Equal(got, tt.eots) {
			t.Errorf("limit %d: probes %v, want %v", tt.limit, got, tt.eots)
		}
		largest, failed := 0, 0
		if r.Largest != nil {
			largest = r.Largest.EOT
		}
		if r.Failed != nil {
			failed = r.Failed.EOT
		}
		if largest != tt.largest || failed != tt.failedAt {
			t.Errorf("limit %d: largest %d, failed at %d; want %d and %d", tt.limit, largest, failed, tt.largest, tt.failedAt)
		}
		if r.BaseEOT != 7 || r.Crashes != 1 {
			t.Errorf("%+v", r)
		}
	}
}

// TestPushIsolated: probes run in worker processes; one that holds too
// much memory, hangs past its limit or dies is a failed probe, with why.
func TestPushIsolated(t *testing.T) {
	e := []Entry{{Name: "x", EOT: 4, Nodes: []string{"a", "b"}}}
	opts := PushOptions{Limit: 200 * time.Millisecond, Grace: 300 * time.Millisecond, Crashes: 1, MaxEOT: 64}
	r := RunPushIsolated(context.Background(), e, opts, fakeProbeLauncher(t, "upto:20"))[0]
	if r.Largest == nil || r.Largest.EOT != 20 || r.Failed == nil || r.Failed.EOT != 21 || r.Largest.Exact.Vars != 200 {
		t.Errorf("probes %v, largest %+v, failed %+v", probeEOTs(r), r.Largest, r.Failed)
	}
	for _, tt := range []struct{ mode, reason string }{
		{"hang", "the exact check did not stop at its time limit; its worker was killed"},
		{"crash", "the worker failed: panic: boom"},
		{"hog", "killed at "},
	} {
		if tt.mode == "hog" && runtime.GOOS != "linux" {
			continue // the memory limit reads /proc
		}
		o := opts
		o.MaxEOT = 4
		o.MaxRSS = 64 << 20
		if tt.mode == "hog" {
			o.Limit = 10 * time.Second // killed by the memory limit long before
		}
		start := time.Now()
		r := RunPushIsolated(context.Background(), e, o, fakeProbeLauncher(t, tt.mode))[0]
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s: took %v", tt.mode, d)
		}
		// EOT 4 fails, then 2 and 1 (bisecting below the first probe).
		if r.Largest != nil || r.Failed == nil || r.Failed.EOT != 1 || !strings.HasPrefix(r.Failed.Reason, tt.reason) || r.Failed.OK() {
			t.Errorf("%s: probes %v, failed %+v, want reason %q", tt.mode, probeEOTs(r), r.Failed, tt.reason)
		}
		if tt.mode == "hog" && r.Failed.PeakRSS <= o.MaxRSS {
			t.Errorf("hog: peak %d, limit %d", r.Failed.PeakRSS, o.MaxRSS)
		}
	}
}

// TestRunProbe runs real probes in this process: the exact strategy on a
// small program, a certificate and a time limit.
func TestRunProbe(t *testing.T) {
	prog, err := dedalus.LoadFiles("../examples/redun-deliv.ded")
	if err != nil {
		t.Fatal(err)
	}
	e := &Entry{Name: "redun-deliv", EOT: 4, Nodes: []string{"a", "b", "c"}}
	p := RunProbe(context.Background(), e, prog, PushOptions{Limit: 30 * time.Second, Crashes: 1}, 6)
	if p.Verdict != search.Certified || p.EOT != 6 || p.EFF != 5 || p.Exact == nil || p.Exact.Vars == 0 || p.Exact.Clauses == 0 || p.Wall == nil {
		t.Errorf("%+v", p)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if p := RunProbe(ctx, e, prog, PushOptions{Limit: time.Minute, Crashes: 1}, 6); p.OK() {
		t.Errorf("a cancelled probe decided: %+v", p)
	}
}

func TestBytes(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
	}{{"8GiB", 8 << 30}, {"512 MiB", 512 << 20}, {"1.5g", 3 << 29}, {"2GB", 2e9}, {"100", 100}, {"0", 0}} {
		if got, err := ParseBytes(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "x", "8 parsecs", "-1GiB"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) accepted", bad)
		}
	}
	for n, want := range map[int64]string{8 << 30: "8 GiB", 3 << 29: "1.5 GiB", 543 << 20: "543 MiB", 2048: "2 KiB", 5: "5 B"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
)

// Pushing the bounds: for a program, the largest EOT (EFF = EOT − 1) at
// which the exact strategy reaches a verdict within a time limit. EOT is
// doubled from the entry's own until a probe fails, then bisected.

// PushOptions configure a push-the-bounds measurement.
type PushOptions struct {
	// Limit is the wall time of each probe (one exact check).
	Limit time.Duration
	// Crashes is every probe's crash budget.
	Crashes int
	// MaxEOT is the largest EOT tried (0: eval.MaxEOT).
	MaxEOT int
	// MaxRSS kills a probe whose worker process holds more resident memory
	// than this many bytes (0: no limit). Only probes in a worker process
	// (RunPushIsolated) can be held to it.
	MaxRSS int64
	// MaxInstances bounds the exact check's ground rule instances (0: the
	// search's default); a probe over it fails.
	MaxInstances int
	// Parallel is the executions run at once (the exact strategy's replays).
	Parallel int
	// Grace is how long past Limit a probe worker may take to stop before
	// it is killed (0: half the limit, at least 5 s).
	Grace time.Duration
	// Progress, when set, is told which probe starts.
	Progress func(name string, eot int)
}

func (o *PushOptions) maxEOT() int {
	if o.MaxEOT > 0 {
		return min(o.MaxEOT, eval.MaxEOT)
	}
	return eval.MaxEOT
}

// Probe is one exact check at EOT, EFF = EOT − 1.
type Probe struct {
	EOT        int            `json:"eot"`
	EFF        int            `json:"eff"`
	Verdict    search.Verdict `json:"verdict"`
	Reason     string         `json:"reason,omitempty"`
	Executions int            `json:"executions"`
	Exact      *ExactFigures  `json:"exact_check,omitempty"`
	// Wall is the search's wall time in milliseconds.
	Wall *float64 `json:"wall_ms,omitempty"`
	// PeakRSS is the peak resident memory of the probe's worker process
	// in bytes (0: not measured).
	PeakRSS int64 `json:"peak_rss,omitempty"`
	// Load is the machine's one-minute load average when the probe ended
	// (0: not known).
	Load float64 `json:"load,omitempty"`
}

// OK reports whether the probe reached a verdict within its limits.
func (p *Probe) OK() bool { return p.Verdict == search.Certified || p.Verdict == search.Counterexample }

// PushResult is the push-the-bounds measurement of one entry.
type PushResult struct {
	Name    string   `json:"name"`
	Nodes   []string `json:"nodes"`
	Crashes int      `json:"crashes"`
	// BaseEOT is the entry's EOT, where the doubling starts.
	BaseEOT int `json:"base_eot"`
	// Largest is the probe at the largest EOT that reached a verdict (nil:
	// none did); Failed the one at the smallest EOT found that did not
	// (nil: every EOT up to the cap did).
	Largest *Probe `json:"largest"`
	Failed  *Probe `json:"failed"`
	// MaxEOT is the cap on the EOTs tried.
	MaxEOT int `json:"max_eot"`
	// Probes are every probe, in the order they ran.
	Probes []Probe `json:"probes"`
}

// Prober runs one probe of an entry at an EOT.
type Prober func(ctx context.Context, eot int) Probe

// Push measures one entry: probes at its EOT doubled until one fails (or
// the cap), then bisects between the largest success and the smallest
// failure until they are within 1 % (or adjacent).
func Push(ctx context.Context, e *Entry, opts PushOptions, probe Prober) PushResult {
	res := PushResult{Name: e.Name, Nodes: e.Nodes, Crashes: opts.Crashes, BaseEOT: e.EOT, MaxEOT: opts.maxEOT(), Probes: []Probe{}}
	lo, hi := 0, 0 // the largest EOT that succeeded, the smallest that failed (0: none yet)
	try := func(eot int) bool {
		if opts.Progress != nil {
			opts.Progress(e.Name, eot)
		}
		p := probe(ctx, eot)
		res.Probes = append(res.Probes, p)
		if p.OK() {
			lo = eot
		} else {
			hi = eot
		}
		return p.OK()
	}
	for eot := max(e.EOT, 1); ctx.Err() == nil; eot = min(2*eot, res.MaxEOT) {
		if !try(eot) || eot >= res.MaxEOT {
			break
		}
	}
	for hi > 0 && hi-lo > max(1, lo/100) && ctx.Err() == nil {
		try(lo + (hi-lo)/2)
	}
	for _, p := range res.Probes {
		if p.EOT == lo && p.OK() {
			res.Largest = &p
		}
		if p.EOT == hi && !p.OK() {
			res.Failed = &p
		}
	}
	return res
}

// pushParams are the bounds of a probe.
func pushParams(e *Entry, eot, crashes int) fault.Params {
	return fault.Params{Nodes: e.Nodes, EOT: eot, EFF: max(eot-1, 0), MaxCrashes: crashes}
}

// RunProbe runs one probe in this process: the exact strategy at EOT,
// EFF = EOT − 1, stopped at opts.Limit.
func RunProbe(ctx context.Context, e *Entry, prog *dedalus.Program, opts PushOptions, eot int) Probe {
	p := pushParams(e, eot, opts.Crashes)
	pr := Probe{EOT: p.EOT, EFF: p.EFF}
	if err := p.Validate(); err != nil {
		pr.Verdict, pr.Reason = search.Inconclusive, "error: "+err.Error()
		return pr
	}
	cfg := search.Config{Params: p, Strategy: search.Exact, MaxRuns: search.DefaultMaxRuns, Parallel: opts.Parallel, MaxInstances: opts.MaxInstances}
	o := runOne(ctx, prog, cfg, opts.Limit, 0)
	pr.Verdict, pr.Reason, pr.Executions, pr.Exact, pr.Wall = o.Verdict, o.Reason, o.Executions, o.Exact, o.Wall
	pr.PeakRSS = selfPeakRSS()
	pr.Load = loadAverage()
	return pr
}

// RunPush measures the entries in this process (no memory limit: a probe
// can only be stopped by its time limit).
func RunPush(ctx context.Context, entries []Entry, progs []*dedalus.Program, opts PushOptions) []PushResult {
	var out []PushResult
	for i := range entries {
		out = append(out, Push(ctx, &entries[i], opts, func(ctx context.Context, eot int) Probe {
			pr := RunProbe(ctx, &entries[i], progs[i], opts, eot)
			pr.PeakRSS = 0 // the whole bench's, not the probe's
			return pr
		}))
	}
	return out
}

// ProbeLauncher returns the command of a worker that runs one probe of the
// named entry with ProbeWorker. It must not start it.
type ProbeLauncher func(entry string, eot int) *exec.Cmd

// ProbeWorker runs one probe and writes it as one JSON line on w, with the
// process's peak resident memory.
func ProbeWorker(ctx context.Context, w io.Writer, e *Entry, prog *dedalus.Program, opts PushOptions, eot int) error {
	pr := RunProbe(ctx, e, prog, opts, eot)
	return json.NewEncoder(w).Encode(pr)
}

// RunPushIsolated measures the entries with each probe in a worker process
// of its own, killed when it overruns its time limit by a grace period or
// holds more than opts.MaxRSS of resident memory.
func RunPushIsolated(ctx context.Context, entries []Entry, opts PushOptions, launch ProbeLauncher) []PushResult {
	var out []PushResult
	for i := range entries {
		e := &entries[i]
		out = append(out, Push(ctx, e, opts, func(ctx context.Context, eot int) Probe {
			return runProbeWorker(ctx, opts, launch(e.Name, eot), pushParams(e, eot, opts.Crashes))
		}))
	}
	return out
}

// rssPoll is how often a probe worker's resident memory is read.
const rssPoll = 50 * time.Millisecond

func runProbeWorker(ctx context.Context, opts PushOptions, cmd *exec.Cmd, p fault.Params) Probe {
	pr := Probe{EOT: p.EOT, EFF: p.EFF, Verdict: search.Inconclusive}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		pr.Reason = "starting the worker: " + err.Error()
		return pr
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var hard <-chan time.Time
	if opts.Limit > 0 {
		grace := opts.Grace
		if grace <= 0 {
			grace = max(opts.Limit/2, 5*time.Second)
		}
		t := time.NewTimer(opts.Limit + grace)
		defer t.Stop()
		hard = t.C
	}
	tick := time.NewTicker(rssPoll)
	defer tick.Stop()
	var peak int64
	kill := func(why string) Probe {
		_ = cmd.Process.Kill()
		<-done
		w := ms(time.Since(start))
		pr.Reason, pr.Wall, pr.PeakRSS, pr.Load = why, &w, peak, loadAverage()
		return pr
	}
	for {
		select {
		case <-ctx.Done():
			return kill("interrupted")
		case <-hard:
			return kill("the exact check did not stop at its time limit; its worker was killed")
		case <-tick.C:
			rss := processRSS(cmd.Process.Pid)
			peak = max(peak, rss)
			if opts.MaxRSS > 0 && rss > opts.MaxRSS {
				return kill(fmt.Sprintf("killed at %s of resident memory (limit %s)", Bytes(rss), Bytes(opts.MaxRSS)))
			}
		case err := <-done:
			line := bytes.TrimSpace(stdout.Bytes())
			if i := bytes.LastIndexByte(line, '\n'); i >= 0 {
				line = line[i+1:]
			}
			var got Probe
			if jerr := json.Unmarshal(line, &got); jerr != nil || got.EOT != p.EOT {
				msg := strings.TrimSpace(stderr.String())
				if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
					msg = msg[i+1:]
				}
				if msg == "" && err != nil {
					msg = err.Error()
				}
				if msg == "" {
					msg = "no result"
				}
				w := ms(time.Since(start))
				pr.Reason, pr.Wall, pr.PeakRSS = "the worker failed: "+msg, &w, peak
				return pr
			}
			got.PeakRSS = max(got.PeakRSS, peak)
			return got
		}
	}
}

// processRSS is a process's resident memory in bytes (0 where /proc is
// not available).
func processRSS(pid int) int64 {
	return procStatusKB("/proc/"+strconv.Itoa(pid)+"/status", "VmRSS:") * 1024
}

// selfPeakRSS is this process's peak resident memory in bytes (0 where
// /proc is not available).
func selfPeakRSS() int64 { return procStatusKB("/proc/self/status", "VmHWM:") * 1024 }

func procStatusKB(path, key string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// loadAverage is the one-minute load average (0 where /proc is not
// available).
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(data) + " 0")[0], 64)
	return f
}

// Bytes prints a memory size: 512 MiB, 8 GiB, 1.5 GiB.
func Bytes(n int64) string {
	switch {
	case n >= 1<<30:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<30)), ".0") + " GiB"
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// ParseBytes reads a memory size: a number with an optional unit (B, KB,
// MB, GB, KiB, MiB, GiB; case-insensitive).
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bad memory size %q (want e.g. 8GiB, 512MiB)", s)
	}
	mult := map[string]float64{"": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("bad memory size %q: unknown unit %q (want B, KB, MB, GB, KiB, MiB or GiB)", s, unit)
	}
	return int64(f * mult), nil
}

// StripPushTimes removes the wall times, memory and load figures of a push
// measurement (its EOTs still depend on the machine).
func StripPushTimes(results []PushResult) {
	strip := func(p *Probe) {
		p.Wall, p.PeakRSS, p.Load = nil, 0, 0
		if p.Exact != nil {
			p.Exact.Build, p.Exact.Solve = nil, nil
		}
	}
	for i := range results {
		for j := range results[i].Probes {
			strip(&results[i].Probes[j])
		}
		if results[i].Largest != nil {
			strip(results[i].Largest)
		}
		if results[i].Failed != nil {
			strip(results[i].Failed)
		}
	}
}

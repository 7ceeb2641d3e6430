package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/search"
)

// A search that ignores its time limit (the solver is not interruptible)
// keeps its goroutine, CPU and memory after the bench gives up on it, and
// slows every later row. RunIsolated avoids that: each row runs in a
// worker process of its own (its strategies still share that process and
// its evaluator), and a worker whose stage outlives its limit is killed;
// the row's remaining stages go to a fresh worker.

// Launcher returns the command of a worker that measures the named entry's
// stages with WorkerMain's protocol. It must not start it.
type Launcher func(entry string, stages []Stage) *exec.Cmd

// WorkerMessage is one line of a worker's output.
type WorkerMessage struct {
	Begin    Stage        `json:"begin,omitempty"`
	Progress string       `json:"progress,omitempty"`
	Result   *StageResult `json:"result,omitempty"`
}

// Worker measures stages of one entry and writes WorkerMessages, one JSON
// object a line, on w: what it begins, its progress, and each result.
func Worker(ctx context.Context, w io.Writer, e *Entry, prog *dedalus.Program, opts Options, stages []Stage) error {
	opts.worker = true
	enc := json.NewEncoder(w)
	var werr error
	send := func(m WorkerMessage) {
		if werr == nil {
			werr = enc.Encode(m)
		}
	}
	RunStages(ctx, e, prog, opts, stages, Hooks{
		Begin:    func(st Stage) { send(WorkerMessage{Begin: st}) },
		Progress: func(what string) { send(WorkerMessage{Progress: what}) },
		Result:   func(r StageResult) { send(WorkerMessage{Result: &r}) },
	})
	return werr
}

// RunIsolated measures every entry like Run, each in its own worker
// process started by launch.
func RunIsolated(ctx context.Context, entries []Entry, opts Options, launch Launcher) []Row {
	rows := make([]Row, len(entries))
	for i := range entries {
		progress := func(what string) {
			if opts.Progress != nil {
				opts.Progress(i+1, len(entries), entries[i].Name, what)
			}
		}
		rows[i] = runIsolatedEntry(ctx, &entries[i], opts, launch, progress)
	}
	return rows
}

func runIsolatedEntry(ctx context.Context, e *Entry, opts Options, launch Launcher, progress func(string)) Row {
	row := NewRow(e)
	remaining := Stages
	for len(remaining) > 0 {
		done, failed := runWorker(ctx, opts, launch(e.Name, remaining), remaining, progress, row.Apply)
		remaining = remaining[done:]
		if failed != nil {
			row.Apply(*failed)
			remaining = remaining[1:]
		}
	}
	row.Judge()
	return row
}

// runWorker runs one worker and returns how many stages it completed and,
// when it was killed or failed, the result standing for the stage it was
// in.
func runWorker(ctx context.Context, opts Options, cmd *exec.Cmd, stages []Stage, progress func(string), apply func(StageResult)) (int, *StageResult) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, failure(stages[0], opts, "starting the worker: "+err.Error(), 0, false)
	}
	if err := cmd.Start(); err != nil {
		return 0, failure(stages[0], opts, "starting the worker: "+err.Error(), 0, false)
	}
	events := readWorkerEvents(out)

	done := 0
	var current Stage
	began := time.Now()
	var limit stageTimer
	defer limit.stop()
	kill := func() { killWorker(cmd, events) }
	for {
		select {
		case <-ctx.Done():
			kill()
			return done, failure(stages[done], opts, "interrupted", time.Since(began), true)
		case <-limit.C:
			kill()
			return done, failure(stages[done], opts, "the search did not stop at its time limit; its worker was killed", time.Since(began), true)
		case ev := <-events:
			switch {
			case ev.eof:
				werr := cmd.Wait()
				if done == len(stages) {
					return done, nil
				}
				return done, failure(stages[done], opts, "the worker failed: "+workerFailure(stderr.String(), werr), time.Since(began), false)
			case ev.err != nil:
				kill()
				return done, failure(stages[done], opts, "bad worker output: "+ev.err.Error(), time.Since(began), false)
			case ev.msg.Begin != "":
				current, began = ev.msg.Begin, time.Now()
				limit.arm(opts)
			case ev.msg.Progress != "":
				progress(ev.msg.Progress)
			case ev.msg.Result != nil:
				r := *ev.msg.Result
				if done >= len(stages) || r.Stage != stages[done] {
					kill()
					return done, failure(stages[min(done, len(stages)-1)], opts, fmt.Sprintf("worker sent stage %q out of order", r.Stage), 0, false)
				}
				apply(r)
				done++
				// Only the stage that armed the limit may lift it.
				if current == r.Stage {
					limit.stop()
				}
			}
		}
	}
}

// workerEvent is one line of a worker's output, decoded, or the end of it.
type workerEvent struct {
	msg WorkerMessage
	err error
	eof bool
}

// readWorkerEvents decodes out line by line on a goroutine of its own, so
// that runWorker can wait on the worker's output and its time limit at
// once. The last event has eof set.
func readWorkerEvents(out io.Reader) chan workerEvent {
	events := make(chan workerEvent)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 64<<20)
		for sc.Scan() {
			var m WorkerMessage
			err := json.Unmarshal(sc.Bytes(), &m)
			events <- workerEvent{msg: m, err: err}
		}
		events <- workerEvent{eof: true, err: sc.Err()}
	}()
	return events
}

// stageTimer is the hard time limit of the stage a worker is in. C is nil,
// and so never ready, while no limit is armed.
type stageTimer struct {
	C     <-chan time.Time
	timer *time.Timer
}

// arm restarts the limit for a stage that has just begun; with no timeout
// there is none.
func (t *stageTimer) arm(opts Options) {
	t.stop()
	if opts.Timeout > 0 {
		t.timer = time.NewTimer(opts.hardLimit(opts.Timeout))
		t.C = t.timer.C
	}
}

// stop lifts the limit.
func (t *stageTimer) stop() {
	if t.timer != nil {
		t.timer.Stop()
	}
	t.C = nil
}

// killWorker kills the worker without waiting for it: the reader goroutine
// is drained until it ends (so it does not block forever on a send) and
// then the process is reaped.
func killWorker(cmd *exec.Cmd, events chan workerEvent) {
	_ = cmd.Process.Kill()
	go func() {
		for ev := range events {
			if ev.eof {
				break
			}
		}
		_ = cmd.Wait()
	}()
}

// workerFailure is why a worker ended early: the last line of its stderr
// (a panic's or log.Fatal's message), else its exit status.
func workerFailure(stderr string, werr error) string {
	msg := strings.TrimSpace(stderr)
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
		msg = msg[i+1:]
	}
	if msg == "" && werr != nil {
		msg = werr.Error()
	}
	return msg
}

// failure is the result standing for a stage whose worker did not finish.
func failure(st Stage, opts Options, reason string, wall time.Duration, abandoned bool) *StageResult {
	w := ms(wall)
	r := &StageResult{Stage: st}
	switch st {
	case StageRandom:
		r.Random = &RandomOutcome{Trials: opts.RandomTrials, Executions: []int{}, Abandoned: abandoned, Error: reason}
	default:
		r.Outcome = &Outcome{Verdict: search.Inconclusive, Reason: reason, Wall: &w, Abandoned: abandoned}
	}
	return r
}

package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ctrl-C on a long search ends it like a time limit: exit 3, verdict
// inconclusive, and with --out a complete report of the runs so far.
func TestInterruptedCheckWritesPartialReport(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGINT")
	}
	if testing.Short() {
		t.Skip("builds ldfi and runs a search for seconds")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ldfi")
	build := exec.Command("go", "build", "-o", bin, "github.com/ldfi/ldfi/cmd/ldfi")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "report")
	// Random search never certifies: on a correct protocol with a huge
	// space it runs until the run limit, far away here.
	cmd := exec.Command(bin, "check", "--strategy", "random", "--max-runs", "100000000", "--parallel", "1",
		"--eot", "10", "--eff", "8", "--crashes", "0", "--nodes", "a,b,c", "--out", out, "../../examples/ack-deliv.ded")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(1500 * time.Millisecond)
	// Twice, as timeout(1) does (to the process, then to its group): the
	// second signal must not kill the process while it ends the search and
	// writes the report.
	for i := range 2 {
		if i > 0 {
			time.Sleep(50 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("still running 60 s after SIGINT\nstdout:\n%s\nstderr:\n%s", &stdout, &stderr)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != ExitInconclusive {
		t.Fatalf("got %v, want exit %d\nstdout:\n%s\nstderr:\n%s", err, ExitInconclusive, &stdout, &stderr)
	}
	for _, want := range []string{"verdict: inconclusive\n", "stopped: interrupted (interrupt signal received)\n", "report: " + out + "\n"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, &stdout)
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "runs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var runs struct {
		Verdict    string            `json:"verdict"`
		Executions int               `json:"executions"`
		Runs       []json.RawMessage `json:"runs"`
	}
	if err := json.Unmarshal(data, &runs); err != nil {
		t.Fatalf("runs.json: %v", err)
	}
	if runs.Verdict != "inconclusive" || runs.Executions < 1 || len(runs.Runs) == 0 {
		t.Errorf("runs.json: verdict %q after %d executions, %d runs listed; want inconclusive with runs", runs.Verdict, runs.Executions, len(runs.Runs))
	}
	html, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(html, []byte("</html>")) {
		t.Errorf("index.html is incomplete (%d bytes)", len(html))
	}
}

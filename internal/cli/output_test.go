package cli

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/report"
	"github.com/ldfi/ldfi/search"
)

const simpleDeliv = "../../examples/simple-deliv.ded"

// TestStdoutFull: a command whose standard output cannot be written (a full
// disk: /dev/full) exits 5 with a message, never 0 with empty output
// (issue 11, item 8).
func TestStdoutFull(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	bounds := []string{"--eot", "4", "--eff", "2", "--nodes", "a,b,c"}
	for _, args := range [][]string{
		append([]string{"check", "--parallel", "1", "--format", "json"}, append(bounds, simpleDeliv)...),
		append([]string{"check", "--parallel", "1"}, append(bounds, simpleDeliv)...),
		append([]string{"run"}, append(bounds, simpleDeliv)...),
		append([]string{"run", "--format", "json"}, append(bounds, simpleDeliv)...),
		append([]string{"run", "--why", `log(c,"hello")@4`}, append(bounds, simpleDeliv)...),
		{"fmt", simpleDeliv},
		{"fmt", "--list", "testdata/messy.ded"},
		{"vet", "--desugared", simpleDeliv},
		{"vet", "--format", "json", simpleDeliv},
		{"version"},
		{"--help"},
	} {
		var stderr bytes.Buffer
		code := Run(args, full, &stderr)
		if code != ExitOutput || !strings.Contains(stderr.String(), "ldfi: could not write to standard output: write /dev/full: no space left on device") {
			t.Errorf("ldfi %s > /dev/full: exit %d, stderr %q; want exit %d and the write error", strings.Join(args, " "), code, stderr.String(), ExitOutput)
		}
	}
}

// TestReportWriteFails: when the report cannot be written after the search
// (the directory passed the check, then the disk filled up), the verdict is
// still printed, with the error, and the exit status says so (5), for check
// and run (issue 11, item 5).
func TestReportWriteFails(t *testing.T) {
	full := errors.New("no space left on device")
	oldCheck, oldRun := writeCheckReport, writeRunReport
	writeCheckReport = func(string, *dedalus.Program, search.Config, *search.Result, *search.Evidence, *report.Summary) error {
		return full
	}
	writeRunReport = func(string, *dedalus.Program, *search.Result, *search.Evidence, string) error { return full }
	defer func() { writeCheckReport, writeRunReport = oldCheck, oldRun }()

	dir := t.TempDir() + "/rep"
	bounds := []string{"--eot", "4", "--eff", "2", "--nodes", "a,b,c", "--out", dir, simpleDeliv}
	for _, c := range []struct {
		args    []string
		verdict string
	}{
		{append([]string{"check", "--parallel", "1"}, bounds...), "verdict: counterexample"},
		{append([]string{"check", "--parallel", "1", "--format", "json"}, bounds...), `"verdict": "counterexample"`},
		{append([]string{"run", "--omit", "a,b,1"}, bounds...), "verdict: violation"},
	} {
		var stdout, stderr bytes.Buffer
		code := Run(c.args, &stdout, &stderr)
		if code != ExitOutput {
			t.Errorf("ldfi %s: exit %d, want %d", strings.Join(c.args, " "), code, ExitOutput)
		}
		if !strings.Contains(stdout.String(), c.verdict) {
			t.Errorf("ldfi %s: the verdict is missing from stdout:\n%s", strings.Join(c.args, " "), stdout.String())
		}
		if want := "ldfi: could not write the report to " + dir + ": no space left on device (the verdict above stands)"; !strings.Contains(stderr.String(), want) {
			t.Errorf("ldfi %s: stderr %q, want %q", strings.Join(c.args, " "), stderr.String(), want)
		}
	}
}

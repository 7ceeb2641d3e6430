package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
)

// Write writes the report of a search into dir: runs.json (the summary),
// index.html (the self-contained page) and the Graphviz DOT files of the
// diagrams of the counterexample runs (or of the first run when there is
// none): spacetime-runN.dot, lineage-runN-free.dot and lineage-runN.dot.
// ev holds the runs to draw (search.NewEvidence with PageDraw).
// The files are written into a fresh temporary directory beside dir, which
// is then renamed to dir: a failed write leaves dir as it was and no
// temporary file. dir must be new, empty, or an earlier report (see
// CheckDir): an earlier report is replaced as a whole, and a directory
// holding anything else is refused. The same inputs give the same bytes.
func Write(dir string, prog *dedalus.Program, cfg search.Config, res *search.Result, ev *search.Evidence, sum *Summary) error {
	return write(dir, prog, res, ev, sum, "check")
}

// NewRunSummary describes one run (ldfi run) in the runs.json format: one
// run, verdict "ok" or "violation" (the run's), and the good outcomes of
// the fault-free run (what the run's faults may cut). res is the one-run
// result of search.RunEvidence.
func NewRunSummary(prog *dedalus.Program, p fault.Params, res *search.Result, version string) *Summary {
	sum := NewSummary(prog, search.Config{Params: p}, res, version)
	sum.Command = "run"
	sum.Verdict = string(search.RunOK)
	if len(res.Runs) > 0 {
		sum.Verdict = string(res.Runs[0].Verdict())
	}
	return sum
}

// WriteRun writes the report of one run (ldfi run --out): the same files
// as Write, for a search of one execution (res and ev from
// search.RunEvidence).
func WriteRun(dir string, prog *dedalus.Program, res *search.Result, ev *search.Evidence, version string) error {
	return write(dir, prog, res, ev, NewRunSummary(prog, ev.Params(), res, version), "run")
}

func write(dir string, prog *dedalus.Program, res *search.Result, ev *search.Evidence, sum *Summary, mode string) error {
	pg, err := buildPage(context.Background(), prog, res, ev, mode)
	if err != nil {
		return err
	}
	html, err := renderHTML(prog, sum, pg)
	if err != nil {
		return err
	}
	data, err := JSON(sum)
	if err != nil {
		return err
	}
	files := []dotFile{{"runs.json", string(data)}, {"index.html", string(html)}}
	files = append(files, pg.dots...)
	return install(dir, files)
}

// A report directory holds the files ldfi writes and nothing else: the
// files named below and the temporary files of an interrupted write of an
// earlier version (.ldfi-*).
var reportFile = regexp.MustCompile(`^(index\.html|runs\.json|spacetime-run[0-9]+\.dot|lineage-run[0-9]+(-free)?\.dot|\.ldfi-.*)$`)

// outDir is the state of a report's target directory.
type outDir struct {
	path   string // absolute, symbolic links resolved (the directory itself may not exist)
	exists bool   // an existing report or an empty directory
	mode   os.FileMode
	// inPlace: the parent directory is not writable, dir is. The report is
	// then written into a temporary directory inside dir and its files
	// renamed one by one (each file atomically, not the report as a whole).
	inPlace bool
}

// CheckDir checks, before a search, that a report can be written to dir:
// dir is a new directory (its parent is created when missing), an empty
// one, or an earlier ldfi report (runs.json and only the files ldfi
// writes), and its parent directory is writable (the report is written to a
// temporary directory there and renamed into place). A directory holding
// anything else is refused: ldfi never overwrites or deletes files it did
// not write.
func CheckDir(dir string) error {
	_, err := checkDir(dir)
	return err
}

func checkDir(dir string) (*outDir, error) {
	if dir == "" {
		return nil, errors.New("empty directory name")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	if abs == filepath.Dir(abs) {
		return nil, fmt.Errorf("%s: cannot replace the root directory", dir)
	}
	od := &outDir{path: abs, mode: 0o755}
	st, err := os.Stat(abs)
	switch {
	case err == nil && !st.IsDir():
		return nil, fmt.Errorf("%s: not a directory", dir)
	case err == nil:
		if err := checkReportDir(dir, abs); err != nil {
			return nil, err
		}
		od.exists, od.mode = true, st.Mode().Perm()
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return nil, unwrapPath(err)
		}
	default:
		return nil, unwrapPath(err)
	}
	// The parent must take the temporary directory, and the rename; or,
	// for an existing directory, the directory itself.
	tmp, err := os.MkdirTemp(filepath.Dir(abs), ".ldfi-report-*")
	if err != nil && od.exists {
		if tmp, err2 := os.MkdirTemp(abs, ".ldfi-report-*"); err2 == nil {
			_ = os.Remove(tmp)
			od.inPlace = true
			return od, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w", filepath.Dir(abs), unwrapPath(err))
	}
	_ = os.Remove(tmp)
	return od, nil
}

// checkReportDir accepts an empty directory, or one holding an ldfi report
// and nothing else.
func checkReportDir(dir, abs string) error {
	ents, err := os.ReadDir(abs)
	if err != nil {
		return unwrapPath(err)
	}
	if len(ents) == 0 {
		return nil
	}
	var foreign []string
	for _, e := range ents {
		if !reportFile.MatchString(e.Name()) || e.IsDir() && !strings.HasPrefix(e.Name(), ".ldfi-") {
			foreign = append(foreign, e.Name())
		}
	}
	if len(foreign) == 0 && !isSummary(filepath.Join(abs, "runs.json")) && !onlyTemporary(ents) {
		foreign = append(foreign, "(no ldfi runs.json)")
	}
	if len(foreign) > 0 {
		if len(foreign) > 5 {
			foreign = append(foreign[:5], fmt.Sprintf("and %d more", len(foreign)-5))
		}
		return fmt.Errorf("%s is neither empty nor an ldfi report (it holds %s); ldfi replaces only its own reports: choose a new or empty directory", dir, strings.Join(foreign, ", "))
	}
	return nil
}

// onlyTemporary reports whether every entry is a temporary file or
// directory of an interrupted ldfi write (.ldfi-*).
func onlyTemporary(ents []fs.DirEntry) bool {
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".ldfi-") {
			return false
		}
	}
	return true
}

// isSummary reports whether path holds the runs.json of an ldfi report.
func isSummary(path string) bool {
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() > 1<<30 {
		return false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var s struct {
		Command *string `json:"command"`
		Verdict *string `json:"verdict"`
		Version *string `json:"ldfi_version"`
	}
	return json.Unmarshal(data, &s) == nil && s.Command != nil && s.Verdict != nil && s.Version != nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// install writes files into a fresh temporary directory beside dir and
// renames it into place: dir then holds exactly the new report, or, when
// anything fails, stays as it was (no temporary file is left behind). An
// earlier report in dir is moved aside and removed once the new one is in
// place.
func install(dir string, files []dotFile) (err error) {
	od, err := checkDir(dir)
	if err != nil {
		return err
	}
	if od.inPlace {
		return installInPlace(od.path, files)
	}
	parent := filepath.Dir(od.path)
	tmp, err := os.MkdirTemp(parent, ".ldfi-report-*")
	if err != nil {
		return unwrapPath(err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	for _, f := range files {
		if err := writeFile(filepath.Join(tmp, f.name), []byte(f.text)); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, od.mode); err != nil {
		return unwrapPath(err)
	}
	if !od.exists {
		return unwrapPath(os.Rename(tmp, od.path))
	}
	// An empty directory is removed and replaced; a report is moved aside
	// first (to a fresh name) and removed once the new one is in place.
	if os.Remove(od.path) == nil {
		return unwrapPath(os.Rename(tmp, od.path))
	}
	old, err := os.MkdirTemp(parent, ".ldfi-old-*")
	if err != nil {
		return unwrapPath(err)
	}
	_ = os.Remove(old) // os.Rename does not replace a directory
	if err := os.Rename(od.path, old); err != nil {
		return unwrapPath(err)
	}
	if err := os.Rename(tmp, od.path); err != nil {
		_ = os.Rename(old, od.path)
		return unwrapPath(err)
	}
	_ = os.RemoveAll(old) // only ldfi's files (checkDir); the new report is in place
	return nil
}

// installInPlace writes files into a temporary directory inside dir, then
// renames each into dir and removes the files of an earlier report (only
// ldfi's: checkDir refused anything else) that the new one does not have.
func installInPlace(dir string, files []dotFile) error {
	tmp, err := os.MkdirTemp(dir, ".ldfi-report-*")
	if err != nil {
		return unwrapPath(err)
	}
	defer os.RemoveAll(tmp)
	keep := map[string]bool{}
	for _, f := range files {
		keep[f.name] = true
		if err := writeFile(filepath.Join(tmp, f.name), []byte(f.text)); err != nil {
			return err
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return unwrapPath(err)
	}
	// runs.json last: until it is replaced, dir is still the earlier report.
	for i := len(files) - 1; i >= 0; i-- {
		if files[i].name == "runs.json" {
			files = append(append(files[:i:i], files[i+1:]...), files[i])
			break
		}
	}
	for _, f := range files {
		if err := os.Rename(filepath.Join(tmp, f.name), filepath.Join(dir, f.name)); err != nil {
			return unwrapPath(err)
		}
	}
	for _, e := range ents {
		n := e.Name()
		if !keep[n] && reportFile.MatchString(n) && filepath.Join(dir, n) != tmp {
			_ = os.RemoveAll(filepath.Join(dir, n))
		}
	}
	return nil
}

// writeFile writes a new file and syncs it.
func writeFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return unwrapPath(err)
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	for _, err := range []error{werr, serr, cerr} {
		if err != nil {
			return fmt.Errorf("writing %s: %w", filepath.Base(path), unwrapPath(err))
		}
	}
	return nil
}

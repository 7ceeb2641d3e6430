package dedalus

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity tells errors from warnings.
type Severity uint8

const (
	// SeverityError makes a program invalid.
	SeverityError Severity = iota
	// SeverityWarning marks something suspicious but legal.
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Error is one positioned diagnostic. Related lists other positions that
// take part in it (the other rules of a negation cycle, the includes of an
// include chain).
type Error struct {
	Pos      Pos
	Severity Severity
	Msg      string
	Related  []Pos
}

// Error formats the diagnostic as "file:line:col: message" (warnings as
// "file:line:col: warning: message").
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Pos.String())
	b.WriteString(": ")
	if e.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is a list of diagnostics, sorted by position by Sort. It
// implements error; LoadFiles and LoadSource return one when a program has
// errors (it then also holds the program's warnings).
type ErrorList []*Error

// Error prints the diagnostics one per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// HasErrors reports whether the list holds at least one error (as opposed
// to warnings only).
func (l ErrorList) HasErrors() bool {
	for _, e := range l {
		if e.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Errors returns the entries with SeverityError.
func (l ErrorList) Errors() ErrorList { return l.filter(SeverityError) }

// Warnings returns the entries with SeverityWarning.
func (l ErrorList) Warnings() ErrorList { return l.filter(SeverityWarning) }

func (l ErrorList) filter(s Severity) ErrorList {
	var out ErrorList
	for _, e := range l {
		if e.Severity == s {
			out = append(out, e)
		}
	}
	return out
}

func compareErrors(a, b *Error) int {
	return cmp.Or(
		cmp.Compare(a.Pos.File, b.Pos.File),
		cmp.Compare(a.Pos.Line, b.Pos.Line),
		cmp.Compare(a.Pos.Col, b.Pos.Col),
		cmp.Compare(a.Severity, b.Severity),
		cmp.Compare(a.Msg, b.Msg),
	)
}

// Sort sorts the list by file, line, column, severity and message, and
// removes exact duplicates (same position, severity and message).
func (l *ErrorList) Sort() {
	slices.SortStableFunc(*l, compareErrors)
	*l = slices.CompactFunc(*l, func(a, b *Error) bool { return compareErrors(a, b) == 0 })
}

// Err returns the list as an error when it holds at least one error, and
// nil otherwise.
func (l ErrorList) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return l
}

// maxErrors caps the errors collected for one load: past it, input is
// garbage and more messages do not help.
const maxErrors = 100

// diags collects diagnostics with a cap on runaway errors.
type diags struct {
	list    ErrorList
	nerrs   int
	dropped bool
}

func (d *diags) errorf(pos Pos, format string, args ...any) {
	d.add(&Error{Pos: pos, Severity: SeverityError, Msg: fmt.Sprintf(format, args...)})
}

func (d *diags) warnf(pos Pos, format string, args ...any) {
	d.add(&Error{Pos: pos, Severity: SeverityWarning, Msg: fmt.Sprintf(format, args...)})
}

func (d *diags) add(e *Error) {
	if e.Severity == SeverityError {
		if d.nerrs >= maxErrors {
			d.dropped = true
			return
		}
		d.nerrs++
	} else if len(d.list) >= 2*maxErrors {
		d.dropped = true
		return
	}
	d.list = append(d.list, e)
}

// full reports whether the error cap was reached.
func (d *diags) full() bool { return d.nerrs >= maxErrors }

// result returns the sorted list, ending with a note when errors were
// dropped.
func (d *diags) result() ErrorList {
	l := slices.Clone(d.list)
	l.Sort()
	if d.dropped && len(l) > 0 {
		last := l[len(l)-1]
		l = append(l, &Error{Pos: last.Pos, Severity: SeverityError, Msg: fmt.Sprintf("too many errors (only the first %d are shown)", maxErrors)})
	}
	return l
}

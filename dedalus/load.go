package dedalus

import "path/filepath"

// LoadFiles reads the files (several files form one program), resolves
// their includes, parses, checks and lowers them. On errors it returns a
// nil Program and an ErrorList holding every diagnostic (warnings
// included), sorted by position. Warnings of a valid program are in
// Program.Warnings.
func LoadFiles(paths ...string) (*Program, error) {
	p, diags := Vet(paths...)
	return p, diags.Err()
}

// LoadSource loads a program held in memory under the name name; its
// includes are read from disk, relative to the directory of name.
func LoadSource(name, src string) (*Program, error) {
	p, diags := load(nil, func(l *loader) { l.loadSource(name, src, NoPos) })
	return p, diags.Err()
}

// Vet is LoadFiles returning all diagnostics, errors and warnings, even
// when there is no error. The Program is nil when there are errors.
func Vet(paths ...string) (*Program, ErrorList) {
	return load(nil, func(l *loader) {
		if len(paths) == 0 {
			l.d.errorf(NoPos, "no input files")
		}
		for _, path := range paths {
			l.loadPath(filepath.Clean(path))
		}
	})
}

// load runs the pipeline: read and parse (start adds the files to the
// loader), check, and lower when there is no error.
func load(read readFunc, start func(*loader)) (*Program, ErrorList) {
	d := &diags{}
	l := newLoader(d, read)
	start(l)
	c := newChecker(d, l.exprs)
	c.check(l.clauses)
	var p *Program
	if !d.list.HasErrors() {
		p = c.lower(l.files)
	}
	list := d.result()
	if p != nil {
		p.Warnings = list.Warnings()
	}
	return p, list
}

package dedalus

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxFileSize bounds the size of one source file.
const maxFileSize = 64 << 20

// readFunc reads a source file. The default, ReadSourceFile, refuses
// anything that is not a regular file (so `include "/dev/zero";` fails
// quickly); tests and fuzzing substitute an in-memory one.
type readFunc func(path string) (string, error)

func readSourceFile(path string) (string, error) { return ReadSourceFile(path) }

// ReadSourceFile reads an input file of ldfi (a program, a bench file): a
// regular file of at most 64 MiB. It checks the file's type before opening
// it, since opening a named pipe (FIFO) blocks until someone writes to it,
// and again on the open file; it reads at most one byte past the limit, so
// that a file that grows cannot exhaust memory. Errors are *fs.PathError
// (op "open" or "read"), whose Err says what is wrong: "is a directory",
// "not a regular file (a named pipe)", "file too large (...)".
func ReadSourceFile(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return "", &fs.PathError{Op: "open", Path: path, Err: pe.Err}
		}
		return "", err
	}
	if err := checkSourceFile(st); err != nil {
		return "", &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return "", err
	}
	if err := checkSourceFile(st); err != nil {
		return "", &fs.PathError{Op: "open", Path: path, Err: err}
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxFileSize {
		return "", &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("file too large (more than %d bytes)", maxFileSize)}
	}
	return string(b), nil
}

// checkSourceFile accepts regular files within the size limit.
func checkSourceFile(st fs.FileInfo) error {
	m := st.Mode()
	switch {
	case m.IsRegular():
	case m.IsDir():
		return errors.New("is a directory")
	case m&fs.ModeNamedPipe != 0:
		return errors.New("not a regular file (a named pipe)")
	case m&fs.ModeSocket != 0:
		return errors.New("not a regular file (a socket)")
	case m&fs.ModeDevice != 0:
		return errors.New("not a regular file (a device)")
	default:
		return errors.New("not a regular file")
	}
	if st.Size() > maxFileSize {
		return fmt.Errorf("file too large (%d bytes; the limit is %d)", st.Size(), maxFileSize)
	}
	return nil
}

// loader reads the files of one program, following includes depth-first:
// an included file's clauses take the place of its include clause.
type loader struct {
	d        *diags
	read     readFunc
	firstDir string
	seen     map[string]bool // keys of loaded files
	stack    []loadFrame     // the include chain being loaded
	files    []SourceFile
	clauses  []Clause
	exprs    int    // expression nodes parsed (a size hint for the checker)
	cwd      string // working directory, looked up once (see fileKey)
}

type loadFrame struct {
	path string
	key  string
	via  Pos // position of the include clause that loaded it (NoPos for command-line files)
}

func newLoader(d *diags, read readFunc) *loader {
	if read == nil {
		read = readSourceFile
	}
	return &loader{d: d, read: read, seen: map[string]bool{}}
}

// fileKey identifies a file for "load once" and cycle detection: its
// absolute path. It is filepath.Abs with the working directory looked up
// once per load rather than once per file (os.Getwd costs system calls).
func (l *loader) fileKey(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	if l.cwd == "" {
		wd, err := os.Getwd()
		if err != nil {
			return filepath.Clean(path)
		}
		l.cwd = wd
	}
	return filepath.Join(l.cwd, path)
}

// loadPath loads a command-line file.
func (l *loader) loadPath(path string) {
	if l.firstDir == "" {
		l.firstDir = filepath.Dir(path)
	}
	src, err := l.read(path)
	if err != nil {
		l.d.errorf(Pos{File: path, Line: 1, Col: 1}, "cannot read %s: %s", path, errText(err))
		return
	}
	l.loadSource(path, src, NoPos)
}

// loadSource loads a file whose content is known.
func (l *loader) loadSource(path, src string, via Pos) {
	if l.firstDir == "" {
		l.firstDir = filepath.Dir(path)
	}
	key := l.fileKey(path)
	if l.seen[key] {
		return
	}
	l.seen[key] = true
	l.files = append(l.files, SourceFile{Path: path, SHA256: sha256Hex(src), Text: src})
	f, exprs := parseFile(path, src, l.d)
	l.exprs += exprs
	l.stack = append(l.stack, loadFrame{path: path, key: key, via: via})
	if l.clauses == nil {
		l.clauses = make([]Clause, 0, len(f.Clauses))
	}
	for _, c := range f.Clauses {
		inc, ok := c.(*IncludeClause)
		if !ok {
			l.clauses = append(l.clauses, c)
			continue
		}
		l.include(path, inc)
	}
	l.stack = l.stack[:len(l.stack)-1]
}

// include resolves and loads one include clause of the file at from.
func (l *loader) include(from string, inc *IncludeClause) {
	var tried []string
	candidates := []string{inc.Path}
	if !filepath.IsAbs(inc.Path) {
		candidates = []string{filepath.Join(filepath.Dir(from), inc.Path)}
		if alt := filepath.Join(l.firstDir, inc.Path); alt != candidates[0] {
			candidates = append(candidates, alt)
		}
	}
	for _, path := range candidates {
		key := l.fileKey(path)
		for i, fr := range l.stack {
			if fr.key == key {
				l.chainError(inc, "include cycle: %s", l.chain(i, path))
				return
			}
		}
		if l.seen[key] {
			return
		}
		src, err := l.read(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				tried = append(tried, path)
				continue
			}
			l.chainError(inc, "cannot read included file %s: %s (include chain: %s)", path, errText(err), l.chain(0, path))
			return
		}
		l.loadSource(path, src, inc.PathPos)
		return
	}
	l.chainError(inc, "included file %q not found (tried %s; include chain: %s)", inc.Path, strings.Join(tried, ", "), l.chain(0, inc.Path))
}

// chain names the include chain from stack[i] to path.
func (l *loader) chain(i int, path string) string {
	var parts []string
	for _, fr := range l.stack[i:] {
		parts = append(parts, fr.path)
	}
	parts = append(parts, path)
	return strings.Join(parts, " -> ")
}

func (l *loader) chainError(inc *IncludeClause, format string, args ...any) {
	e := &Error{Pos: inc.IncludePos, Severity: SeverityError, Msg: fmt.Sprintf(format, args...)}
	for _, fr := range l.stack {
		if fr.via.IsValid() {
			e.Related = append(e.Related, fr.via)
		}
	}
	l.d.add(e)
}

// sha256Hex returns the hex SHA-256 digest of src. It feeds the hash
// through a small buffer rather than converting src to a []byte, which
// would copy the whole file.
func sha256Hex(src string) string {
	h := sha256.New()
	var buf [1024]byte
	for len(src) > 0 {
		n := copy(buf[:], src)
		h.Write(buf[:n])
		src = src[n:]
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// errText strips the path that os errors repeat.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// Package layoutcache gives the Graphviz layout library of the report
// (goccy/go-graphviz) a compilation cache of the user's own.
//
// The library compiles Graphviz, built to WebAssembly, in its package
// initialisation: in every ldfi command, before main runs, and panicking on
// any error. It caches the compiled code in $TMPDIR/go-graphviz, one
// directory shared by every user of the machine and owned by the first: any
// other user's ldfi then panicked with "permission denied" on every
// command, even `ldfi version`. The library offers no other setting than
// TMPDIR, and its initialisation cannot be deferred, so this package points
// TMPDIR, for the time of that initialisation, at a directory private to the
// user, ldfi under os.UserCacheDir (e.g. ~/.cache/ldfi), or, when that
// directory cannot be created or is not the user's alone, at a path where no
// cache can be created (the library then compiles without a cache, about
// half a second). Restore puts TMPDIR back; the report package calls it from
// its own initialisation, which follows the library's.
//
// Order: Go initialises, at each step, the first package by import path
// whose imports are all initialised (the Go specification, "Package
// initialization"). This package imports only os and syscall, which the
// library's runtime, github.com/tetratelabs/wazero, imports too, and its
// path sorts before wazero's: it is therefore initialised before wazero, and
// wazero before the library. Keep its imports to packages that os imports.
// The script testdata/script/layout_cache.txtar of internal/cli checks the
// whole effect.
package layoutcache

import (
	"os"
)

// Dir is the cache directory chosen at initialisation, or "" when the
// library compiles without a cache.
var Dir string

var (
	savedTMPDIR string
	hadTMPDIR   bool
	restored    bool
)

// noCache is a TMPDIR under which no directory can be created (its parent
// is not a directory), so that the library runs without a cache.
const noCache = os.DevNull + string(os.PathSeparator) + "ldfi-no-cache"

func init() {
	savedTMPDIR, hadTMPDIR = os.LookupEnv("TMPDIR")
	Dir = privateDir()
	tmp := Dir
	if tmp == "" {
		tmp = noCache
	}
	_ = os.Setenv("TMPDIR", tmp)
}

// Restore sets TMPDIR back to its value before this package's
// initialisation. Later calls do nothing.
func Restore() {
	if restored {
		return
	}
	restored = true
	if hadTMPDIR {
		_ = os.Setenv("TMPDIR", savedTMPDIR)
	} else {
		_ = os.Unsetenv("TMPDIR")
	}
}

// privateDir returns ldfi's cache directory under os.UserCacheDir, created
// when missing, when it and everything the library keeps in it belong to
// the user and no one else can write there; "" otherwise.
func privateDir() string {
	base, err := os.UserCacheDir()
	if err != nil || base == "" || base[0] != os.PathSeparator {
		return ""
	}
	dir := base + string(os.PathSeparator) + "ldfi"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	if !private(dir, 3) {
		return ""
	}
	return dir
}

// private reports whether path and, for directories, the entries below it
// down to depth levels, belong to the user and are writable by the user
// alone (see owned).
func private(path string, depth int) bool {
	st, err := os.Lstat(path)
	if err != nil || !owned(st) {
		return false
	}
	if !st.IsDir() || depth == 0 {
		return true
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if !private(path+string(os.PathSeparator)+e.Name(), depth-1) {
			return false
		}
	}
	return true
}

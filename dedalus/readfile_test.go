//go:build unix

package dedalus

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadSourceFile: only regular files within the size limit are read,
// and the type is checked before the file is opened (a FIFO would block the
// open forever, /dev/zero would be read forever).
func TestReadSourceFile(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.ded")
	if err := os.WriteFile(ok, []byte(`r("a")@1;`), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.ded")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.ded")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxFileSize + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	for _, c := range []struct{ path, want string }{
		{ok, ""},
		{fifo, "open " + fifo + ": not a regular file (a named pipe)"},
		{"/dev/zero", "open /dev/zero: not a regular file (a device)"},
		{dir, "open " + dir + ": is a directory"},
		{big, "file too large (67108865 bytes; the limit is 67108864)"},
		{filepath.Join(dir, "missing.ded"), "open " + filepath.Join(dir, "missing.ded") + ": no such file or directory"},
	} {
		done := make(chan struct{})
		var src string
		var err error
		go func() { src, err = ReadSourceFile(c.path); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: ReadSourceFile still blocked after 10 s", c.path)
		}
		if c.want == "" {
			if err != nil || src != `r("a")@1;` {
				t.Errorf("%s: got %q, %v", c.path, src, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want %q", c.path, err, c.want)
		}
	}
}

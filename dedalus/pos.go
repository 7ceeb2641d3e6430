package dedalus

import "strconv"

// Pos is a source position: file name, 1-based line and column (in bytes).
// The zero Pos (NoPos) means "no position".
type Pos struct {
	File string
	Line int
	Col  int
}

// NoPos is the zero position.
var NoPos = Pos{}

// IsValid reports whether the position is known.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats the position as file:line:col (or file, or "-").
func (p Pos) String() string {
	switch {
	case p.IsValid() && p.File != "":
		return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
	case p.IsValid():
		return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
	case p.File != "":
		return p.File
	}
	return "-"
}

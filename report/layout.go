package report

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/goccy/go-graphviz"

	"github.com/ldfi/ldfi/internal/layoutcache"
)

// The layout library has compiled Graphviz during its initialisation, with
// TMPDIR pointed at the user's own cache (see internal/layoutcache): give
// TMPDIR back to the rest of ldfi.
func init() { layoutcache.Restore() }

// layouter lays out DOT graphs to SVG with Graphviz's dot, compiled to
// WebAssembly (goccy/go-graphviz): no system Graphviz, no cgo.
type layouter struct {
	ctx context.Context
	gv  *graphviz.Graphviz
}

func newLayouter(ctx context.Context) (*layouter, error) {
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, err
	}
	return &layouter{ctx: ctx, gv: gv}, nil
}

func (l *layouter) close() { _ = l.gv.Close() }

// svg renders a DOT graph and returns the <svg> element alone (no XML
// prolog, doctype or generator comment), after checking it contains only
// the drawing elements Graphviz emits: no scripts, links, event handlers or
// foreign content, whatever the labels said.
func (l *layouter) svg(dot string) (string, error) {
	g, err := graphviz.ParseBytes([]byte(dot))
	if err != nil {
		return "", err
	}
	defer g.Close()
	var buf bytes.Buffer
	if err := l.gv.Render(l.ctx, g, graphviz.SVG, &buf); err != nil {
		return "", err
	}
	out := buf.String()
	i := strings.Index(out, "<svg")
	if i < 0 {
		return "", errors.New("graphviz produced no <svg>")
	}
	out = strings.TrimSpace(out[i:])
	if err := checkSVG(out); err != nil {
		return "", err
	}
	return out, nil
}

var svgElements = map[string]bool{
	"svg": true, "g": true, "title": true, "polygon": true, "polyline": true,
	"ellipse": true, "path": true, "text": true, "defs": true,
}

var svgAttrs = map[string]bool{
	"width": true, "height": true, "viewBox": true, "xmlns": true, "xlink": true,
	"id": true, "class": true, "transform": true, "fill": true, "stroke": true,
	"stroke-width": true, "stroke-dasharray": true, "points": true, "cx": true, "cy": true,
	"rx": true, "ry": true, "d": true, "x": true, "y": true, "text-anchor": true,
	"font-family": true, "font-size": true, "font-weight": true, "font-style": true,
	"stroke-opacity": true, "fill-opacity": true,
}

// checkSVG accepts only a whitelisted subset of SVG.
func checkSVG(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("svg: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !svgElements[t.Name.Local] {
				return fmt.Errorf("svg: unexpected element <%s>", t.Name.Local)
			}
			for _, a := range t.Attr {
				if !svgAttrs[a.Name.Local] {
					return fmt.Errorf("svg: unexpected attribute %s on <%s>", a.Name.Local, t.Name.Local)
				}
			}
		case xml.ProcInst, xml.Directive:
			return errors.New("svg: unexpected processing instruction or directive")
		}
	}
}

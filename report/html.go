package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html/template"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
)

//go:embed page.html
var pageHTML string

//go:embed page.css
var pageCSS string

//go:embed page.js
var pageJS string

// consistencyCSS styles the consistency section; a page without it has
// only page.css (its bytes are as they were before the section existed).
//
//go:embed consistency.css
var consistencyCSS string

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{"join": strings.Join, "fields": strings.Fields}).Parse(pageHTML))

type htmlData struct {
	Title   string
	Mode    string
	Verdict string
	Sum     *Summary
	Cex     *cexView
	Note    string
	Runs    []runData
	Files   []fileView
	// Consistency is the consistency section (nil: none).
	Consistency *consistencyView
	CSS         template.CSS
	JS          template.JS
	Data        template.JS
}

type cexView struct {
	Run        int
	Faults     string
	Violations []string
	Replay     string
}

type fileView struct {
	Path  string
	Short string
	Lines []lineView
}

type lineView struct {
	N    int
	Text string
	Inv  bool
	// ID anchors the first line of a point of order's rule; Pof titles
	// every line of it with the points of order there.
	ID  string
	Pof string
}

// renderHTML renders the self-contained page. The page data is JSON with
// <, > and & escaped as \u003c..., so it cannot end the script element.
func renderHTML(prog *dedalus.Program, sum *Summary, pg *page) ([]byte, error) {
	data, err := json.Marshal(pg.data) // HTML-escaping on
	if err != nil {
		return nil, err
	}
	d := htmlData{
		Mode: pg.data.Mode, Verdict: sum.Verdict, Sum: sum, Note: pg.data.Note, Runs: pg.data.Runs,
		CSS: template.CSS(pageCSS), JS: template.JS(pageJS), Data: template.JS(data),
	}
	var names []string
	inv := invariantLines(prog)
	d.Consistency = newConsistencyView(sum.Consistency, prog)
	if d.Consistency != nil {
		d.CSS += template.CSS(consistencyCSS)
	}
	pof := pointLines(prog, d.Consistency)
	anchors := map[string]bool{}
	if d.Consistency != nil {
		for _, p := range d.Consistency.Points {
			anchors[p.Anchor] = true
		}
	}
	for fi, f := range prog.Files {
		names = append(names, f.Path)
		fv := fileView{Path: f.Path, Short: f.SHA256}
		if len(fv.Short) > 12 {
			fv.Short = fv.Short[:12]
		}
		text := strings.TrimSuffix(f.Text, "\n")
		for i, l := range strings.Split(text, "\n") {
			lv := lineView{N: i + 1, Text: strings.TrimSuffix(l, "\r"), Inv: inv[f.Path][i+1]}
			if titles := pof[f.Path][i+1]; len(titles) > 0 {
				lv.Pof = strings.Join(titles, "\n")
				if anchors[lineAnchor(fi, i+1)] {
					lv.ID = lineAnchor(fi, i+1)
				}
			}
			fv.Lines = append(fv.Lines, lv)
		}
		d.Files = append(d.Files, fv)
	}
	d.Title = strings.Join(names, " ")
	for _, r := range pg.data.Runs {
		if r.Index == pg.data.Selected && r.Verdict == "violation" {
			d.Cex = &cexView{Run: r.Index, Faults: r.Faults, Violations: r.Violations, Replay: r.Replay}
		}
	}
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

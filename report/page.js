// ldfi report: draws the spacetime diagram and the lineage graphs of the
// selected run from the JSON embedded in the page. All user text goes
// through textContent or setAttribute, never through HTML parsing.
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("ldfi-data").textContent);
  var byIndex = {};
  data.runs.forEach(function (r) { byIndex[r.index] = r; });

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k])); }
    if (parent) parent.appendChild(e);
    return e;
  }
  function title(parent, text) { el("title", {}, parent).textContent = text; }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // Spacetime: one lane per node, time downwards.
  var LANE = 150, ROW = 64, TOP = 46, LEFT = 70;
  // arrivals: when the copies of an arrow's messages arrive, the first
  // copy first (after EOT included).
  function arrivals(a) {
    var out = [a.t + 1 + (a.delay || 0)];
    if (a.dup) out.push(a.t + 1 + a.dup);
    return out;
  }
  function isLost(a) { return a.status.indexOf("lost-") === 0; }
  // fate says what became of an arrow's messages (spacetime.go's fate says
  // the same).
  function fate(a, eot) {
    switch (a.status) {
      case "lost-omission": return "LOST (omission)";
      case "lost-crash": return "LOST (sender crashed)";
      case "lost-partition": return "LOST (partition)";
    }
    var at = function (t) { return t > eot ? "arrives after EOT" : "delivered at " + t; };
    var arr = arrivals(a), s = at(arr[0]);
    if (a.delay) s += " (late +" + a.delay + ")";
    if (a.dup) s += "; duplicated: again " + at(arr[1]).replace(/^delivered /, "");
    return s;
  }
  function interval(p) { return p.from === p.to ? String(p.from) : p.from + "–" + p.to; }
  // drawPartitions shades each partition's send times; the cut is a line
  // between the groups when each is contiguous in the lane order, else
  // every lane is tagged with its group (A or B).
  function drawPartitions(svg, st, x, y, w, last) {
    (st.partitions || []).forEach(function (p) {
      var g = el("g", { "class": "partition" }, svg);
      var top = y(p.from) - 14, bottom = y(Math.min(p.to + 1, last));
      el("rect", { x: 4, y: top, width: w - 8, height: bottom - top, "class": "band" }, g);
      var label = "partition " + p.label;
      if (p.cut > 0) {
        var cx = (x(p.cut - 1) + x(p.cut)) / 2;
        el("line", { x1: cx, x2: cx, y1: top, y2: bottom, "class": "cut-line" }, g);
      } else {
        var names = function (grp) { return grp.map(function (l) { return st.lanes[l]; }).join(","); };
        label = "partition A{" + names(p.groups[0]) + "} | B{" + names(p.groups[1]) + "}";
        p.groups.forEach(function (grp, k) {
          grp.forEach(function (l) { el("text", { x: x(l) + 6, y: top + 12, "class": "group-tag" }, g).textContent = k ? "B" : "A"; });
        });
      }
      // the label goes right of the last lane (the diagram is widened for it)
      [label, "sent " + interval(p)].forEach(function (line, k) {
        el("text", { x: x(st.lanes.length - 1) + 56, y: top + 12 + 13 * k, "class": "band-label" }, g).textContent = line;
      });
      title(g, "partition " + p.label + ": messages sent at " + interval(p) + " between the groups are lost");
    });
  }
  // crossAt is where along an arrow (0..1) a lost one is crossed: at the
  // cut of the partition that lost it, when drawn as a line; else 0.55.
  function crossAt(st, a, x) {
    if (a.status !== "lost-partition") return 0.55;
    var f = 0.55;
    (st.partitions || []).forEach(function (p) {
      if (p.cut > 0 && a.t >= p.from && a.t <= p.to && (a.from < p.cut) !== (a.to < p.cut)) {
        var cx = (x(p.cut - 1) + x(p.cut)) / 2;
        f = (cx - x(a.from)) / (x(a.to) - x(a.from));
      }
    });
    return f;
  }
  // msgLine draws one copy of an arrow from (x1,y1) to (x2,y2), stopping
  // short of the lane so the arrowhead stays visible.
  function msgLine(g, x1, y1, x2, y2, cls, marker) {
    var dx = x2 - x1, dy = y2 - y1, len = Math.sqrt(dx * dx + dy * dy);
    var line = el("line", { x1: x1, y1: y1, x2: x2 - dx / len * 4, y2: y2 - dy / len * 4, "class": cls }, g);
    if (marker) line.setAttribute("marker-end", marker);
    return line;
  }
  function drawArrow(svg, st, a, x, y) {
    var lost = isLost(a), arr = arrivals(a);
    var late = !lost && (a.status === "after-eot" || arr[0] > st.eot);
    var g = el("g", { "class": "arrow " + a.status + (lost ? " lost" : "") + (a.delay && !lost ? " delayed" : "") + (a.dup && !lost ? " duplicated" : "") }, svg);
    var x1 = x(a.from), y1 = y(a.t), x2 = x(a.to), y2 = y(Math.min(arr[0], st.eot + 1));
    var dx = x2 - x1, dy = y2 - y1;
    msgLine(g, x1, y1, x2, y2, "msg" + (late ? " after" : ""), lost ? null : (late ? "url(#arrow-late)" : "url(#arrow-ok)"));
    if (lost) {
      // a partition's crosses sit on its cut line, smaller: many meet there
      var f = crossAt(st, a, x), mx = x1 + dx * f, my = y1 + dy * f, r = f === 0.55 ? 7 : 5;
      el("path", { d: "M" + (mx - r) + "," + (my - r) + " L" + (mx + r) + "," + (my + r) + " M" + (mx + r) + "," + (my - r) + " L" + (mx - r) + "," + (my + r), "class": "cross" }, g);
    }
    if (a.delay && !lost) {
      el("text", { x: x2 + (dx > 0 ? 6 : -6), y: y2 + 4, "class": "late-label", "text-anchor": dx > 0 ? "start" : "end" }, g).textContent = "+" + a.delay;
    }
    if (a.dup && !lost) {
      var y3 = y(Math.min(arr[1], st.eot + 1)), after = arr[1] > st.eot;
      msgLine(g, x1, y1, x2, y3, "msg dup" + (after ? " after" : ""), after ? "url(#arrow-late)" : "url(#arrow-ok)");
      el("text", { x: x2 + (dx > 0 ? 6 : -6), y: y3 + 4, "class": "dup-label", "text-anchor": dx > 0 ? "start" : "end" }, g).textContent = "dup +" + a.dup;
    }
    var lx = x1 + dx * 0.75, ly = y1 + dy * 0.75 - 5;
    var label = a.msgs[0].replace(/\(.*$/, "") + (a.msgs.length > 1 ? " ×" + a.msgs.length : "");
    // anchored away from the receiver's lane, so labels of arrows that
    // meet at one lane from both sides do not overlap
    el("text", { x: lx, y: ly, "class": "msg-label", "text-anchor": dx > 0 ? "end" : "start" }, g).textContent = label;
    title(g, st.lanes[a.from] + "→" + st.lanes[a.to] + " sent at " + a.t + ", " + fate(a, st.eot) + "\n" + a.msgs.join("\n"));
  }
  function drawSpacetime(box, st) {
    clear(box);
    if (!st) { var p = document.createElement("p"); p.className = "note"; p.textContent = "No spacetime diagram embedded for this run."; box.appendChild(p); return; }
    var last = st.eot;
    st.arrows.forEach(function (a) { arrivals(a).forEach(function (t) { last = Math.max(last, Math.min(t, st.eot + 1)); }); });
    var y = function (t) { return TOP + (t - 1) * ROW; };
    var x = function (l) { return LEFT + l * LANE; };
    var w = LEFT + Math.max(1, st.lanes.length) * LANE, h = y(last) + 30;
    if ((st.partitions || []).length) w += 110; // room for the partitions' labels
    var svg = el("svg", { id: "spacetime", "class": "spacetime", width: w, height: h, viewBox: "0 0 " + w + " " + h, role: "img" });
    var defs = el("defs", {}, svg);
    [["arrow-ok", "#2f5d8a"], ["arrow-late", "#999"]].forEach(function (m) {
      var mk = el("marker", { id: m[0], viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
      el("path", { d: "M0,0 L10,5 L0,10 z", fill: m[1] }, mk);
    });
    var grid = el("g", { "class": "times" }, svg);
    for (var t = 1; t <= last; t++) {
      el("line", { x1: 8, x2: w - 8, y1: y(t), y2: y(t), "class": t > st.eot ? "tick after" : "tick" }, grid);
      el("text", { x: 8, y: y(t) - 4, "class": "tlabel" }, grid).textContent = t > st.eot ? "after EOT" : "t=" + t;
    }
    drawPartitions(svg, st, x, y, w, last);
    st.lanes.forEach(function (name, l) {
      var g = el("g", { "class": "lane", "data-node": name }, svg);
      var crash = 0;
      st.crashes.forEach(function (c) { if (c.lane === l) crash = c.t; });
      var end = crash ? y(crash) : y(last);
      el("line", { x1: x(l), x2: x(l), y1: y(1) - 8, y2: end, "class": "lane-line" }, g);
      if (crash) el("line", { x1: x(l), x2: x(l), y1: y(crash), y2: y(last), "class": "lane-line mute" }, g);
      var lbl = el("text", { x: x(l), y: 18, "class": "lane-label", "text-anchor": "middle" }, g);
      lbl.textContent = name;
      title(g, "node " + name + (crash ? " (crashed at " + crash + ")" : ""));
    });
    st.crashes.forEach(function (c) {
      var g = el("g", { "class": "crash", transform: "translate(" + x(c.lane) + "," + y(c.t) + ")" }, svg);
      el("circle", { r: 11, "class": "crash-ring" }, g);
      el("path", { d: "M-7,-7 L7,7 M7,-7 L-7,7", "class": "crash-x" }, g);
      el("text", { x: 14, y: -10, "class": "crash-label" }, g).textContent = "crash";
      title(g, st.lanes[c.lane] + " crashed at " + c.t + ": sends nothing from now on");
    });
    st.arrows.forEach(function (a) { drawArrow(svg, st, a, x, y); });
    box.appendChild(svg);
    asyncLegend(st);
    if (st.self_sends > 0) {
      var n = document.createElement("p");
      n.className = "note";
      n.textContent = st.self_sends + " message(s) a node sent to itself are not drawn (never lost).";
      box.appendChild(n);
    }
  }
  // asyncLegend explains the marks of the asynchrony faults the run has.
  function asyncLegend(st) {
    var box = document.getElementById("legend-async");
    if (!box) return;
    clear(box);
    var has = function (f) { return st.arrows.some(f); };
    [[has(function (a) { return a.delay && !isLost(a); }), "l-delay", "late by d steps"],
      [has(function (a) { return a.dup && !isLost(a); }), "l-dup", "duplicate: second arrow"],
      [(st.partitions || []).length > 0, "l-part", "partition: shaded, cut marked"]].forEach(function (e) {
      if (!e[0]) return;
      var s = document.createElement("span"); s.className = e[1]; s.textContent = e[2]; box.appendChild(s);
    });
  }

  // Lineage: the outcome's fault-free graph, and the same graph restyled
  // with what the run lost.
  function parseSVG(text) {
    var doc = new DOMParser().parseFromString(text, "image/svg+xml");
    var root = doc.documentElement;
    if (!root || root.nodeName !== "svg") return null;
    return document.importNode(root, true);
  }
  function nodeName(g) {
    var cls = (g.getAttribute("class") || "").split(/\s+/);
    for (var i = 0; i < cls.length; i++) if (/^[td][0-9]+$/.test(cls[i])) return cls[i];
    return null;
  }
  function drawLineage(box, o, rl, caption) {
    clear(box);
    var cap = document.createElement("figcaption");
    cap.textContent = caption;
    box.appendChild(cap);
    var svg = o.svg ? parseSVG(o.svg) : null;
    if (!svg) {
      var p = document.createElement("p"); p.className = "note";
      p.textContent = o.error || "no lineage graph"; box.appendChild(p); return;
    }
    svg.classList.add("lineage");
    var missing = {}, cut = {};
    if (rl) {
      rl.missing.forEach(function (n) { missing[n] = true; });
      rl.cut.forEach(function (c) { cut[c.node] = c.why; });
    }
    var why = { send: "CUT: its message was lost", late: "CUT: its message arrived late", body: "CUT: a tuple it used is missing", neg: "CUT: a tuple it relied on being absent appeared" };
    Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (g) {
      var n = nodeName(g);
      if (!n) return;
      var t = g.querySelector("title");
      var tip = o.tips[n] || n;
      if (rl && missing[n]) { g.classList.add("missing"); tip += "\nMISSING in this run"; }
      if (rl && cut[n]) { g.classList.add("cut", "cut-" + cut[n]); tip += "\n" + why[cut[n]]; }
      if (t) t.textContent = tip;
    });
    Array.prototype.forEach.call(svg.querySelectorAll("g.edge"), function (g) {
      var t = g.querySelector("title");
      var ends = t ? t.textContent.split("->") : [];
      if (t) t.textContent = ends.map(function (n) { return (o.tips[n] || n).split("\n")[0]; }).join(" → ");
      if (rl && ends.length === 2 && (missing[ends[0]] || cut[ends[0]])) g.classList.add("cut");
    });
    var scroll = document.createElement("div");
    scroll.className = "graph-scroll";
    scroll.appendChild(svg);
    box.appendChild(scroll);
    // A wide graph is shown at no less than 60% of its size (scroll for
    // the rest) rather than shrunk to an unreadable width.
    var natural = svg.viewBox && svg.viewBox.baseVal ? svg.viewBox.baseVal.width : 0;
    var room = scroll.clientWidth;
    if (natural > 0 && room > 0 && natural > room) {
      svg.style.maxWidth = "none";
      svg.style.width = Math.max(room, natural * 0.6) + "px";
    }
    fitLabels(svg);
    if (o.truncated) {
      var tn = document.createElement("p"); tn.className = "note";
      tn.textContent = "Graph truncated: dashed tuples are not expanded."; box.appendChild(tn);
    }
  }

  // Graphviz sized the shapes for its own font metrics; where the
  // browser's font is wider, squeeze the label into its shape.
  function fitLabels(svg) {
    Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (g) {
      var shape = g.querySelector("polygon, ellipse, path");
      var text = g.querySelector("text");
      if (!shape || !text || !text.getComputedTextLength) return;
      var room = shape.getBBox().width - (shape.nodeName === "ellipse" ? 14 : 8);
      if (room > 0 && text.getComputedTextLength() > room) {
        text.setAttribute("textLength", String(room));
        text.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    });
  }

  var current = null;
  function showOutcome(r, k) {
    var rl = r.lineage[k];
    var free = document.getElementById("lineage-free"), run = document.getElementById("lineage-run");
    if (!rl) {
      clear(free); clear(run);
      var p = document.createElement("p"); p.className = "note";
      p.textContent = "No lineage graph for this run."; free.appendChild(p);
      return;
    }
    var o = data.outcomes[rl.outcome];
    // Wide graphs go one above the other.
    var vb = o.svg ? o.svg.match(/viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+)/) : null;
    document.querySelector(".pair").classList.toggle("stacked", !!vb && Number(vb[1]) > 560);
    drawLineage(free, o, null, "fault-free run: lineage of " + o.atom);
    var what;
    if (!rl.holds) what = o.atom + " is missing — red: cut";
    else if (rl.cut.length) what = o.atom + " still holds (another derivation survived) — red: cut";
    else what = o.atom + " holds; nothing in its lineage is cut";
    drawLineage(run, o, rl, "run " + r.index + ": " + what);
  }
  function select(index) {
    var r = byIndex[index];
    if (!r) return;
    current = r;
    Array.prototype.forEach.call(document.querySelectorAll("#runs tbody tr"), function (tr) {
      tr.classList.toggle("selected", tr.getAttribute("data-index") === String(index));
    });
    document.getElementById("run-title").textContent = "Run " + r.index + " — " + r.verdict;
    document.getElementById("run-faults").textContent = r.faults;
    document.getElementById("run-replay").textContent = r.replay;
    var v = document.getElementById("run-violations");
    v.textContent = r.violations.length ? "violated: " + r.violations.join(", ") : "invariant holds";
    var notes = document.getElementById("run-notes");
    clear(notes);
    r.notes.forEach(function (s) { var li = document.createElement("li"); li.textContent = s; notes.appendChild(li); });
    drawSpacetime(document.getElementById("spacetime-box"), r.spacetime);
    var sel = document.getElementById("outcome");
    clear(sel);
    r.lineage.forEach(function (rl, k) {
      var opt = document.createElement("option");
      opt.value = String(k);
      opt.textContent = data.outcomes[rl.outcome].atom + (rl.holds ? "" : " (missing)");
      sel.appendChild(opt);
    });
    sel.disabled = r.lineage.length < 2;
    showOutcome(r, 0);
  }
  document.getElementById("outcome").addEventListener("change", function (e) {
    if (current) showOutcome(current, Number(e.target.value));
  });
  document.querySelector("#runs tbody").addEventListener("click", function (e) {
    var tr = e.target.closest("tr");
    if (tr) select(Number(tr.getAttribute("data-index")));
  });
  document.querySelector("#runs tbody").addEventListener("keydown", function (e) {
    var tr = e.target.closest("tr");
    if (tr && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); select(Number(tr.getAttribute("data-index"))); }
  });
  document.getElementById("filter").addEventListener("change", function (e) {
    var want = e.target.value, shown = 0;
    Array.prototype.forEach.call(document.querySelectorAll("#runs tbody tr"), function (tr) {
      var ok = want === "all" || tr.getAttribute("data-verdict") === want;
      tr.hidden = !ok;
      if (ok) shown++;
    });
    document.getElementById("shown").textContent = String(shown);
  });
  select(data.selected);
})();

/* The network page: sides placed by a small force layout, edges as lines whose width is the
   number of events and whose colour is the mean Goldstein score. */
"use strict";

(async () => {
  const node = document.getElementById("network");
  const SCALE = [[0, "#b2182b"], [0.3, "#ef8a62"], [0.5, "#d1d5db"], [0.7, "#67a9cf"], [1, "#2166ac"]];

  function color(g) {
    const t = Math.max(0, Math.min(1, ((g || 0) + 10) / 20));
    for (let i = 1; i < SCALE.length; i++) {
      if (t <= SCALE[i][0]) {
        const [t0, c0] = SCALE[i - 1], [t1, c1] = SCALE[i];
        const f = (t - t0) / (t1 - t0);
        const mix = (k) => Math.round(parseInt(c0.substr(k, 2), 16) * (1 - f) + parseInt(c1.substr(k, 2), 16) * f);
        return `rgb(${mix(1)},${mix(3)},${mix(5)})`;
      }
    }
    return SCALE[SCALE.length - 1][1];
  }

  /* Fruchterman-Reingold from a circle for one connected group of sides, scaled into the unit
     disc: the same input gives the same picture. */
  function forceLayout(sides, edges) {
    const n = sides.length;
    const pos = new Map(sides.map((s, i) => [s, { x: Math.cos(2 * Math.PI * i / n), y: Math.sin(2 * Math.PI * i / n) }]));
    if (n === 1) { pos.set(sides[0], { x: 0, y: 0 }); return pos; }
    if (n === 2) { pos.set(sides[0], { x: -1, y: 0 }); pos.set(sides[1], { x: 1, y: 0 }); return pos; }
    const k = 2 / Math.sqrt(n);
    const steps = 400;
    for (let step = 0; step < steps; step++) {
      const temp = 0.15 * (1 - step / steps) + 0.002;
      const disp = new Map(sides.map((s) => [s, { x: 0, y: 0 }]));
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const p = pos.get(sides[i]), q = pos.get(sides[j]);
          let dx = p.x - q.x, dy = p.y - q.y;
          const d = Math.max(0.01, Math.hypot(dx, dy));
          const f = (k * k) / d;
          dx /= d; dy /= d;
          disp.get(sides[i]).x += dx * f; disp.get(sides[i]).y += dy * f;
          disp.get(sides[j]).x -= dx * f; disp.get(sides[j]).y -= dy * f;
        }
      }
      for (const e of edges) {
        const p = pos.get(e.a), q = pos.get(e.b);
        let dx = p.x - q.x, dy = p.y - q.y;
        const d = Math.max(0.01, Math.hypot(dx, dy));
        const f = (d * d) / k;
        dx /= d; dy /= d;
        disp.get(e.a).x -= dx * f; disp.get(e.a).y -= dy * f;
        disp.get(e.b).x += dx * f; disp.get(e.b).y += dy * f;
      }
      for (const s of sides) {
        const p = pos.get(s), v = disp.get(s);
        const d = Math.max(0.01, Math.hypot(v.x, v.y));
        p.x += (v.x / d) * Math.min(d, temp);
        p.y += (v.y / d) * Math.min(d, temp);
      }
    }
    const cx = sides.reduce((t, s) => t + pos.get(s).x, 0) / n;
    const cy = sides.reduce((t, s) => t + pos.get(s).y, 0) / n;
    const r = Math.max(...sides.map((s) => Math.hypot(pos.get(s).x - cx, pos.get(s).y - cy))) || 1;
    for (const s of sides) { const p = pos.get(s); p.x = (p.x - cx) / r; p.y = (p.y - cy) / r; }
    return pos;
  }

  /* Each connected group laid out on its own, then the groups packed in rows, biggest first,
     each in a square cell whose side grows with the square root of its size. */
  function layout(sides, edges) {
    const parent = new Map(sides.map((s) => [s, s]));
    const find = (s) => { while (parent.get(s) !== s) s = parent.get(s); return s; };
    for (const e of edges) parent.set(find(e.a), find(e.b));
    const groups = new Map();
    for (const s of sides) { const g = find(s); if (!groups.has(g)) groups.set(g, []); groups.get(g).push(s); }
    const ordered = [...groups.values()].sort((g1, g2) => g2.length - g1.length);
    const size = (g) => (1 + 1.6 * Math.sqrt(g.length)) * (g === ordered[0] && g.length > 4 ? 1.7 : 1);
    const width = Math.max(size(ordered[0]) * 1.8, Math.sqrt(ordered.reduce((t, g) => t + size(g) ** 2, 0) * 2.2));
    const pos = new Map();
    let x = 0, y = 0, rowHeight = 0;
    for (const group of ordered) {
      const d = size(group);
      if (x > 0 && x + d > width) { x = 0; y -= rowHeight; rowHeight = 0; }
      const inner = forceLayout(group, edges.filter((e) => group.includes(e.a)));
      const radius = group.length === 1 ? 0 : (d / 2) * (group.length === 2 ? 0.6 : 0.8);
      for (const s of group) {
        const p = inner.get(s);
        pos.set(s, { x: x + d / 2 + p.x * radius, y: y - d / 2 + p.y * radius, below: p.y < -0.2 });
      }
      x += d; rowHeight = Math.max(rowHeight, d);
    }
    return pos;
  }

  try {
    const page = await D.fetchJSON(node.dataset.json);
    const edges = page.rows;
    if (!edges.length) { D.showError(node, "No pairs with these filters."); return; }
    const totals = new Map(), names = new Map();
    for (const e of edges) {
      totals.set(e.a, (totals.get(e.a) || 0) + e.weight); totals.set(e.b, (totals.get(e.b) || 0) + e.weight);
      names.set(e.a, e.a_name); names.set(e.b, e.b_name);
    }
    const sides = [...totals.keys()].sort((x, y) => totals.get(y) - totals.get(x) || (x < y ? -1 : 1));
    const pos = layout(sides, edges);
    const maxW = Math.max(...edges.map((e) => e.weight));
    const width = (w) => 1.5 + 8 * Math.sqrt(w / maxW);
    const traces = edges.map((e) => ({
      type: "scatter", mode: "lines", hoverinfo: "skip", showlegend: false,
      x: [pos.get(e.a).x, pos.get(e.b).x], y: [pos.get(e.a).y, pos.get(e.b).y],
      line: { color: color(e.goldstein_mean), width: width(e.weight) }, opacity: 0.85,
    }));
    traces.push({
      type: "scatter", mode: "markers", name: "pairs", showlegend: false,
      x: edges.map((e) => (pos.get(e.a).x + pos.get(e.b).x) / 2),
      y: edges.map((e) => (pos.get(e.a).y + pos.get(e.b).y) / 2),
      customdata: edges.map((e) => [e.a, e.b]),
      text: edges.map((e) => `${D.esc(e.a_name)} – ${D.esc(e.b_name)}<br>${e.weight} events: ${e.cooperation} cooperation, ${e.conflict} conflict<br>mean Goldstein ${D.signed(e.goldstein_mean)}`),
      hovertemplate: "%{text}<extra></extra>",
      marker: { size: 9, color: edges.map((e) => e.goldstein_mean || 0), colorscale: SCALE, cmin: -10, cmax: 10,
                line: { color: "#fff", width: 1 },
                colorbar: { title: { text: "mean<br>Goldstein", side: "top" }, tickvals: [-10, -5, 0, 5, 10],
                            ticktext: ["−10 conflict", "−5", "0", "+5", "+10 coop."], len: 0.6, thickness: 14 } },
    });
    const maxT = Math.max(...totals.values());
    traces.push({
      type: "scatter", mode: "markers+text", name: "sides", showlegend: false,
      x: sides.map((s) => pos.get(s).x), y: sides.map((s) => pos.get(s).y),
      text: sides.map(D.esc), textposition: sides.map((s) => (pos.get(s).below ? "bottom center" : "top center")), textfont: { size: 12, color: "#111827" }, cliponaxis: false,
      hovertext: sides.map((s) => `${D.esc(names.get(s))} (${D.esc(s)})<br>${totals.get(s)} events with the sides shown`),
      hovertemplate: "%{hovertext}<extra></extra>",
      marker: { size: sides.map((s) => 8 + 18 * Math.sqrt(totals.get(s) / maxT)), color: "#475569", line: { color: "#fff", width: 1.5 } },
    });
    const axis = { visible: false, zeroline: false, showgrid: false };
    await Plotly.newPlot(node, traces, {
      height: 620, margin: { l: 20, r: 20, t: 20, b: 20 }, hovermode: "closest",
      xaxis: axis, yaxis: { ...axis, scaleanchor: "x" }, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
      font: { family: "system-ui, sans-serif", size: 13 },
    }, { displaylogo: false, responsive: true });
    node.on("plotly_click", (data) => {
      const pt = data.points[0];
      if (pt && pt.customdata) window.location.href = `/dyad?a=${encodeURIComponent(pt.customdata[0])}&b=${encodeURIComponent(pt.customdata[1])}`;
    });
    node.dataset.ready = "1";
    node.dataset.edges = String(edges.length);
  } catch (err) {
    D.showError(node, `Could not draw the network: ${err.message}`);
  }
})();

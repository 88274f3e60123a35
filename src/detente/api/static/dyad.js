/* The dyad page: for each direction, events per period by quad class (stacked bars) and the
   mean Goldstein score (line, right axis), from the page's JSON twin. */
"use strict";

(async () => {
  const box = document.getElementById("dyad");
  if (!box) return;
  const { a, b, aName, bName, by } = box.dataset;

  /* every period from the first to the last, so that quiet months show as gaps */
  function periods(rows) {
    const seen = [...new Set(rows.map((r) => r.period))].sort();
    if (seen.length < 2 || !["month", "year"].includes(by)) return seen;
    const out = [];
    if (by === "year") {
      for (let y = +seen[0]; y <= +seen[seen.length - 1]; y++) out.push(String(y));
      return out;
    }
    let [y, m] = seen[0].split("-").map(Number);
    const [ly, lm] = seen[seen.length - 1].split("-").map(Number);
    while (y < ly || (y === ly && m <= lm)) {
      out.push(`${y}-${String(m).padStart(2, "0")}`);
      m += 1; if (m > 12) { m = 1; y += 1; }
    }
    return out;
  }

  function label(period) {
    if (by !== "month") return period;
    const [y, m] = period.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, 1)).toLocaleString("en", { month: "short", year: "numeric", timeZone: "UTC" });
  }

  function draw(id, direction, title, rows, xs) {
    const byPeriod = new Map(rows.filter((r) => r.direction === direction).map((r) => [r.period, r]));
    const x = xs.map(label);
    const value = (p, key) => (byPeriod.get(p) || {})[key] || 0;
    const keys = { 1: "verbal_coop", 2: "material_coop", 3: "verbal_conflict", 4: "material_conflict" };
    const traces = [1, 2, 3, 4].map((q) => ({
      type: "bar", name: D.QUADS[q].name, x, y: xs.map((p) => value(p, keys[q])),
      marker: { color: D.QUADS[q].color }, hovertemplate: `%{x}<br>${D.QUADS[q].name}: %{y} events<extra></extra>`,
    }));
    const gold = xs.map((p) => (byPeriod.get(p) && byPeriod.get(p).events ? byPeriod.get(p).goldstein_mean : null));
    traces.push({
      type: "scatter", mode: "lines+markers", name: "Mean Goldstein", x, y: gold, yaxis: "y2",
      connectgaps: false, line: { color: "#1f2937", width: 2.5 }, marker: { size: 8, color: "#1f2937" },
      hovertemplate: "%{x}<br>mean Goldstein %{y:+.1f}<extra></extra>",
    });
    const total = xs.reduce((n, p) => n + value(p, "events"), 0);
    const highest = Math.max(1, ...xs.map((p) => value(p, "events")));
    const layout = {
      title: { text: `${title} <span style="font-size:13px;color:#6b7280">${total} ${total === 1 ? "event" : "events"}</span>`, x: 0.01, xanchor: "left", font: { size: 17 } },
      barmode: "stack", bargap: xs.length < 4 ? 0.6 : 0.2, height: 360,
      margin: { l: 60, r: 70, t: 56, b: 50 },
      xaxis: { type: "category", title: { text: by === "week" ? "ISO week" : by }, tickangle: xs.length > 12 ? -45 : 0, automargin: true },
      yaxis: { title: { text: `events per ${by}` }, rangemode: "tozero", gridcolor: "#e5e7eb", tickformat: ",d",
               dtick: highest <= 8 ? 1 : null, range: highest <= 8 ? [0, highest + 0.5] : null },
      yaxis2: { title: { text: "mean Goldstein (−10 … +10)" }, overlaying: "y", side: "right", range: [-10.5, 10.5],
                zeroline: true, zerolinecolor: "#9ca3af", showgrid: false, tickvals: [-10, -5, 0, 5, 10] },
      legend: { orientation: "h", traceorder: "normal", y: 1.02, yanchor: "bottom", x: 1, xanchor: "right", font: { size: 12 } },
      paper_bgcolor: "#fff", plot_bgcolor: "#fff", font: { family: "system-ui, sans-serif", size: 13, color: "#111827" },
    };
    const node = document.getElementById(id);
    return Plotly.newPlot(node, traces, layout, { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] })
      .then(() => { node.dataset.points = String(total); });
  }

  try {
    const page = await D.fetchJSON(box.dataset.json);
    const xs = periods(page.rows);
    await draw("chart-ab", `${a}>${b}`, `${D.esc(aName)} → ${D.esc(bName)}`, page.rows, xs);
    if (a !== b) await draw("chart-ba", `${b}>${a}`, `${D.esc(bName)} → ${D.esc(aName)}`, page.rows, xs);
    else document.getElementById("chart-ba").remove();
    box.dataset.ready = "1";
  } catch (err) {
    D.showError(box, `Could not draw the charts: ${err.message}`);
  }
})();

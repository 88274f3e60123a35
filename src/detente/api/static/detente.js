/* detente dashboard: shared helpers. Article text only ever reaches the page as DOM text
   nodes (textContent), never as HTML. */
"use strict";

const D = (() => {
  const QUADS = {
    1: { name: "Verbal cooperation", color: "#86c5a4" },
    2: { name: "Material cooperation", color: "#1f7a4d" },
    3: { name: "Verbal conflict", color: "#f2a65a" },
    4: { name: "Material conflict", color: "#c0392b" },
  };

  async function fetchJSON(url, options) {
    const response = await fetch(url, options);
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const detail = body && body.detail ? body.detail : response.statusText;
      const err = new Error(`${response.status}: ${detail}`);
      err.status = response.status;
      throw err;
    }
    return body;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function signed(x) {
    return x === null || x === undefined ? "" : (x > 0 ? "+" : "") + Number(x).toFixed(1);
  }

  /* The sentence around [start, end): from the last sentence end before to the next after. */
  function sentenceAround(text, start, end) {
    let s = start;
    while (s > 0 && !/[.!?\n]/.test(text[s - 1])) s--;
    let e = end;
    while (e < text.length && !/[.!?\n]/.test(text[e])) e++;
    return [s, Math.min(text.length, e + 1)];
  }

  /* Spans to light: one record per stretch of text with its classes and a label. */
  function spansOf(doc) {
    const spans = [];
    const actors = new Map(doc.actors.map((a) => [a.id, a]));
    for (const actor of doc.actors) {
      const label = `${actor.name}${actor.code ? " (" + actor.code + ")" : ""}, ${actor.kind}`;
      for (const m of actor.mentions) {
        spans.push({ start: m.start, end: m.end, cls: "actor", key: "actor:" + actor.id, label });
      }
    }
    doc.events.forEach((ev, i) => {
      const names = (ids) => ids.map((id) => (actors.get(id) || { name: id }).name).join(" + ") || "—";
      const label = `event ${i + 1}: ${names(ev.source)} → ${ev.cameo.code} ${ev.cameo.name} → ${names(ev.target)} (Goldstein ${signed(ev.cameo.goldstein)})`;
      spans.push({ start: ev.start, end: ev.end, cls: `event q${ev.cameo.quad_class}`, key: "event:" + (i + 1), label });
    });
    doc.quotes.forEach((q, i) => {
      const who = q.speaker && actors.has(q.speaker) ? actors.get(q.speaker).name : "unknown speaker";
      const parts = q.segments && q.segments.length ? q.segments : [[q.start, q.end]];
      for (const [s, e] of parts) {
        spans.push({ start: s, end: e, cls: "quote", key: "quote:" + (i + 1), label: `quote ${i + 1} (${q.kind}) by ${who}` });
      }
    });
    doc.stances.forEach((st, i) => {
      const who = actors.has(st.holder) ? actors.get(st.holder).name : st.holder;
      spans.push({ start: st.start, end: st.end, cls: `stance ${st.polarity}`, key: "stance:" + (i + 1), label: `stance ${i + 1}: ${who} ${st.polarity}s ${st.topic}` });
    });
    return spans.filter((s) => s.end > s.start);
  }

  /* What to light strongly for the focus ({event|quote|stance: n}). */
  function focusSpans(doc, focus) {
    const text = doc.article.text;
    const out = [];
    if (focus.event && doc.events[focus.event - 1]) {
      const ev = doc.events[focus.event - 1];
      out.push({ start: ev.start, end: ev.end, cls: "focus focus-trigger" });
      const [s, e] = sentenceAround(text, ev.start, ev.end);
      const ids = new Set([...ev.source, ...ev.target]);
      for (const actor of doc.actors) {
        if (!ids.has(actor.id)) continue;
        const inSentence = actor.mentions.filter((m) => m.start >= s && m.end <= e);
        // the actor's mentions in the event's sentence, else its nearest mention
        const chosen = inSentence.length ? inSentence : actor.mentions.slice().sort(
          (m1, m2) => Math.abs(m1.start - ev.start) - Math.abs(m2.start - ev.start)).slice(0, 1);
        for (const m of chosen) out.push({ start: m.start, end: m.end, cls: "focus focus-actor" });
      }
      for (const q of doc.quotes) {
        if (q.start <= ev.start && q.end >= ev.end) out.push({ start: q.start, end: q.end, cls: "focus-quote" });
      }
    }
    if (focus.quote && doc.quotes[focus.quote - 1]) {
      const q = doc.quotes[focus.quote - 1];
      out.push({ start: q.start, end: q.end, cls: "focus focus-quote focus-trigger" });
      const speaker = doc.actors.find((a) => a.id === q.speaker);
      if (speaker) {
        const near = speaker.mentions.slice().sort((m1, m2) => Math.abs(m1.start - q.start) - Math.abs(m2.start - q.start))[0];
        if (near) out.push({ start: near.start, end: near.end, cls: "focus focus-actor" });
      }
    }
    if (focus.stance && doc.stances[focus.stance - 1]) {
      const st = doc.stances[focus.stance - 1];
      out.push({ start: st.start, end: st.end, cls: "focus focus-trigger" });
    }
    return out;
  }

  /* The article text with every span lit, as DOM nodes (text nodes only). */
  function renderText(container, doc, focus) {
    const text = doc.article.text;
    const spans = spansOf(doc).concat(focusSpans(doc, focus || {}));
    const cuts = new Set([0, text.length]);
    for (const s of spans) { cuts.add(Math.max(0, s.start)); cuts.add(Math.min(text.length, s.end)); }
    const points = [...cuts].sort((x, y) => x - y);
    container.replaceChildren();
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const piece = text.slice(a, b);
      const covering = spans.filter((s) => s.start <= a && s.end >= b);
      if (!covering.length) { container.append(document.createTextNode(piece)); continue; }
      const classes = new Set(["hl"]);
      const labels = [];
      const keys = [];
      for (const s of covering) {
        s.cls.split(" ").forEach((c) => classes.add(c));
        if (s.label && !labels.includes(s.label)) labels.push(s.label);
        if (s.key) keys.push(s.key);
      }
      container.append(el("span", { class: [...classes].join(" "), title: labels.join("\n"), "data-keys": keys.join(" ") }, piece));
    }
    const first = container.querySelector(".focus-trigger");
    if (first) first.scrollIntoView({ block: "center" });
  }

  function section(title, count, rows) {
    return el("section", {}, el("h3", {}, `${title} `, el("span", { class: "muted" }, `(${count})`)), rows);
  }

  /* The side panel: events, quotes, stances and actors as lists; clicking one focuses it. */
  function renderSide(container, doc, focus, onFocus) {
    const actors = new Map(doc.actors.map((a) => [a.id, a]));
    const names = (ids) => ids.map((id) => (actors.get(id) || { name: id }).name).join(" + ") || "—";
    const item = (kind, n, selected, ...children) => el("li", {
      class: selected ? "selected" : null, "data-kind": kind, "data-n": n,
      onclick: () => onFocus({ [kind]: n }),
    }, ...children);
    const evs = el("ol", { class: "items" }, ...doc.events.map((ev, i) => item("event", i + 1, focus.event === i + 1,
      el("span", { class: `quad q${ev.cameo.quad_class}`, title: QUADS[ev.cameo.quad_class].name }),
      el("b", {}, names(ev.source)), ` ${ev.cameo.code} ${ev.cameo.name} `, el("b", {}, names(ev.target)),
      ev.negated ? el("span", { class: "tag" }, "not") : null,
      ev.modality ? el("span", { class: "tag" }, ev.modality) : null,
      el("span", { class: "muted" }, ` “${ev.trigger}” · ${signed(ev.cameo.goldstein)}`))));
    const qs = el("ol", { class: "items" }, ...doc.quotes.map((q, i) => item("quote", i + 1, focus.quote === i + 1,
      el("b", {}, q.speaker && actors.has(q.speaker) ? actors.get(q.speaker).name : "unknown"),
      ` (${q.kind}): `, el("span", { class: "muted" }, q.text.length > 140 ? q.text.slice(0, 139) + "…" : q.text))));
    const sts = el("ol", { class: "items" }, ...doc.stances.map((st, i) => item("stance", i + 1, focus.stance === i + 1,
      el("b", {}, actors.has(st.holder) ? actors.get(st.holder).name : st.holder), ` ${st.polarity}s `,
      el("span", { class: `tag ${st.polarity}` }, st.topic))));
    const acts = el("ul", { class: "items actors" }, ...doc.actors.map((a) => el("li", {},
      el("b", {}, a.name), " ", el("span", { class: "muted" }, [a.code, a.kind, a.role].filter(Boolean).join(" · ")),
      ` ×${a.mentions.length}`)));
    container.replaceChildren(
      section("Events", doc.events.length, evs), section("Quotes", doc.quotes.length, qs),
      section("Stances", doc.stances.length, sts), section("Actors", doc.actors.length, acts));
  }

  /* Text and side panel together; a click in the panel moves the focus (and the URL). */
  function renderDocument(doc, focus, onFocusChange) {
    const textBox = document.getElementById("doc-text");
    const side = document.getElementById("doc-side");
    const draw = (f) => {
      renderText(textBox, doc, f);
      renderSide(side, doc, f, (next) => { if (onFocusChange) onFocusChange(next); draw(next); });
    };
    draw(focus || {});
  }

  function focusFromURL() {
    const params = new URLSearchParams(window.location.search);
    const focus = {};
    for (const kind of ["event", "quote", "stance"]) {
      const n = parseInt(params.get(kind), 10);
      if (n > 0) focus[kind] = n;
    }
    return focus;
  }

  function showError(container, message) {
    container.replaceChildren(el("p", { class: "error" }, message));
  }

  /* Text for plotly labels, which read a few HTML tags: store values stay text. */
  function esc(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  return { QUADS, fetchJSON, el, esc, signed, renderDocument, focusFromURL, showError };
})();

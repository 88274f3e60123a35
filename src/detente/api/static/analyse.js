/* Analyse an article: POST the text to /api/extract and light the Document in place. The text
   and date go into the URL (when short enough) so the page can be shared. */
"use strict";

(() => {
  const form = document.getElementById("analyse-form");
  const text = document.getElementById("analyse-text");
  const date = document.getElementById("analyse-date");
  const token = document.getElementById("analyse-token");
  const status = document.getElementById("analyse-status");
  const result = document.getElementById("analyse-result");
  const button = document.getElementById("analyse-run");
  const MAX_URL_TEXT = 6000;

  if (token) token.value = sessionStorage.getItem("detente-token") || "";

  async function run() {
    const body = { text: text.value };
    if (date.value) body.date = date.value;
    const firstLine = text.value.split("\n", 1)[0].trim();
    if (firstLine && firstLine.length < 200 && text.value.includes("\n")) body.title = firstLine;
    const headers = { "content-type": "application/json" };
    if (token && token.value) {
      headers.authorization = `Bearer ${token.value}`;
      sessionStorage.setItem("detente-token", token.value);
    }
    const params = new URLSearchParams();
    if (text.value.length <= MAX_URL_TEXT) params.set("text", text.value);
    if (date.value) params.set("date", date.value);
    history.replaceState(null, "", `${window.location.pathname}?${params}`);
    status.textContent = "Analysing…";
    button.disabled = true;
    const started = performance.now();
    try {
      const doc = await D.fetchJSON("/api/extract", { method: "POST", headers, body: JSON.stringify(body) });
      result.hidden = false;
      D.renderDocument(doc, {});
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      status.textContent = `${doc.actors.length} actors, ${doc.events.length} events, ${doc.quotes.length} quotes, ${doc.stances.length} stances (${seconds} s)`;
      result.dataset.ready = "1";
    } catch (err) {
      status.textContent = "";
      result.hidden = false;
      D.showError(document.getElementById("doc-text"), err.message);
      document.getElementById("doc-side").replaceChildren();
    } finally {
      button.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
  const params = new URLSearchParams(window.location.search);
  if (params.get("date")) date.value = params.get("date");
  if (params.get("text")) { text.value = params.get("text"); run(); }
})();

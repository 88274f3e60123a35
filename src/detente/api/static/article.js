/* The article page: its text with the extraction lit, focus from ?event=N (or quote, stance). */
"use strict";

(async () => {
  const reader = document.getElementById("reader");
  try {
    const doc = await D.fetchJSON(reader.dataset.json);
    D.renderDocument(doc, D.focusFromURL(), (focus) => {
      const params = new URLSearchParams(focus);
      history.replaceState(null, "", `${window.location.pathname}?${params}`);
    });
    reader.dataset.ready = "1";
  } catch (err) {
    D.showError(document.getElementById("doc-text"), `Could not load the article: ${err.message}`);
  }
})();

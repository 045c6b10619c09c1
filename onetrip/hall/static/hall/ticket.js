// A ticket's page: asks for the ticket's status every few seconds and updates the text.
(function () {
  "use strict";
  var card = document.querySelector("[data-status-url]");
  if (!card) { return; }
  var url = card.getAttribute("data-status-url");
  var state = document.getElementById("ticket-state");
  var sentence = document.getElementById("ticket-sentence");
  var finished = ["done", "no_show", "transferred"];

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (t) {
        state.textContent = t.state_label;
        if (sentence.textContent !== t.sentence) { sentence.textContent = t.sentence; }
        if (finished.indexOf(t.state) === -1) { window.setTimeout(poll, 5000); }
      })
      .catch(function () { window.setTimeout(poll, 15000); });
  }
  window.setTimeout(poll, 5000);
})();

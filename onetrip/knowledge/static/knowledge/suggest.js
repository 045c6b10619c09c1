// The operator desk: while the operator types what the caller asks, the knowledge base's best
// answers appear beside the form (fetched from the server, which renders them); "Answer with
// this" copies an article's answer into the answer field and remembers which article it was.
(function () {
  "use strict";
  var box = document.getElementById("suggestions");
  var text = document.getElementById("n-text");
  if (!box || !text) { return; }
  var answer = document.getElementById("n-answer");
  var article = document.getElementById("n-article");
  var used = document.getElementById("n-article-used");
  var timer = null;
  var last = "";
  var seq = 0;

  function fetchSuggestions() {
    var q = text.value.trim().slice(0, 200);
    if (q === last) { return; }
    last = q;
    if (q.length < 2) { box.innerHTML = ""; return; }
    var mine = ++seq;
    fetch(box.getAttribute("data-url") + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (mine === seq) { box.innerHTML = html; } })
      .catch(function () { /* suggestions are a help, not a step: the form works without them */ });
  }

  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 200);
  });
  box.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".use-article") : null;
    if (!button || !answer) { return; }
    answer.value = button.getAttribute("data-answer");
    if (article) { article.value = button.getAttribute("data-article"); }
    if (used) { used.hidden = false; }
    answer.focus();
  });
  if (text.value.trim()) { fetchSuggestions(); }
})();

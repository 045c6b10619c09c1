// The calling screen: polls the hall's feed, redraws calls and queues, announces each new call
// in the aria-live region and, once a person turned sound on, aloud in a Chinese voice if the
// browser has one. No inline script (CSP): this file is served from /static/.
(function () {
  "use strict";
  var body = document.body;
  var feedUrl = body.getAttribute("data-feed-url");
  var lastId = parseInt(body.getAttribute("data-last") || "0", 10);
  var lang = body.getAttribute("data-lang") || "zh-hans";
  var soundOn = false;
  var button = document.getElementById("sound");
  var foot = document.getElementById("updated");
  var footText = foot.textContent;

  function voice() {
    if (!("speechSynthesis" in window)) { return null; }
    var want = lang === "en" ? "en" : "zh";
    var voices = window.speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.toLowerCase().indexOf(want) === 0) { return voices[i]; }
    }
    return null;
  }

  function speak(text) {
    if (!soundOn) { return; }
    var v = voice();
    if (!v) { return; }
    var u = new SpeechSynthesisUtterance(text);
    u.voice = v;
    u.lang = v.lang;
    u.rate = 0.9;
    window.speechSynthesis.speak(u);
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }

  function render(feed) {
    var calls = document.getElementById("calls");
    calls.textContent = "";
    feed.calls.forEach(function (c) {
      var tr = document.createElement("tr");
      cell(tr, c.number); cell(tr, String(c.window)); cell(tr, c.at);
      calls.appendChild(tr);
    });
    var waiting = document.getElementById("waiting");
    waiting.textContent = "";
    feed.areas.forEach(function (a) {
      var tr = document.createElement("tr");
      cell(tr, a.prefix + " · " + a.name); cell(tr, String(a.waiting));
      waiting.appendChild(tr);
    });
    if (feed.calls.length) {
      var now = document.getElementById("now");
      var top = feed.calls[0];
      now.textContent = "";
      var num = document.createElement("span"); num.className = "num"; num.textContent = top.number;
      var arrow = document.createElement("span"); arrow.className = "arrow"; arrow.textContent = " → ";
      arrow.setAttribute("aria-hidden", "true");
      var win = document.createElement("span"); win.className = "win"; win.textContent = top.window_label;
      now.appendChild(num); now.appendChild(arrow); now.appendChild(win);
    }
    var fresh = feed.calls.filter(function (c) { return c.id > lastId; }).reverse();
    if (fresh.length) {
      lastId = fresh[fresh.length - 1].id;
      var text = fresh.map(function (c) { return c.sentence; }).join("。");
      document.getElementById("announce").textContent = text;
      fresh.forEach(function (c) { speak(c.sentence); });
    }
  }

  function poll() {
    fetch(feedUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (feed) { render(feed); foot.textContent = footText; foot.classList.remove("error"); })
      .catch(function () { foot.textContent = foot.getAttribute("data-error"); foot.classList.add("error"); })
      .then(function () { window.setTimeout(poll, 2000); });
  }

  button.addEventListener("click", function () {
    soundOn = !soundOn;
    button.setAttribute("aria-pressed", soundOn ? "true" : "false");
    if (soundOn && "speechSynthesis" in window) { window.speechSynthesis.getVoices(); }
  });
  window.setTimeout(poll, 2000);
})();

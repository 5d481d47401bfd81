// The plain-language check under a case worker's own words: LIX and hard words, shown
// as they type. Without JavaScript the same check is shown after Preview (the server
// checks again there). The result goes into an aria-live="polite" region, and only
// after a pause in typing, so a screen reader is not interrupted at every key.
(function () {
  "use strict";
  var box = document.querySelector("textarea[data-plain-language]");
  if (!box || !window.fetch) { return; }
  var region = document.getElementById("plain-language");
  var token = box.form.querySelector("input[name=csrf_token]");
  var timer = null;
  var last = null;

  function show() {
    var text = box.value;
    if (text === last) { return; }
    last = text;
    var body = new URLSearchParams();
    body.append("text", text);
    fetch(box.getAttribute("data-plain-language"), {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRF-Token": token ? token.value : ""},
      body: body
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (result && box.value === text) { region.innerHTML = result.html; }
    }).catch(function () { /* the check comes again with Preview */ });
  }

  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(show, 600);
  });
  if (box.value) { show(); }
}());

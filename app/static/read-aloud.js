// "Läs upp": the browser reads the page aloud, where it has a voice for the page's language.
(function () {
  "use strict";
  function voiceFor(lang) {
    if (!("speechSynthesis" in window)) return null;
    var voices = window.speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.toLowerCase().indexOf(lang.toLowerCase()) === 0) {
        return voices[i];
      }
    }
    return null;
  }
  var printReady = false;
  function setUp() {
    var buttons = document.querySelectorAll(".read-aloud");
    for (var i = 0; i < buttons.length; i++) {
      (function (button) {
        var voice = voiceFor(button.getAttribute("data-lang") || "");
        if (!voice || !button.hidden) return;
        button.hidden = false;
        button.addEventListener("click", function () {
          window.speechSynthesis.cancel();
          var words = new SpeechSynthesisUtterance(button.getAttribute("data-text") || "");
          words.voice = voice;
          words.lang = voice.lang;
          words.rate = 0.85;
          window.speechSynthesis.speak(words);
        });
      })(buttons[i]);
    }
    if (printReady) return;
    printReady = true;
    var prints = document.querySelectorAll(".print");
    for (var j = 0; j < prints.length; j++) {
      prints[j].addEventListener("click", function () { window.print(); });
    }
  }
  if ("speechSynthesis" in window && window.speechSynthesis.onvoiceschanged !== undefined) {
    window.speechSynthesis.onvoiceschanged = setUp;
  }
  document.addEventListener("DOMContentLoaded", setUp);
})();

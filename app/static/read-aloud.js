// "Läs upp": the browser reads the page aloud, where it has a voice for the page's language,
// and "Sluta läsa" stops it. Without such a voice both buttons stay hidden.
(function () {
  "use strict";
  function tag(lang) {
    return (lang || "").toLowerCase().replace(/_/g, "-");
  }
  function primary(lang) {
    return tag(lang).split("-")[0];
  }
  // The voice for a BCP 47 tag: the same tag first ("fa-AF"), else the same language
  // ("fa-IR" for fa-AF, "fi-FI" for fi), never one that only starts alike ("fil-PH" for fi).
  function voiceFor(lang) {
    if (!("speechSynthesis" in window) || !lang) return null;
    var voices = window.speechSynthesis.getVoices() || [];
    var sameLanguage = null;
    for (var i = 0; i < voices.length; i++) {
      if (tag(voices[i].lang) === tag(lang)) return voices[i];
      if (!sameLanguage && primary(voices[i].lang) === primary(lang)) sameLanguage = voices[i];
    }
    return sameLanguage;
  }
  // Sentence by sentence: some browsers stop a long utterance after about 15 seconds.
  function sentences(text) {
    return text.replace(/([.!?؟።])\s+/g, "$1\n").split("\n").filter(function (part) {
      return part.trim();
    });
  }
  function setUp() {
    var buttons = document.querySelectorAll(".read-aloud");
    for (var i = 0; i < buttons.length; i++) {
      (function (button) {
        var voice = voiceFor(button.getAttribute("data-lang") || "");
        if (!voice || !button.hidden) return;
        var stop = button.parentNode.querySelector(".read-stop");
        var reading = 0;  // which reading is on: a cancelled one may still report its end
        function finished() {
          if (!stop || stop.hidden) return;
          var hadFocus = document.activeElement === stop;
          stop.hidden = true;
          if (hadFocus) button.focus();  // the stop button went away under the keyboard
        }
        button.hidden = false;
        button.addEventListener("click", function () {
          reading += 1;
          var mine = reading;
          window.speechSynthesis.cancel();
          var parts = sentences(button.getAttribute("data-text") || "");
          parts.forEach(function (part, index) {
            var words = new SpeechSynthesisUtterance(part);
            words.voice = voice;
            words.lang = voice.lang;
            words.rate = 0.85;
            if (index === parts.length - 1) {
              words.onend = words.onerror = function () {
                if (mine === reading) finished();
              };
            }
            window.speechSynthesis.speak(words);
          });
          if (stop && parts.length) stop.hidden = false;
        });
        if (stop) {
          stop.addEventListener("click", function () {
            reading += 1;
            window.speechSynthesis.cancel();
            finished();
          });
        }
      })(buttons[i]);
    }
  }
  var printReady = false;
  function setUpPrint() {
    if (printReady) return;
    printReady = true;
    var prints = document.querySelectorAll(".print");
    for (var j = 0; j < prints.length; j++) {
      prints[j].addEventListener("click", function () { window.print(); });
    }
  }
  if ("speechSynthesis" in window) {
    // Voices often arrive after the page has loaded.
    if (window.speechSynthesis.onvoiceschanged !== undefined) {
      window.speechSynthesis.onvoiceschanged = setUp;
    }
    // Reading goes on no further than the page it belongs to.
    window.addEventListener("pagehide", function () { window.speechSynthesis.cancel(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    setUp();
    setUpPrint();
  });
})();

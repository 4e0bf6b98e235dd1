/* The orphan review: selecting words in a clause's current text fills the form with them,
   where they start and in which language, so words that occur twice land where the
   moderator pointed. Choosing another clause shows that clause's text. Without this script
   the moderator types or pastes the words, as before. */
(function () {
  "use strict";

  function textBox(code, text) {
    var box = document.createElement("div");
    box.className = "orphan-clause-text";
    box.dataset.language = code;
    box.lang = code;
    box.dir = code === "ur" ? "rtl" : "ltr";
    box.textContent = text;
    return box;
  }

  function offsetIn(box, range) {
    var before = document.createRange();
    before.selectNodeContents(box);
    before.setEnd(range.startContainer, range.startOffset);
    return before.toString().length;
  }

  document.querySelectorAll("section.orphan").forEach(function (section) {
    var form = section.querySelector("form");
    var panel = section.querySelector(".orphan-current");
    if (!form || !panel) return;
    var words = form.elements.words;
    var start = form.elements.start;
    var language = form.elements.language;
    var data = document.getElementById("clause-texts-" + panel.dataset.consultation);
    var texts = data ? JSON.parse(data.textContent) : {};

    form.elements.clause.addEventListener("change", function () {
      panel.textContent = "";
      var chosen = texts[form.elements.clause.value] || {};
      Object.keys(chosen).forEach(function (code) {
        if (chosen[code]) panel.appendChild(textBox(code, chosen[code]));
      });
      start.value = "";
      language.value = "";
    });

    function takeSelection() {
      var selection = window.getSelection();
      if (!selection.rangeCount || selection.isCollapsed) return;
      var range = selection.getRangeAt(0);
      var box = range.commonAncestorContainer.nodeType === 1
        ? range.commonAncestorContainer.closest(".orphan-clause-text")
        : range.commonAncestorContainer.parentElement.closest(".orphan-clause-text");
      if (!box || !panel.contains(box)) return;
      var picked = range.toString();
      var trimmed = picked.trim();
      if (!trimmed) return;
      var lead = picked.length - picked.replace(/^\s+/, "").length;
      words.value = trimmed;
      start.value = String(offsetIn(box, range) + lead);
      language.value = box.dataset.language;
    }

    panel.addEventListener("mouseup", takeSelection);
    panel.addEventListener("keyup", takeSelection);
    words.addEventListener("input", function () {
      start.value = "";
      language.value = "";
    });
  });
})();

/* Select words in a clause, then comment on exactly those words.
   Progressive enhancement: without this script each clause still has its plain form.
   Offsets count characters of the clause's plain text (the server's clause.text). */
(function () {
  "use strict";
  var button = document.createElement("button");
  button.type = "button";
  button.className = "comment-selection";
  button.hidden = true;
  button.textContent = document.documentElement.lang === "ur" ? "منتخب الفاظ پر رائے دیں" : "Comment on the selected words";
  var pending = null;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    var out = "";
    for (var i = 0; i < 32; i++) out += Math.floor(Math.random() * 16).toString(16);
    return out;
  }

  function offsetIn(container, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function currentSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
    var range = selection.getRangeAt(0);
    var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    var container = start && start.closest(".clause-text");
    if (!container || !container.contains(range.endContainer)) return null;
    var text = container.textContent;
    var from = offsetIn(container, range.startContainer, range.startOffset);
    var to = offsetIn(container, range.endContainer, range.endOffset);
    while (from < to && /\s/.test(text.charAt(from))) from++;
    while (to > from && /\s/.test(text.charAt(to - 1))) to--;
    if (to <= from) return null;
    // The clause's English original or its Urdu text: offsets count in that language's text.
    var language = container.getAttribute("data-language") || "en";
    return { clause: container.closest(".clause"), container: container, start: from, end: to, exact: text.slice(from, to), language: language };
  }

  var template = document.getElementById("comment-form-template");

  function onSelection() {
    var found = currentSelection();
    if (!found || !found.clause.querySelector(".comment-button, form.comment-form")) { return; }
    pending = found;
    found.container.insertAdjacentElement("afterend", button);
    button.hidden = false;
  }

  function setAnchor(form, anchor) {
    form.elements.anchor_exact.value = anchor ? anchor.exact : "";
    form.elements.anchor_start.value = anchor ? anchor.start : "";
    form.elements.anchor_end.value = anchor ? anchor.end : "";
    if (form.elements.anchor_language) form.elements.anchor_language.value = anchor ? anchor.language : "";
    var preview = form.querySelector(".anchor-preview");
    preview.hidden = !anchor;
    var quote = preview.querySelector("q");
    quote.textContent = anchor ? anchor.exact : "";
    if (anchor) {
      quote.setAttribute("lang", anchor.language);
      quote.setAttribute("dir", anchor.language === "ur" ? "rtl" : "ltr");
    }
  }

  function prepare(form) {
    if (!form.elements.client_token.value || form.elements.client_token.value === "__TOKEN__") {
      form.elements.client_token.value = uuid();
    }
    var clear = form.querySelector(".anchor-clear");
    if (clear) clear.addEventListener("click", function () { setAnchor(form, null); form.elements.text.focus(); });
    form.addEventListener("submit", function () {
      // A fresh token for the next comment from this form (the page is left after submit).
      window.setTimeout(function () { form.elements.client_token.value = uuid(); }, 0);
    });
  }

  /* The clause's form: the one already in the page (a clause's own page), else one copy of
     the shared <template>, placed right after the clause's toggle so Tab reaches it next. */
  function openForm(clause) {
    var form = clause.querySelector("form.comment-form");
    var toggle = clause.querySelector("button.comment-button");
    if (!form && template) {
      var id = clause.getAttribute("data-clause-id");
      var box = document.createElement("div");
      box.className = "comment-box";
      box.id = "comment-box-" + id;
      box.innerHTML = template.innerHTML.replace(/__CLAUSE__/g, id);
      (toggle ? toggle.parentNode : clause.querySelector(".clause-text")).insertAdjacentElement("afterend", box);
      form = box.querySelector("form");
      prepare(form);
      if (toggle) toggle.setAttribute("aria-controls", box.id);
    }
    if (form) form.parentNode.hidden = false;
    if (toggle) toggle.setAttribute("aria-expanded", "true");
    return form;
  }

  button.addEventListener("click", function () {
    if (!pending) return;
    var form = openForm(pending.clause);
    if (!form) return;
    setAnchor(form, pending);
    button.hidden = true;
    form.elements.text.focus();
  });

  document.addEventListener("mouseup", function () { setTimeout(onSelection, 0); });
  document.addEventListener("keyup", function (event) { if (event.shiftKey) onSelection(); });
  document.addEventListener("touchend", function () { setTimeout(onSelection, 50); });

  document.querySelectorAll("form.comment-form").forEach(prepare);

  /* With JavaScript the clause's link to its own page becomes a button that opens the form
     in place (without it, the link leads to the plain form). */
  if (template) {
    document.querySelectorAll("a.comment-button").forEach(function (link) {
      var toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "comment-button";
      toggle.textContent = link.textContent;
      toggle.setAttribute("aria-expanded", "false");
      link.replaceWith(toggle);
      toggle.addEventListener("click", function () {
        var clause = toggle.closest(".clause");
        if (toggle.getAttribute("aria-expanded") === "true") {
          var form = clause.querySelector("form.comment-form");
          if (form) form.parentNode.hidden = true;
          toggle.setAttribute("aria-expanded", "false");
        } else {
          openForm(clause);
        }
      });
    });
  }

  /* Keyboard users reach each clause's text with Tab; focusing it puts the caret at its start
     so Shift+Arrow keys select words, then the "comment on the selected words" button. */
  var KEYS = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "backward", ArrowDown: "forward" };
  var hint = document.getElementById("selection-hint");
  document.querySelectorAll(".clause-text").forEach(function (text) {
    var clause = text.closest(".clause");
    if (!clause || !clause.querySelector(".comment-button, form.comment-form")) return;
    text.tabIndex = 0;
    if (hint) text.setAttribute("aria-describedby", hint.id);
    text.addEventListener("keydown", function (event) {
      var direction = KEYS[event.key];
      var selection = window.getSelection();
      if (!direction || event.altKey || event.metaKey || !selection || !selection.modify) return;
      // Caret browsing for this text: arrows move, Shift+arrows select, Ctrl by whole words.
      event.preventDefault();
      var granularity = direction === "backward" || direction === "forward" ? "line" : event.ctrlKey ? "word" : "character";
      selection.modify(event.shiftKey ? "extend" : "move", direction, granularity);
    });
    text.addEventListener("focus", function () {
      var selection = window.getSelection();
      if (selection && selection.rangeCount && text.contains(selection.anchorNode)) return;
      var walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
      var first = walker.nextNode();
      if (first && selection) selection.collapse(first, 0);
    });
  });
})();

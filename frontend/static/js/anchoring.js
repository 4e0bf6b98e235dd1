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
    return { clause: container.closest(".clause"), container: container, start: from, end: to, exact: text.slice(from, to) };
  }

  function onSelection() {
    var found = currentSelection();
    if (!found || !found.clause.querySelector("form.comment-form")) { return; }
    pending = found;
    found.container.insertAdjacentElement("afterend", button);
    button.hidden = false;
  }

  function setAnchor(form, anchor) {
    form.elements.anchor_exact.value = anchor ? anchor.exact : "";
    form.elements.anchor_start.value = anchor ? anchor.start : "";
    form.elements.anchor_end.value = anchor ? anchor.end : "";
    var preview = form.querySelector(".anchor-preview");
    preview.hidden = !anchor;
    preview.querySelector("q").textContent = anchor ? anchor.exact : "";
  }

  button.addEventListener("click", function () {
    if (!pending) return;
    var details = pending.clause.querySelector("details.comment-box");
    var form = details.querySelector("form");
    setAnchor(form, pending);
    details.open = true;
    button.hidden = true;
    form.elements.text.focus();
  });

  document.addEventListener("mouseup", function () { setTimeout(onSelection, 0); });
  document.addEventListener("keyup", function (event) { if (event.shiftKey) onSelection(); });
  document.addEventListener("touchend", function () { setTimeout(onSelection, 50); });

  document.querySelectorAll("form.comment-form").forEach(function (form) {
    if (!form.elements.client_token.value) form.elements.client_token.value = uuid();
    var clear = form.querySelector(".anchor-clear");
    if (clear) clear.addEventListener("click", function () { setAnchor(form, null); form.elements.text.focus(); });
    form.addEventListener("submit", function () {
      // A fresh token for the next comment from this form (the page is left after submit).
      window.setTimeout(function () { form.elements.client_token.value = uuid(); }, 0);
    });
  });
})();

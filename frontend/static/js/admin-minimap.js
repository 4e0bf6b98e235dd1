/* Wagtail's page editor has a "minimap" of the form's sections: a scrollable list that a
   keyboard cannot reach when its links are hidden (axe: scrollable-region-focusable). Make
   the list itself focusable, with a name, so keyboard users can scroll it too. */
(function () {
  "use strict";
  function fix(root) {
    root.querySelectorAll(".w-minimap__list:not([tabindex])").forEach(function (list) {
      list.setAttribute("tabindex", "0");
      if (!list.hasAttribute("aria-label")) list.setAttribute("aria-label", "Minimap");
    });
  }
  fix(document);
  new MutationObserver(function () { fix(document); }).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
})();

/* On a phone the header's menu (navigation and language) folds behind a "Menu" button, so the
 * header stays one short row; without JavaScript the menu simply stays open. */
(function () {
  "use strict";
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!toggle || !menu) return;
  var header = toggle.closest(".site-header");
  header.classList.add("menu-folds");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("menu-open", open);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && header.classList.contains("menu-open")) {
      toggle.setAttribute("aria-expanded", "false");
      header.classList.remove("menu-open");
      toggle.focus();
    }
  });
})();

/* The staff menu's groups (<details>): one open at a time; Escape or a click elsewhere closes
 * the open one (Escape gives the focus back to its summary). */
(function () {
  "use strict";
  var groups = Array.prototype.slice.call(document.querySelectorAll(".nav-group details"));
  if (!groups.length) return;
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (!group.open) return;
      groups.forEach(function (other) { if (other !== group) other.open = false; });
    });
  });
  document.addEventListener("click", function (e) {
    groups.forEach(function (group) { if (group.open && !group.contains(e.target)) group.open = false; });
  });
  // In the capture phase, before the folded menu's own Escape: the first Escape closes the
  // group, the next the menu.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    groups.forEach(function (group) {
      if (!group.open) return;
      group.open = false;
      group.querySelector("summary").focus();
      e.stopImmediatePropagation();
    });
  }, true);
})();


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

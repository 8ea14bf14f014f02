// The case page opened from the queue: j / k follow the "next" / "previous" links (the page
// says so beside them). Never while typing in a field, nor with a modifier key held.
(function () {
  "use strict";
  var nav = document.querySelector("[data-queue-keys]");
  if (!nav) return;
  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (typing(event.target)) return;
    var key = (event.key || "").toLowerCase();
    if (key !== "j" && key !== "k") return;
    var link = nav.querySelector('a[data-key="' + key + '"]');
    if (!link) return;
    event.preventDefault();
    window.location.assign(link.href);
  });
})();

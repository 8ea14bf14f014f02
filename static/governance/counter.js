/* A live character counter under every long text field (a maxlength of 100 or more).
 *
 * The browser's maxlength would cut a long paste silently; instead the limit moves to
 * data-maxlength, the counter says how many characters are left or how many are too many, and
 * the server refuses an overlong text with a message next to the field. Screen readers hear
 * the count once typing pauses, not at every key. */
(function () {
  "use strict";
  var words = document.getElementById("counter-words");
  if (!words) return;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function setup(field) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!max || max < 100 || field.dataset.counted) return;
    field.dataset.counted = "1";
    field.dataset.maxlength = String(max);
    field.removeAttribute("maxlength");
    var shown = document.createElement("p");
    shown.className = "char-count";
    shown.id = (field.id || field.name) + "-count";
    shown.setAttribute("aria-hidden", "true");
    var heard = document.createElement("p");
    heard.className = "visually-hidden";
    heard.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", shown);
    shown.insertAdjacentElement("afterend", heard);
    var limit = document.createElement("span");
    limit.id = shown.id + "-limit";
    limit.className = "visually-hidden";
    limit.textContent = fill(words.dataset.limit, { max: max });
    heard.insertAdjacentElement("afterend", limit);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + limit.id);
    var timer = null;
    function update() {
      var left = max - field.value.length;
      var text = left >= 0
        ? fill(words.dataset.left, { n: left, max: max })
        : fill(words.dataset.over, { n: -left, max: max });
      shown.textContent = text;
      shown.classList.toggle("over", left < 0);
      field.classList.toggle("over-limit", left < 0);
      clearTimeout(timer);
      timer = setTimeout(function () { heard.textContent = text; }, 800);
    }
    field.addEventListener("input", update);
    update();
    heard.textContent = "";
  }

  function init(root) {
    (root || document).querySelectorAll("textarea[maxlength], input[maxlength]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
  document.addEventListener("live:updated", function (e) { init(e.target); });
})();

/* The submit form: filter the category list as one types (Chinese or English). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var search = document.getElementById("category-search");
    var select = document.getElementById("id_category");
    if (!search || !select) return;
    search.hidden = false;
    var label = document.querySelector("label[for='category-search']");
    if (label) label.hidden = false;
    var count = document.getElementById("category-count");
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      var shown = 0, first = null;
      select.querySelectorAll("option[data-search]").forEach(function (option) {
        var match = !q || option.dataset.search.indexOf(q) !== -1 || option.textContent.toLowerCase().indexOf(q) !== -1;
        option.hidden = !match;
        option.disabled = !match;
        if (match) { shown += 1; if (!first) first = option; }
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (count) count.textContent = count.dataset.template.replace("{n}", shown);
      if (q && shown === 1 && first && select.value !== first.value) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    function urgency() {
      var option = select.options[select.selectedIndex];
      var allowed = option && option.dataset.urgent === "1";
      var box = document.getElementById("urgency-field");
      if (box) box.hidden = !allowed;
      if (!allowed) {
        var general = document.querySelector("input[name='urgency'][value='general']");
        if (general) general.checked = true;
      }
    }
    select.addEventListener("change", urgency);
    urgency();
  });
})();

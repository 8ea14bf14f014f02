// The response-template picker of the staff action forms: "Insert" puts the chosen template's
// text into its field (after what is typed there), to edit before sending. Without this
// script the same button posts to the server, which sends the form back filled in.
// Delegated from the document: the actions block is swapped in place by live updates.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-template-picker] button") : null;
    if (!button) return;
    var picker = button.closest("[data-template-picker]");
    var select = picker.querySelector("select");
    var option = select && select.options[select.selectedIndex];
    var field = select && document.getElementById(select.getAttribute("data-target"));
    if (!option || !field) return; // let the form go to the server
    event.preventDefault();
    var text = option.getAttribute("data-text") || "";
    var typed = field.value.replace(/\s+$/, "");
    field.value = typed ? typed + "\n" + text : text;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
  });
})();

// The queue's area filter as a picker: typing asks the server for the areas the person sees
// whose name or code matches (never the whole tree), and offers them in the field's list
// beside the person's own areas. Without this script the list holds their own areas and a
// typed name or code is looked up when the filter is sent.
(function () {
  "use strict";
  var input = document.querySelector("[data-area-picker]");
  var list = input && document.getElementById(input.getAttribute("list"));
  if (!input || !list) return;
  var url = list.getAttribute("data-suggest-url");
  Array.prototype.forEach.call(list.options, function (option) {
    option.setAttribute("data-own", ""); // the person's own areas stay as quick picks
  });
  var timer = null;
  var asked = "";
  function show(areas) {
    Array.prototype.slice.call(list.querySelectorAll("option:not([data-own])")).forEach(function (o) {
      o.remove();
    });
    areas.forEach(function (area) {
      var option = document.createElement("option");
      option.value = area.code;
      option.textContent = area.within ? area.name + " · " + area.within : area.name;
      list.appendChild(option);
    });
  }
  input.addEventListener("input", function () {
    var text = input.value.trim();
    window.clearTimeout(timer);
    if (!text || text === asked) return;
    timer = window.setTimeout(function () {
      asked = text;
      fetch(url + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { areas: [] }; })
        .then(function (data) { if (asked === text) show(data.areas || []); })
        .catch(function () {});
    }, 200);
  });
})();

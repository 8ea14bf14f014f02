/* The home page's "use my location": the browser's position goes to the server as lon/lat,
 * which answers with the grid it lies in and the requests near it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.place-search");
    if (!form) return;
    var button = form.querySelector("[data-place-locate]");
    var status = form.querySelector("[data-place-status]");
    if (!button || !("geolocation" in navigator)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) status.textContent = form.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var lon = form.querySelector("[data-place-lon]");
        var lat = form.querySelector("[data-place-lat]");
        lon.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
        lon.disabled = lat.disabled = false;
        form.querySelector("input[name=q]").disabled = true;  // the position, not the text
        form.submit();
      }, function () {
        if (status) status.textContent = form.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 10000 });
    });
  });
})();

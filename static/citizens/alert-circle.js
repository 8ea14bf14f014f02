/* The area-alert form: draw the circle around the centre picked on the map (governance/map.js
 * places the pin and fills the longitude and latitude inputs), as the radius input says. */
(function () {
  "use strict";

  function setup(el) {
    var map = el._leafletMap;
    if (!map || el._circleReady) return;
    el._circleReady = true;
    var lon = document.getElementById(el.dataset.lonInput);
    var lat = document.getElementById(el.dataset.latInput);
    var radius = document.getElementById(el.dataset.circleRadiusInput);
    var circle = null;
    function draw() {
      var x = parseFloat(lon.value), y = parseFloat(lat.value), r = parseFloat(radius.value);
      if (isNaN(x) || isNaN(y) || isNaN(r) || r <= 0) {
        if (circle) { map.removeLayer(circle); circle = null; }
        return;
      }
      if (circle) circle.setLatLng([y, x]).setRadius(r);
      else circle = L.circle([y, x], { radius: r, interactive: false, weight: 2 }).addTo(map);
      map.fitBounds(circle.getBounds(), { padding: [8, 8], animate: false });
    }
    document.body.addEventListener("pin-moved", draw);
    [lon, lat, radius].forEach(function (input) { input.addEventListener("change", draw); });
    draw();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-circle-radius-input]").forEach(setup);
  });
})();

/* The declare form's drawing: tap the map to add corners of the affected area; the polygon is
 * written into the GeoJSON field (which also takes a pasted shape, and works without this). */
(function () {
  "use strict";
  var el = document.querySelector("[data-draw-map]");
  if (!el || !window.L) return;
  var output = document.getElementById(el.getAttribute("data-output"));
  var map = L.map(el, { scrollWheelZoom: false, doubleClickZoom: false });  // taps draw
  el._leafletMap = map;
  var tiles = el.getAttribute("data-tile-url");
  if (tiles) L.tileLayer(tiles, { attribution: el.getAttribute("data-attribution") || "" }).addTo(map);
  map.setView([30.0, 120.0], 11);
  var points = [];
  var shape = null;
  fetch(el.getAttribute("data-outlines-url"), { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.features || !data.features.length) return;
      var grids = L.geoJSON(data, {
        style: { color: "#1f4e79", weight: 1, fillOpacity: 0.04 }, interactive: false
      }).addTo(map);
      if (!points.length) map.fitBounds(grids.getBounds(), { padding: [8, 8], animate: false });
      el.setAttribute("data-loaded", "");
    })
    .catch(function () {});
  function write() {
    if (shape) { map.removeLayer(shape); shape = null; }
    if (points.length >= 3) {
      shape = L.polygon(points, { color: "#a4161a", weight: 2 }).addTo(map);
      var ring = points.map(function (p) { return [+p.lng.toFixed(6), +p.lat.toFixed(6)]; });
      ring.push(ring[0]);
      output.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
    } else {
      if (points.length) shape = L.polyline(points, { color: "#a4161a", weight: 2 }).addTo(map);
      output.value = "";
    }
  }
  map.on("click", function (e) { points.push(e.latlng); write(); });
  var undo = document.querySelector("[data-draw-undo]");
  var clear = document.querySelector("[data-draw-clear]");
  if (undo) undo.addEventListener("click", function () { points.pop(); write(); });
  if (clear) clear.addEventListener("click", function () { points = []; write(); });
})();

/* One patrol's track on its map (drawn over the grid outlines map.js puts there). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("track-map");
    var data = document.getElementById("patrol-track");
    if (!el || !data || !el._leafletMap || !window.L) return;
    var points = JSON.parse(data.textContent).map(function (p) { return [p.lat, p.lon]; });
    if (!points.length) return;
    var map = el._leafletMap;
    var line = L.polyline(points, { color: "#0b3d91", weight: 4 }).addTo(map);
    L.circleMarker(points[0], { radius: 6, color: "#1b5e20", fillOpacity: 0.9, interactive: false }).addTo(map);
    L.circleMarker(points[points.length - 1], { radius: 6, color: "#a4161a", fillOpacity: 0.9, interactive: false }).addTo(map);
    map.fitBounds(line.getBounds(), { padding: [16, 16], maxZoom: 17, animate: false });
  });
})();

/* The incident board's map: the layers of <div data-incident-map="…/map.geojson">, each styled
 * by its feature's properties.layer (areas, drawn, cases; other parts add their own). */
(function () {
  "use strict";
  var el = document.querySelector("[data-incident-map]");
  if (!el || !window.L) return;
  var map = L.map(el, { scrollWheelZoom: false });
  el._leafletMap = map;
  var tiles = el.getAttribute("data-tile-url");
  if (tiles) L.tileLayer(tiles, { attribution: el.getAttribute("data-attribution") || "" }).addTo(map);
  map.setView([30.0, 120.0], 11);
  var styles = {
    areas: { color: "#a4161a", weight: 2, fillColor: "#a4161a", fillOpacity: 0.12 },
    drawn: { color: "#5b2c83", weight: 2, dashArray: "6 4", fill: false }
  };
  fetch(el.getAttribute("data-incident-map"), { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.features || !data.features.length) return;
      var layer = L.geoJSON(data, {
        style: function (feature) {
          return styles[(feature.properties || {}).layer] || { color: "#1f4e79", weight: 2 };
        },
        pointToLayer: function (feature, latlng) {
          var kind = (feature.properties || {}).layer;
          return L.circleMarker(latlng, {
            radius: 7, color: kind === "cases" ? "#0b4f9c" : "#1a1a1a", weight: 2,
            fillColor: kind === "cases" ? "#0b4f9c" : "#ffffff", fillOpacity: 0.9
          });
        },
        onEachFeature: function (feature, lyr) {
          var p = feature.properties || {};
          if (!p.name) return;
          var box = document.createElement("span");
          if (p.url) {
            var link = document.createElement("a");
            link.href = p.url;
            link.textContent = p.name;
            box.appendChild(link);
          } else {
            box.textContent = p.name;
          }
          lyr.bindPopup(box);
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8], animate: false, maxZoom: 16 });
    })
    .catch(function () {});
})();

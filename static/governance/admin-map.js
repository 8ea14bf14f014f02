/* The area change page's map: the boundary being edited, its parent, neighbours and sub-areas,
   drawn from the JSON the page embeds (id "area-map-data"). Tiles come from the configured
   server; the outlines are vector layers and show even when no tile loads. The boundary
   redraws as the GeoJSON text is edited. */
(function () {
  "use strict";

  var element = document.getElementById("area-map");
  var source = document.getElementById("area-map-data");
  if (!element || !source || typeof L === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var status = document.querySelector(".area-map-status");
  var map = L.map(element, { scrollWheelZoom: false });
  if (data.tile_url) {
    L.tileLayer(data.tile_url, { attribution: data.attribution || "", maxZoom: 19 }).addTo(map);
  }

  var hover = L.tooltip({ sticky: true, direction: "top", offset: [0, -8] });

  var styles = {
    parent: { color: "#555", weight: 2, dashArray: "6 4", fill: false },
    sibling: { color: "#2b6cb0", weight: 1, fillOpacity: 0.05 },
    child: { color: "#2f855a", weight: 1, fillOpacity: 0.05 },
    area: { color: "#c53030", weight: 3, fillOpacity: 0.2 }
  };

  function outline(item, style) {
    if (!item || !item.boundary) {
      return null;
    }
    var layer = L.geoJSON(item.boundary, { style: style });
    // The name on hover. Not bindTooltip: its focus listeners make every outline a nameless
    // keyboard tab stop.
    var text = item.code + " " + item.name;
    layer.on("mouseover mousemove", function (e) {
      hover.setLatLng(e.latlng).setContent(text);
      if (!map.hasLayer(hover)) map.openTooltip(hover);
    });
    layer.on("mouseout", function () { map.closeTooltip(hover); });
    return layer;
  }

  var context = L.featureGroup().addTo(map);
  [[data.parent], data.siblings || [], data.children || []].forEach(function (items, index) {
    var style = [styles.parent, styles.sibling, styles.child][index];
    items.forEach(function (item) {
      var layer = outline(item, style);
      if (layer) {
        context.addLayer(layer);
      }
    });
  });

  var own = null;
  function drawOwn(geometry, fit) {
    if (own) {
      map.removeLayer(own);
      own = null;
    }
    if (geometry) {
      own = L.geoJSON(geometry, { style: styles.area }).addTo(map);
    }
    if (fit) {
      var bounds = own ? own.getBounds() : context.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds.pad(own ? 0.6 : 0.05));
      } else {
        map.setView([30.24, 120.15], 12);
      }
    }
  }
  drawOwn(data.area && data.area.boundary, true);

  var field = document.getElementById(element.dataset.boundaryField);
  if (field) {
    field.addEventListener("input", function () {
      var text = field.value.trim();
      if (!text || text === "null") {
        drawOwn(null, false);
        status.textContent = "";
        return;
      }
      try {
        var geometry = JSON.parse(text);
        drawOwn(geometry, true);
        status.textContent = "";
      } catch (error) {
        status.textContent = element.dataset.invalidText;
      }
    });
  }
})();

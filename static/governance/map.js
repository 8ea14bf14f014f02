/* Maps from our own data: grid outlines always, tiles when the tile server answers.
 *
 * <div data-map="pick|points"
 *      data-tile-url="…" data-attribution="…"
 *      data-outlines-url="/map/grids.geojson"  or  data-outlines-script="id of a JSON script"
 *      data-points-script="id of a JSON script: [{lon, lat, label, url, overdue}]"
 *      data-lon-input="id" data-lat-input="id"  (pick mode)
 *      data-locate-button="id"  (pick mode: the browser's "use my location")>
 */
(function () {
  "use strict";

  function readJSON(id) {
    var node = id && document.getElementById(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function outlineLayer(el, map, data, fit, single) {
    if (!data || !data.features || !data.features.length) return null;
    var layer = L.geoJSON(data, {
      style: { color: "#1f4e79", weight: 2, fillColor: "#6fa8dc", fillOpacity: 0.08 },
      onEachFeature: function (feature, lyr) {
        if (feature.properties && feature.properties.name) {
          lyr.bindTooltip(feature.properties.name, { sticky: true });
        }
      }
    }).addTo(map);
    layer.bringToBack();  // outlines under the case markers, so markers stay clickable
    if (fit) map.fitBounds(layer.getBounds(), { padding: [8, 8], animate: false });
    if (single) {
      // One point: show the whole grid it lies in, so the map says where it is without tiles.
      var here = L.latLng(single.lat, single.lon);
      layer.eachLayer(function (lyr) {
        if (lyr.getBounds && lyr.getBounds().contains(here)) el._singleBounds = lyr.getBounds();
      });
      if (el._fit) el._fit();
    }
    return layer;
  }

  function dot(latlng, overdue) {
    return L.circleMarker(latlng, {
      className: "case-marker", radius: 8, weight: 2, color: overdue ? "#8b0000" : "#0b3d91",
      fillColor: overdue ? "#d7263d" : "#2a6fdb", fillOpacity: 0.85
    });
  }

  function setup(el) {
    if (el.dataset.ready) return;
    el.dataset.ready = "1";
    // Leaflet's own zoom buttons say "Zoom in"/"Zoom out" in English: ours, in the page's
    // language, come from base.html's #page-texts.
    var words = readJSON("page-texts") || {};
    var map = L.map(el, { scrollWheelZoom: false, keyboard: true, zoomControl: false });
    L.control.zoom({
      zoomInTitle: words.zoom_in || "Zoom in", zoomOutTitle: words.zoom_out || "Zoom out"
    }).addTo(map);
    el._leafletMap = map;
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, {
        attribution: el.dataset.attribution || "", maxZoom: 19, crossOrigin: true
      }).addTo(map);
    }
    var points = readJSON(el.dataset.pointsScript) || [];
    var hasPoints = points.length > 0;
    map.setView([30.025, 120.1], 12);
    var embedded = readJSON(el.dataset.outlinesScript);
    var single = points.length === 1 ? points[0] : null;
    if (embedded) {
      outlineLayer(el, map, embedded, !hasPoints, single);
    } else if (el.dataset.outlinesUrl) {
      fetch(el.dataset.outlinesUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { outlineLayer(el, map, data, !hasPoints && !el._pin, single); })
        .catch(function () {});
    }
    if (hasPoints) {
      var group = L.featureGroup();
      points.forEach(function (p) {
        var marker = dot([p.lat, p.lon], p.overdue);
        var text = (p.label || p.category || p.id) + (p.status ? " · " + p.status : "");
        if (p.url) {
          var link = document.createElement("a");
          link.href = p.url; link.textContent = text;
          marker.bindPopup(link);
        } else {
          marker.bindPopup(document.createTextNode(text));
        }
        marker.addTo(group);
      });
      group.addTo(map);
      el._fit = function () {
        if (el._singleBounds) map.fitBounds(el._singleBounds, { padding: [8, 8], animate: false });
        else if (points.length === 1) map.setView([points[0].lat, points[0].lon], 15, { animate: false });
        else map.fitBounds(group.getBounds(), { padding: [16, 16], maxZoom: 16, animate: false });
      };
      el._fit();
    }
    if (el.dataset.map === "pick") setupPicker(el, map);
  }

  function setupPicker(el, map) {
    var lon = document.getElementById(el.dataset.lonInput);
    var lat = document.getElementById(el.dataset.latInput);
    var status = document.getElementById(el.dataset.pinStatus);
    function place(latlng, announce) {
      if (el._pin) el._pin.setLatLng(latlng); else el._pin = dot(latlng, false).addTo(map);
      lon.value = latlng.lng.toFixed(6);
      lat.value = latlng.lat.toFixed(6);
      if (status && announce) status.textContent = status.dataset.placed + " " + lat.value + ", " + lon.value;
      document.body.dispatchEvent(new CustomEvent("pin-moved", { bubbles: true }));
    }
    if (lon.value && lat.value) {
      place(L.latLng(parseFloat(lat.value), parseFloat(lon.value)), true);
      map.setView(el._pin.getLatLng(), 16);
    }
    map.on("click", function (e) { place(e.latlng, true); });
    // Keyboard: move the map with the arrow keys, then pin its centre.
    var centre = document.getElementById(el.dataset.centreButton);
    if (centre) {
      centre.hidden = false;
      centre.addEventListener("click", function () { place(map.getCenter(), true); });
    }
    var locate = document.getElementById(el.dataset.locateButton);
    if (locate) {
      locate.hidden = !("geolocation" in navigator);
      locate.addEventListener("click", function () {
        if (status) status.textContent = status.dataset.locating;
        navigator.geolocation.getCurrentPosition(function (pos) {
          var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
          place(ll, true);
          map.setView(ll, 17);
        }, function () {
          if (status) status.textContent = status.dataset.failed;
        }, { enableHighAccuracy: true, timeout: 10000 });
      });
    }
  }

  // A map inside a closed <details> has no size until opened: measure again then.
  document.addEventListener("toggle", function (e) {
    if (!e.target.open) return;
    e.target.querySelectorAll("[data-map]").forEach(function (el) {
      var map = el._leafletMap;
      if (!map) return;
      map.invalidateSize();
      if (el._fit) el._fit();
    });
  }, true);

  function init(root) {
    (root || document).querySelectorAll("[data-map]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();

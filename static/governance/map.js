/* Maps from our own data: grid outlines always, tiles when the tile server answers.
 *
 * <div data-map="pick|points"
 *      data-tile-url="…" data-attribution="…"
 *      data-outlines-url="/map/grids.geojson"  or  data-outlines-script="id of a JSON script"
 *      data-points-script="id of a JSON script: [{lon, lat, label, url, overdue, group}]"
 *      data-focus-box="min lon,min lat,max lon,max lat"  (the place the page is about)
 *      data-here="lon,lat"  (the person's own location, marked)
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

  // Is (x, y) inside a ring of [x, y] pairs? (ray casting)
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function inPolygon(x, y, rings) {
    if (!rings.length || !inRing(x, y, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) if (inRing(x, y, rings[k])) return false;  // a hole
    return true;
  }

  // The outlined grid a point lies in, as its GeoJSON feature (or null).
  function featureAt(el, latlng) {
    var data = el._outlineData;
    if (!data || !data.features) return null;
    for (var i = 0; i < data.features.length; i++) {
      var feature = data.features[i], geometry = feature.geometry || {};
      var polygons = geometry.type === "Polygon" ? [geometry.coordinates]
        : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
      for (var p = 0; p < polygons.length; p++) {
        if (inPolygon(latlng.lng, latlng.lat, polygons[p])) return feature;
      }
    }
    return null;
  }

  function outlineLayer(el, map, data, fit, single) {
    if (!data || !data.features || !data.features.length) return null;
    el._outlineData = data;
    // The grids' names show on hover. Not bindTooltip: its focus listeners make every outline a
    // keyboard tab stop (48 nameless stops on the city's map); the map itself is the one control.
    var hover = L.tooltip({ sticky: true, direction: "top", offset: [0, -8] });
    var layer = L.geoJSON(data, {
      style: { color: "#1f4e79", weight: 2, fillColor: "#6fa8dc", fillOpacity: 0.08 },
      onEachFeature: function (feature, lyr) {
        var name = feature.properties && feature.properties.name;
        if (!name) return;
        lyr.on("mouseover mousemove", function (e) {
          hover.setLatLng(e.latlng).setContent(name);
          if (!map.hasLayer(hover)) map.openTooltip(hover);
        });
        lyr.on("mouseout", function () { map.closeTooltip(hover); });
      }
    }).addTo(map);
    if (el._outlinesLoaded) el._outlinesLoaded();
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

  // A request's mark on a public map: its status group's colour and shape (site.css), so the
  // legend tells them apart without colour too. Not a tab stop: the list below is the same.
  function statusMark(latlng, group) {
    var shape = document.createElement("span");
    shape.className = "marker-shape marker-" + group;
    return L.marker(latlng, {
      keyboard: false,
      icon: L.divIcon({ className: "status-marker", html: shape, iconSize: [20, 20] })
    });
  }

  function boxOf(text) {
    var n = (text || "").split(",").map(parseFloat);
    if (n.length !== 4 || n.some(isNaN)) return null;
    return L.latLngBounds([n[1], n[0]], [n[3], n[2]]);
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
    // The focused map zooms with + and − itself: its zoom buttons are for pointers, not two
    // more tab stops on the way through the form.
    el.querySelectorAll(".leaflet-control-zoom a").forEach(function (a) { a.tabIndex = -1; });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, {
        attribution: el.dataset.attribution || "", maxZoom: 19, crossOrigin: true
      }).addTo(map);
    }
    var points = readJSON(el.dataset.pointsScript) || [];
    var focus = boxOf(el.dataset.focusBox);
    var hasPoints = points.length > 0 || !!focus;
    map.setView([30.025, 120.1], 12);
    if (el.dataset.here) {
      var here = el.dataset.here.split(",").map(parseFloat);
      var mark = document.createElement("span");
      mark.className = "here-mark";
      L.marker([here[1], here[0]], {
        keyboard: false, interactive: false,
        icon: L.divIcon({ className: "here-marker", html: mark, iconSize: [28, 28] })
      }).addTo(map);
    }
    if (focus && !points.length) {
      el._fit = function () { map.fitBounds(focus.pad(0.5), { maxZoom: 16, animate: false }); };
      el._fit();
    }
    var embedded = readJSON(el.dataset.outlinesScript);
    var single = points.length === 1 && !focus ? points[0] : null;
    if (embedded) {
      outlineLayer(el, map, embedded, !hasPoints, single);
    } else if (el.dataset.outlinesUrl) {
      fetch(el.dataset.outlinesUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { outlineLayer(el, map, data, !hasPoints && !el._pin, single); })
        .catch(function () {});
    }
    if (points.length) {
      var group = L.featureGroup();
      points.forEach(function (p) {
        var marker = p.group ? statusMark([p.lat, p.lon], p.group) : dot([p.lat, p.lon], p.overdue);
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
        if (focus) map.fitBounds(focus.extend(group.getBounds()), { padding: [16, 16], maxZoom: 16, animate: false });
        else if (el._singleBounds) map.fitBounds(el._singleBounds, { padding: [8, 8], animate: false });
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
    function where(latlng) {
      var feature = featureAt(el, latlng);
      return feature && feature.properties.name ? feature.properties.name : null;
    }
    var outsideBox = document.getElementById(el.dataset.outsideNotice);
    function announce(located) {
      if (!status || !el._pin) return;
      var name = where(el._pin.getLatLng());
      // Outside every grid: said at once, and who will look at it; the request is still taken.
      if (outsideBox) outsideBox.hidden = !!name || !el._outlineData;
      if (!el._outlineData) return;  // the outlines have not come yet: announce() runs again
      if (located) {
        status.textContent = name ? status.dataset.locatedIn.replace("{grid}", name)
          : status.dataset.locatedOutside;
        return;
      }
      status.textContent = name ? status.dataset.placed + " " + name : status.dataset.outside;
    }
    function place(latlng, tell, located) {
      if (el._pin) el._pin.setLatLng(latlng); else el._pin = dot(latlng, false).addTo(map);
      lon.value = latlng.lng.toFixed(6);
      lat.value = latlng.lat.toFixed(6);
      if (!located) el.classList.remove("show-crosshair");
      if (tell) announce(located);
      document.body.dispatchEvent(new CustomEvent("pin-moved", { bubbles: true }));
    }
    el._outlinesLoaded = function () { announce(el.classList.contains("show-crosshair")); };
    if (lon.value && lat.value) {
      place(L.latLng(parseFloat(lat.value), parseFloat(lon.value)), true);
      map.setView(el._pin.getLatLng(), 16);
    }
    map.on("click", function (e) { place(e.latlng, true); });
    // A pin put back from elsewhere on the page (the report's draft, draft.js).
    el.addEventListener("pin-set", function (e) {
      place(L.latLng(e.detail.lat, e.detail.lon), true);
      map.setView(el._pin.getLatLng(), 16, { animate: false });
    });
    // Keyboard: the map is one control. The arrow keys move it (Leaflet), +/- zoom, and Enter
    // or space pins the centre, which a crosshair marks while the map has the focus.
    var crosshair = document.createElement("div");
    crosshair.className = "map-crosshair";
    crosshair.setAttribute("aria-hidden", "true");
    el.appendChild(crosshair);
    el.addEventListener("keydown", function (e) {
      if (e.target !== el) return;  // not the zoom buttons or the attribution's links
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        place(map.getCenter(), true);
      }
    });
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
          // The cross stays shown: the position may be off, and "Pin the centre" corrects it.
          el.classList.add("show-crosshair");
          place(ll, true, true);
          // Show the grid around the point (its outline is what the map has without tiles),
          // not a street-level zoom into an empty square.
          var feature = featureAt(el, ll);
          if (feature) {
            // Centred on the position (where the cross is), wide enough for the whole grid.
            var b = L.geoJSON(feature).getBounds();
            var dx = Math.max(ll.lng - b.getWest(), b.getEast() - ll.lng);
            var dy = Math.max(ll.lat - b.getSouth(), b.getNorth() - ll.lat);
            map.fitBounds([[ll.lat - dy, ll.lng - dx], [ll.lat + dy, ll.lng + dx]],
              { padding: [8, 8], animate: false });
          } else {
            map.setView(ll, 14, { animate: false });
          }
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

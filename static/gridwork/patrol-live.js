/*
 * Who is out now: /ws/gridwork/patrols/ sends one small message per accepted batch of
 * positions (and per start and end) of the patrols beneath the leader's areas; the table row
 * and the map marker of that patrol are updated in place, added or removed.
 * Reconnects back off 1 s … 30 s; after a reconnect the page is read again to catch up.
 */
(function () {
  "use strict";
  var table = document.getElementById("patrol-live-table");
  if (!table) return;
  var state = document.getElementById("patrol-live-state");
  var empty = document.getElementById("patrol-live-empty");
  var body = table.tBodies[0];
  var markers = {};
  var delay = 1000;
  var opened = false;

  function map() { var el = document.getElementById("live-map"); return el && el._leafletMap; }

  function place(p) {
    var m = map();
    if (!m || !window.L || p.lat === null || p.lon === null) return;
    var ll = [p.lat, p.lon];
    if (markers[p.patrol]) markers[p.patrol].setLatLng(ll);
    else {
      markers[p.patrol] = L.circleMarker(ll, { radius: 8, weight: 2, color: "#0b3d91", fillColor: "#2a6fdb", fillOpacity: 0.9 })
        .bindPopup(document.createTextNode(p.officer)).addTo(m);
    }
  }

  function cell(row, name, text) {
    var td = row.querySelector('[data-cell="' + name + '"]');
    if (td) td.textContent = text;
  }

  function time(iso) { return iso ? iso.slice(11, 19) : "–"; }

  function update(p) {
    var row = body.querySelector('tr[data-patrol="' + p.patrol + '"]');
    if (p.status !== "active") {
      if (row) row.remove();
      if (markers[p.patrol]) { markers[p.patrol].remove(); delete markers[p.patrol]; }
    } else {
      if (!row) {
        row = document.createElement("tr");
        row.setAttribute("data-patrol", p.patrol);
        var th = document.createElement("th");
        th.scope = "row";
        var a = document.createElement("a");
        a.href = table.getAttribute("data-detail-url").replace(/0\/$/, p.patrol + "/");
        a.textContent = p.officer;
        th.appendChild(a);
        row.appendChild(th);
        ["grid", "since", "last", "distance", "points"].forEach(function (name) {
          var td = document.createElement("td");
          td.setAttribute("data-cell", name);
          td.textContent = "–";
          row.appendChild(td);
        });
        body.insertBefore(row, empty);
      }
      cell(row, "last", time(p.t));
      cell(row, "distance", String(p.distance_m));
      cell(row, "points", String(p.points));
      place(p);
    }
    empty.hidden = body.querySelectorAll("tr[data-patrol]").length > 0;
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/gridwork/patrols/");
    socket.onopen = function () {
      if (opened) { location.reload(); return; }  // catch up on what was missed
      opened = true;
      delay = 1000;
      state.textContent = state.getAttribute("data-live");
      state.setAttribute("data-state", "live");
    };
    socket.onmessage = function (e) {
      try { update(JSON.parse(e.data)); } catch (err) { /* not ours */ }
    };
    socket.onclose = function () {
      state.textContent = state.getAttribute("data-down");
      state.setAttribute("data-state", "down");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var rows = JSON.parse(document.getElementById("patrol-live-rows").textContent);
    rows.forEach(function (r) {
      if (r.last_position) place({ patrol: r.id, officer: r.officer, lon: r.last_position.lon, lat: r.last_position.lat });
    });
    connect();
  });
})();

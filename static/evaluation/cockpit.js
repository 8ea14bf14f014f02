/*
 * The cockpit's two live parts; plain JS, no build step, no inline script (the CSP allows none).
 *
 * 1. Open obligations coloured by the share of their working time used: green below 80 %,
 *    yellow from 80 % to 100 %, red over. Limits count working time (a night or a weekend
 *    uses none), so the server, which knows the calendar, gives each row the moment it turns
 *    yellow and its deadline, and the page compares its clock with those two:
 *      <li data-obligation data-yellow-at="ISO" data-deadline="ISO" data-colour="green|…">
 *    Colours are recomputed every 20 s here (time passes without any event) and whenever
 *    live.js re-fetches the list — which it does on every case event of the queue socket
 *    (/ws/queue/, the cases the person may see) — and the per-colour totals follow.
 * 2. The heatmap: <div data-heatmap data-url="…json"> draws the server's cells (counts of
 *    cases per lon/lat cell) as rectangles shaded by count, on Leaflet (bundled).
 */
(function () {
  "use strict";

  var TICK = 20000;

  function texts() {
    var el = document.getElementById("cockpit-texts");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }

  function colourOf(yellowAt, deadline, now) {
    if (now > deadline) return "red";
    return now >= yellowAt ? "yellow" : "green";
  }

  function recolour(root) {
    var words = texts().colours || {};
    var now = Date.now();
    var totals = { green: 0, yellow: 0, red: 0 };
    var rows = (root || document).querySelectorAll("[data-obligation]");
    rows.forEach(function (row) {
      var yellowAt = Date.parse(row.getAttribute("data-yellow-at"));
      var deadline = Date.parse(row.getAttribute("data-deadline"));
      if (isNaN(yellowAt) || isNaN(deadline)) return;
      var colour = colourOf(yellowAt, deadline, now);
      totals[colour] += 1;
      if (row.getAttribute("data-colour") === colour) return;
      row.setAttribute("data-colour", colour);
      row.classList.remove("obligation-green", "obligation-yellow", "obligation-red");
      row.classList.add("obligation-" + colour);
      var label = row.querySelector("[data-colour-label]");
      if (label && words[colour]) label.textContent = words[colour];
    });
    // The totals are recounted here only when the list holds every open obligation (else the
    // server's totals, refreshed with the list, stand).
    if (!document.querySelector("[data-obligations-complete]")) return;
    document.querySelectorAll("[data-colour-total]").forEach(function (el) {
      el.textContent = String(totals[el.getAttribute("data-colour-total")] || 0);
    });
  }

  function shade(n, max) {
    var t = max > 0 ? n / max : 0;
    return 0.15 + 0.6 * t;
  }

  function heatmap(el) {
    if (!window.L) return;
    fetch(el.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !data.bounds) return;
        var map = L.map(el, { scrollWheelZoom: false, attributionControl: true });
        var tiles = el.getAttribute("data-tile-url");
        if (tiles) {
          L.tileLayer(tiles, { attribution: el.getAttribute("data-attribution") || "" }).addTo(map);
        }
        var b = data.bounds;
        map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { animate: false });
        var word = texts().cases_in_cell || "%(n)s";
        data.cells.forEach(function (c) {
          L.rectangle([[c[1], c[0]], [c[3], c[2]]], {
            stroke: false, fillColor: "#b91c1c", fillOpacity: shade(c[4], data.max)
          }).bindTooltip(word.replace("%(n)s", String(c[4]))).addTo(map);
        });
        el.setAttribute("data-heatmap-cells", String(data.cells.length));
      })
      .catch(function () { /* the table of busiest cells stays */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    recolour(document);
    window.setInterval(function () { recolour(document); }, TICK);
    document.querySelectorAll("[data-heatmap]").forEach(heatmap);
  });
  // A case event reaches the socket as soon as the change commits, and the evaluation's facts
  // are written right after it: a live refresh may come a moment early. One follow-up fetch
  // 1.5 s later catches that (its own swap, within 3 s, schedules none).
  var lastFollowUp = 0;
  function followUp(el) {
    if (!el || !el.matches("[data-obligations]") || Date.now() - lastFollowUp < 3000) return;
    lastFollowUp = Date.now();
    window.setTimeout(function () {
      var url = el.getAttribute("data-live-refresh");
      if (window.htmx && url) window.htmx.ajax("GET", url, { source: el, target: el, swap: "innerHTML" });
    }, 1500);
  }

  // live.js swaps the list through htmx (afterSettle) or fetch (live:updated).
  function updated(event) {
    recolour(document);
    followUp(event.target);
  }
  document.addEventListener("htmx:afterSettle", updated);
  document.addEventListener("live:updated", updated);
})();

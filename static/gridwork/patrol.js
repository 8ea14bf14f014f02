/*
 * The officer's patrol page: start, record positions, keep them on the phone while offline,
 * send them in batches when online, check in, report from here, end.
 *
 * Positions come from navigator.geolocation.watchPosition; one is kept when it is at least
 * `interval_s` after the last kept one or `distance_m` away from it. Kept points wait in
 * localStorage ("patrol.<id>.queue"); a batch being sent is stored with its id first
 * ("patrol.<id>.inflight") and sent again under the same id until the server answers, so a
 * batch lost on the way (or answered after the phone gave up) is never stored twice.
 * Plain JS, no build step.
 */
(function () {
  "use strict";

  var app = document.getElementById("patrol-app");
  if (!app) return;
  var config = JSON.parse(document.getElementById("patrol-config").textContent);
  var texts = JSON.parse(document.getElementById("patrol-texts").textContent);
  var csrf = (JSON.parse(document.body.getAttribute("hx-headers") || "{}") || {})["X-CSRFToken"];
  var BATCH = 200;

  var patrol = config.patrol;
  var watchId = null;
  var lastKept = null;  // {t, lon, lat}
  var here = null;      // the latest position, kept or not
  var sending = false;
  var serverTrack = (config.track || []).map(function (p) { return [p.lat, p.lon]; });

  function $(id) { return document.getElementById(id); }
  function say(text) { $("patrol-status").textContent = text; }
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }
  function uid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // -- what is kept on the phone --------------------------------------------------------------
  function key(name) { return "patrol." + patrol.id + "." + name; }
  function load(name, fallback) {
    try { var v = JSON.parse(localStorage.getItem(key(name))); return v === null ? fallback : v; }
    catch (e) { return fallback; }
  }
  function store(name, value) {
    if (value === null) localStorage.removeItem(key(name));
    else localStorage.setItem(key(name), JSON.stringify(value));
  }
  function queue() { return load("queue", []); }
  function waiting() {
    var inflight = load("inflight", null);
    return queue().length + (inflight ? inflight.points.length : 0);
  }

  // -- the map ----------------------------------------------------------------------------------
  var line = null, pendingLine = null, marker = null, fitted = false;
  function leaflet() { var el = $("patrol-map"); return el && el._leafletMap; }
  function draw(fit) {
    var map = leaflet();
    if (!map || !window.L) return;
    var pending = [];
    if (patrol) {
      var inflight = load("inflight", null);
      (inflight ? inflight.points : []).concat(queue()).forEach(function (p) {
        pending.push([p.lat, p.lon]);
      });
    }
    if (!line) line = L.polyline([], { color: "#0b3d91", weight: 4 }).addTo(map);
    if (!pendingLine) {
      pendingLine = L.polyline([], { color: "#a4161a", weight: 3, dashArray: "6 6" }).addTo(map);
    }
    line.setLatLngs(serverTrack);
    var joined = serverTrack.length ? [serverTrack[serverTrack.length - 1]].concat(pending) : pending;
    pendingLine.setLatLngs(joined);
    if (here) {
      var ll = [here.lat, here.lon];
      if (!marker) {
        marker = L.circleMarker(ll, { radius: 8, weight: 2, color: "#0b3d91", fillColor: "#2a6fdb", fillOpacity: 0.9, interactive: false }).addTo(map);
      } else marker.setLatLng(ll);
    }
    var all = serverTrack.concat(pending);
    if (!fitted && all.length) fit = true;
    if (fit && all.length) fitted = true;
    if (fit && all.length) map.fitBounds(L.latLngBounds(all), { padding: [16, 16], maxZoom: 17, animate: false });
  }

  function figures(serverPoints, distance) {
    if (serverPoints !== undefined) $("patrol-sent").textContent = String(serverPoints);
    if (distance !== undefined) $("patrol-distance").textContent = String(Math.round(distance));
    $("patrol-waiting").textContent = String(patrol ? waiting() : 0);
    $("patrol-network").textContent = navigator.onLine ? texts.online : texts.offline;
  }

  function showRefusals(refused) {
    var box = $("patrol-refusals");
    if (!refused.length) return;
    box.hidden = false;
    var heading = box.querySelector("strong");
    if (!heading) {
      heading = document.createElement("strong");
      heading.textContent = texts.refused;
      box.appendChild(heading);
      box.appendChild(document.createElement("ul"));
    }
    var list = box.querySelector("ul");
    refused.forEach(function (r) {
      var li = document.createElement("li");
      li.setAttribute("data-reason", r.reason);
      li.textContent = (r.t ? r.t.replace("T", " ").slice(0, 19) + ": " : "") + r.message;
      list.appendChild(li);
    });
  }

  // -- calls --------------------------------------------------------------------------------
  function call(url, body, json) {
    var headers = { "X-CSRFToken": csrf, "Accept": "application/json" };
    if (json) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: "POST", credentials: "same-origin", headers: headers,
      body: json ? JSON.stringify(body) : body
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        return { ok: r.ok, status: r.status, data: data };
      });
    });
  }
  function patrolUrl(tail) { return config.start_url + patrol.id + "/" + tail; }

  // -- sending the kept points ------------------------------------------------------------------
  function flush() {
    if (!patrol || sending || !navigator.onLine) { figures(); return Promise.resolve(); }
    var inflight = load("inflight", null);
    if (!inflight) {
      var q = queue();
      if (!q.length) { figures(); return Promise.resolve(); }
      inflight = { batch: uid(), points: q.slice(0, BATCH) };
      store("inflight", inflight);       // first the batch, with its id …
      store("queue", q.slice(BATCH));    // … then it leaves the queue
    }
    sending = true;
    figures();
    return call(patrolUrl("points/"), inflight, true).then(function (answer) {
      sending = false;
      if (answer.ok || (answer.status >= 400 && answer.status < 500 && answer.status !== 429 && answer.status !== 408)) {
        // Answered (accepted, or refused for good): it leaves the phone.
        var refusedAt = {};
        ((answer.data && answer.data.refused) || []).forEach(function (r) { refusedAt[r.index] = true; });
        // A repeated batch was stored the first time (its answer was lost on the way): the
        // same points are on the server either way.
        if (answer.ok) {
          inflight.points.forEach(function (p, i) {
            if (!refusedAt[i]) serverTrack.push([p.lat, p.lon]);
          });
        }
        store("inflight", null);
        if (answer.ok) {
          showRefusals(answer.data.refused || []);
          figures(answer.data.total_points, answer.data.distance_m);
        }
        draw(false);
        if (queue().length) return flush();
      }
      figures();
    }, function () {
      sending = false;  // the network went: the batch stays, sent again under the same id
      figures();
    });
  }

  // -- positions ----------------------------------------------------------------------------
  function metres(a, b) {
    var rad = Math.PI / 180, dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    var s = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(s)));
  }

  function onPosition(pos) {
    var point = {
      t: pos.timestamp || Date.now(),
      lon: Math.round(pos.coords.longitude * 1e7) / 1e7,
      lat: Math.round(pos.coords.latitude * 1e7) / 1e7,
      acc: Math.round(pos.coords.accuracy || 0)
    };
    here = point;
    say(texts.on_patrol);
    var keep = !lastKept || point.t - lastKept.t >= config.interval_s * 1000 ||
      metres(lastKept, point) >= config.distance_m;
    if (keep && (!lastKept || point.t > lastKept.t)) {
      lastKept = point;
      var q = queue();
      q.push(point);
      store("queue", q);
      store("last", point);
      draw(false);
      flush();
    } else {
      draw(false);
    }
  }

  function onError(error) {
    say(error && error.code === 1 ? texts.denied : texts.waiting_fix);
  }

  function watch() {
    if (!("geolocation" in navigator)) { say(texts.no_geolocation); return; }
    if (watchId !== null) return;
    lastKept = load("last", null);
    say(texts.waiting_fix);
    watchId = navigator.geolocation.watchPosition(onPosition, onError, {
      enableHighAccuracy: true, maximumAge: 5000, timeout: 60000
    });
  }

  function showActive(active) {
    $("patrol-start").hidden = active;
    $("patrol-end").hidden = !active;
    $("patrol-checkin").hidden = !active;
    $("patrol-report").hidden = !active;
  }

  $("patrol-start").addEventListener("click", function () {
    if (!navigator.onLine) { say(texts.needs_network); return; }
    call(config.start_url, null, false).then(function (answer) {
      if (!answer.ok) { say((answer.data && answer.data.detail) || texts.failed); return; }
      patrol = answer.data;
      showActive(true);
      say(texts.on_patrol);
      watch();
    }, function () { say(texts.needs_network); });
  });

  $("patrol-end").addEventListener("click", function () {
    if (!patrol) return;
    if (!navigator.onLine) { say(texts.end_offline); return; }
    flush().then(function () {
      if (waiting()) { say(texts.end_offline); return; }
      return call(patrolUrl("end/"), null, false).then(function (answer) {
        if (!answer.ok) { say((answer.data && answer.data.detail) || texts.failed); return; }
        if (watchId !== null) navigator.geolocation.clearWatch(watchId);
        watchId = null;
        ["queue", "inflight", "last"].forEach(function (n) { store(n, null); });
        showActive(false);
        say(texts.ended);
        patrol = null;
        figures();
      });
    });
  });

  // -- check-in -----------------------------------------------------------------------------
  $("checkin-find").addEventListener("click", function () {
    var result = $("checkin-result");
    if (!here) { result.textContent = texts.no_position; return; }
    if (!navigator.onLine) { result.textContent = texts.needs_network; return; }
    fetch(config.nearby_url + "?lon=" + here.lon + "&lat=" + here.lat, {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) { return r.ok ? r.json() : []; }).then(function (places) {
      var select = $("checkin-place");
      select.textContent = "";
      places.forEach(function (p) {
        var option = document.createElement("option");
        option.value = p.id;
        option.textContent = p.name + " · " + p.kind + " · " + p.distance_m + " m";
        select.appendChild(option);
      });
      $("checkin-form").hidden = !places.length;
      result.textContent = places.length ? "" : texts.no_places;
      if (places.length) select.focus();
    }, function () { result.textContent = texts.needs_network; });
  });

  $("checkin-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var result = $("checkin-result");
    if (!here) { result.textContent = texts.no_position; return; }
    var form = new FormData(e.target);
    form.append("lon", here.lon);
    form.append("lat", here.lat);
    var select = $("checkin-place");
    var name = select.options[select.selectedIndex] ? select.options[select.selectedIndex].textContent.split(" · ")[0] : "";
    call(patrolUrl("check-ins/"), form, false).then(function (answer) {
      if (!answer.ok) {
        result.textContent = (answer.data && answer.data.detail) || texts.failed;
        return;
      }
      result.textContent = fmt(texts.checked_in, { place: name });
      e.target.reset();
      e.target.hidden = true;
    }, function () { result.textContent = texts.needs_network; });
  });

  // -- report from here -----------------------------------------------------------------------
  // The chosen category's questions, as fields named answers.<code>.
  function questions() {
    var box = $("report-questions");
    box.textContent = "";
    var code = $("report-category").value;
    var category = (config.categories || []).filter(function (c) { return c.code === code; })[0];
    (category ? category.questions : []).forEach(function (q) {
      var id = "report-q-" + q.code;
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = q.label;
      var input;
      if (q.datatype === "singlevaluelist" || q.datatype === "multivaluelist") {
        input = document.createElement("select");
        input.multiple = q.datatype === "multivaluelist";
        if (!input.multiple) input.appendChild(document.createElement("option"));
        q.values.forEach(function (v) {
          var option = document.createElement("option");
          option.value = v.key;
          option.textContent = v.name;
          input.appendChild(option);
        });
      } else if (q.datatype === "text") {
        input = document.createElement("textarea");
        input.rows = 2;
      } else {
        input = document.createElement("input");
        input.type = q.datatype === "number" ? "number" : q.datatype === "datetime" ? "datetime-local" : "text";
      }
      input.id = id;
      input.name = "answers." + q.code;
      input.required = q.required;
      box.appendChild(label);
      box.appendChild(input);
    });
  }
  $("report-category").addEventListener("change", questions);

  var reportId = uid();
  $("report-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var result = $("report-result");
    if (!here) { result.textContent = texts.no_position; return; }
    var form = new FormData(e.target);
    form.append("lon", here.lon);
    form.append("lat", here.lat);
    form.append("request_id", reportId);  // a second tap files nothing twice
    var button = e.target.querySelector("button[type=submit]");
    button.disabled = true;
    call(patrolUrl("reports/"), form, false).then(function (answer) {
      button.disabled = false;
      if (!answer.ok) {
        result.textContent = (answer.data && answer.data.detail) || texts.failed;
        return;
      }
      reportId = uid();
      result.textContent = "";
      $("report-questions").textContent = "";
      var link = document.createElement("a");
      link.href = answer.data.url;
      link.textContent = fmt(texts.reported, { id: answer.data.tracking_id });
      result.appendChild(link);
      e.target.reset();
    }, function () { button.disabled = false; result.textContent = texts.needs_network; });
  });

  // -- start-up -----------------------------------------------------------------------------
  window.addEventListener("online", function () { figures(); flush(); });
  window.addEventListener("offline", function () { figures(); });
  setInterval(flush, 15000);
  document.addEventListener("DOMContentLoaded", function () {
    if (patrol) {
      figures(patrol.point_count, patrol.distance_m);
      draw(true);
      watch();
      flush();
    } else {
      figures();
    }
  });
})();

/*
 * The live roll-call: /ws/emergency/notices/<id>/roll-call/ sends one small message per answer
 * (and per first opening); the counts here are added to in place. On every (re)connect the
 * counts are read again (data-refresh, JSON) to catch up on what happened while the socket was
 * down. Names come only to those who may read them (the server strips them for the others).
 * Plain JS, no build step; reconnects back off 1 s … 30 s.
 */
(function () {
  "use strict";

  var root = document.getElementById("rollcall-live");
  if (!root) return;
  var delay = 1000;
  var state = document.querySelector("[data-rollcall-state]");

  function bump(scope, selector, by) {
    if (!scope) return;
    var cell = scope.querySelector(selector);
    if (cell) cell.textContent = String((parseInt(cell.textContent, 10) || 0) + by);
  }

  function set(scope, selector, value) {
    if (!scope) return;
    var cell = scope.querySelector(selector);
    if (cell) cell.textContent = String(value);
  }

  // The row counting a recipient: the longest row path their area's path starts with (the
  // rows are areas one level beneath the target's, or the areas themselves); none: key 0.
  function rowFor(path) {
    var best = null;
    var length = -1;
    root.querySelectorAll("tr[data-path]").forEach(function (tr) {
      var rowPath = tr.getAttribute("data-path");
      if (rowPath && path.indexOf(rowPath) === 0 && rowPath.length > length) {
        best = tr;
        length = rowPath.length;
      }
    });
    return best || (path ? null : root.querySelector('tr[data-area="0"]'));
  }

  function clock(iso) {
    var at = new Date(iso);
    if (isNaN(at.getTime())) return "";
    return ("0" + at.getHours()).slice(-2) + ":" + ("0" + at.getMinutes()).slice(-2);
  }

  function apply(message) {
    var within = root.getAttribute("data-within") || "";
    if (within && message.area_path.indexOf(within) !== 0) return;  // outside the area shown
    var totals = root.querySelector(".rollcall-totals");
    var area = rowFor(message.area_path);
    if (message.reached) {
      bump(totals, '[data-total="reached"]', 1);
      bump(area, '[data-count="reached"]', 1);
    }
    if (message.answer) {
      bump(totals, '[data-total="answered"]', 1);
      bump(area, '[data-count="answered"]', 1);
      bump(totals, '[data-total="answer:' + message.answer + '"]', 1);
      bump(area, '[data-count="answer:' + message.answer + '"]', 1);
    }
    var person = document.querySelector('tr[data-recipient="' + message.recipient + '"]');
    if (person && message.name) {
      if (message.reached) set(person, '[data-cell="reached"]', clock(message.at));
      if (message.answer) {
        var heading = root.querySelector('th[data-option="' + message.answer + '"]');
        set(person, '[data-cell="answer"]', heading ? heading.textContent : message.answer);
      }
    }
  }

  function refresh() {
    var url = root.getAttribute("data-refresh");
    if (!url || !window.fetch) return;
    window.fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        var totals = root.querySelector(".rollcall-totals");
        ["total", "reached", "answered"].forEach(function (key) {
          set(totals, '[data-total="' + key + '"]', data.totals[key]);
        });
        Object.keys(data.totals.answers).forEach(function (option) {
          set(totals, '[data-total="answer:' + option + '"]', data.totals.answers[option]);
        });
        data.areas.forEach(function (counts) {
          var area = root.querySelector('tr[data-path="' + counts.path + '"]');
          ["total", "reached", "answered"].forEach(function (key) {
            set(area, '[data-count="' + key + '"]', counts[key]);
          });
          Object.keys(counts.answers).forEach(function (option) {
            set(area, '[data-count="answer:' + option + '"]', counts.answers[option]);
          });
        });
      })
      .catch(function () {});
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + root.getAttribute("data-socket"));
    socket.onopen = function () {
      delay = 1000;
      if (state) state.hidden = false;
      refresh();
    };
    socket.onmessage = function (event) {
      try { apply(JSON.parse(event.data)); } catch (e) { /* a malformed message changes nothing */ }
    };
    socket.onclose = function () {
      if (state) state.hidden = true;
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  connect();
})();

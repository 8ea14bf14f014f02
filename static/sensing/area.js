/* A grid's sensing page: new latest readings arrive over /ws/sensing/areas/<id>/ and replace
 * the values in the table (the map's labels refresh with the page). Reconnects with a delay. */
(function () {
  "use strict";
  var table = document.getElementById("sensing-things");
  if (!table || !window.WebSocket) return;
  var status = document.getElementById("sensing-live-status");
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var delay = 1000;

  function show(reading) {
    var cell = table.querySelector('[data-latest="' + reading[0] + '"]');
    if (!cell) return;
    var unit = cell.textContent.replace(/^\s*[-\d.—e+]+\s*/, "");
    var value = reading[1] === null ? "—" : String(Math.round(reading[1] * 100) / 100);
    cell.textContent = value + " " + unit;
    var when = table.querySelector('[data-latest-time="' + reading[0] + '"]');
    if (when) {
      var time = document.createElement("time");
      time.setAttribute("datetime", reading[2]);
      time.textContent = new Date(reading[2]).toLocaleString();
      when.replaceChildren(time);
    }
  }

  function connect() {
    var socket = new WebSocket(scheme + window.location.host + table.getAttribute("data-socket"));
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.kind !== "sensing.readings") return;
      (message.readings || []).forEach(show);
      if (status) status.textContent = status.getAttribute("data-updated") || "";
    };
    socket.onclose = function () {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
}());

/*
 * Live pages: keep marked parts of a page current without a reload.
 *
 *   <section data-live="queue" data-live-refresh="/queue/fragment/">            → /ws/queue/
 *   <section data-live="case" data-tracking-id="…" data-live-refresh="…">      → /ws/cases/<id>/
 *   <div data-live="case-actions" data-tracking-id="…" data-live-when="status"> → /ws/cases/<id>/
 *   <span data-live="unread" data-live-refresh="/notifications/unread/">        → /ws/notifications/
 *   <section data-live="public" data-live-refresh="…">                           → /ws/live/
 *
 * On every message, and on every (re)connect — to catch up on whatever happened while the
 * socket was down — each element of that socket re-fetches its data-live-refresh URL and swaps
 * its content (through htmx when present). An element marked data-live-when="status" (a case
 * page's actions, where a half-typed form must not be wiped by every note) is re-fetched only
 * when a message brings a status other than its data-live-status, and on a reconnect. Reconnects back off exponentially (1 s … 30 s).
 * Changes are announced politely to screen readers (aria-live). Plain JS, no build step.
 */
(function () {
  "use strict";

  var MIN_DELAY = 1000;
  var MAX_DELAY = 30000;
  var sockets = {};

  function socketPath(el) {
    var kind = el.getAttribute("data-live");
    if (kind === "queue") return "/ws/queue/";
    if (kind === "unread") return "/ws/notifications/";
    if (kind === "public") return "/ws/live/";
    if (kind === "case" || kind === "case-actions") {
      var id = el.getAttribute("data-tracking-id");
      return id ? "/ws/cases/" + encodeURIComponent(id) + "/" : null;
    }
    return null;
  }

  function announcer() {
    var region = document.getElementById("live-announcer");
    if (!region) {
      region = document.createElement("div");
      region.id = "live-announcer";
      region.setAttribute("aria-live", "polite");
      region.setAttribute("role", "status");
      region.style.cssText =
        "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);";
      document.body.appendChild(region);
    }
    return region;
  }

  function announce(text) {
    if (!text) return;
    var region = announcer();
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  // The page's wording (base.html's JSON script elements, in the page's language).
  function texts(id) {
    var el = document.getElementById(id);
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }

  function worded(phrase, message, statuses) {
    return phrase
      .replace("%(id)s", message.tracking_id || "")
      .replace("%(status)s", statuses[message.status] || "");
  }

  function describe(message) {
    if (!message || !message.kind) return "";
    var words = texts("page-texts");
    var statuses = words.statuses || {};
    if (message.kind === "notification") {
      var phrase = texts("notification-texts")[message.notification_kind];
      return phrase && message.tracking_id ? worded(phrase, message, statuses) : message.title || "";
    }
    if (message.kind === "broadcast") return message.text || "";
    if (!message.tracking_id) return "";
    var live = words.live || {};
    var sentence = live[message.kind] || live["case.transitioned"];
    return sentence ? worded(sentence, message, statuses) : "";
  }

  function statusChanged(el, message) {
    if (el.getAttribute("data-live-when") !== "status") return true;
    if (!message) return true;  // a reconnect: whatever happened meanwhile is unknown
    return !!message.status && message.status !== el.getAttribute("data-live-status");
  }

  function noteStatus(el) {
    var marker = el.querySelector("[data-case-status]");
    if (marker) el.setAttribute("data-live-status", marker.getAttribute("data-case-status"));
  }

  function refresh(el) {
    var url = el.getAttribute("data-live-refresh");
    if (!url) return Promise.resolve();
    if (!el.hasAttribute("aria-live")) el.setAttribute("aria-live", "polite");
    if (window.htmx && typeof window.htmx.ajax === "function") {
      // The element is its own source: htmx keeps one request in flight per source, and two
      // live parts of one socket (a case's status and its actions) refresh together.
      // htmx swaps after its promise resolves: the status is read on htmx:afterSettle.
      return window.htmx.ajax("GET", url, { source: el, target: el, swap: "innerHTML" });
    }
    return fetch(url, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "live.js" },
    }).then(function (response) {
      if (!response.ok) return;
      return response.text().then(function (html) {
        el.innerHTML = html;
        noteStatus(el);
        el.setAttribute("data-live-updated", String(Date.now()));
        el.dispatchEvent(new CustomEvent("live:updated", { bubbles: true }));
      });
    }).catch(function () { /* offline: the next message or reconnect tries again */ });
  }

  function refreshAll(entry, message) {
    // Coalesce bursts of events; remember which elements any message of the burst concerns.
    entry.elements.forEach(function (el) {
      if (statusChanged(el, message) && entry.due.indexOf(el) < 0) entry.due.push(el);
    });
    if (entry.pending) return;
    entry.pending = window.setTimeout(function () {
      var due = entry.due;
      entry.pending = null;
      entry.due = [];
      due.forEach(refresh);
    }, 150);
  }

  function connect(path) {
    var entry = sockets[path];
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws;
    try {
      ws = new WebSocket(scheme + window.location.host + path);
    } catch (e) {
      schedule(path);
      return;
    }
    entry.socket = ws;
    ws.onopen = function () {
      var catchUp = entry.opened;  // the first open follows a fresh page load
      entry.opened = true;
      entry.delay = MIN_DELAY;
      entry.elements.forEach(function (el) { el.setAttribute("data-live-state", "open"); });
      if (catchUp) refreshAll(entry);
    };
    ws.onmessage = function (event) {
      var message = null;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      entry.elements.forEach(function (el) {
        el.dispatchEvent(new CustomEvent("live:message", { detail: message, bubbles: true }));
      });
      announce(describe(message));
      refreshAll(entry, message);
    };
    ws.onclose = function () {
      entry.elements.forEach(function (el) { el.setAttribute("data-live-state", "closed"); });
      schedule(path);
    };
  }

  function schedule(path) {
    var entry = sockets[path];
    var delay = entry.delay;
    entry.delay = Math.min(entry.delay * 2, MAX_DELAY);
    // Jitter, so a restarted server is not met by every page at the same instant.
    window.setTimeout(function () { connect(path); }, delay / 2 + Math.random() * delay / 2);
  }

  function start() {
    if (!("WebSocket" in window)) return;
    var elements = document.querySelectorAll("[data-live]");
    Array.prototype.forEach.call(elements, function (el) {
      var path = socketPath(el);
      if (!path) return;
      if (!sockets[path]) {
        sockets[path] = { elements: [], delay: MIN_DELAY, opened: false, pending: null, due: [] };
      }
      sockets[path].elements.push(el);
      el.addEventListener("htmx:afterSettle", function (event) {
        if (event.target === el) noteStatus(el);
      });
    });
    Object.keys(sockets).forEach(connect);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

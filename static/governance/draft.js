/* The report form's draft in this browser, and a resend when the network was down.

   As the person types, the form's fields (category, answers, description, pin, address,
   urgency) are kept in localStorage under a key of the page and the account; never the files
   (a browser cannot keep them) and never the contact fields (name, phone, e-mail: personal
   data on what may be a shared device). On load, a kept draft is offered back; once the report
   is sent, it is removed.

   Submitting goes through fetch with the form's own FormData: when the request cannot reach
   the server, the person stays on the page with everything they wrote and a "Send again"
   button. Any answer from the server is followed as the form would have been: a redirect
   (sent) is followed, anything else (errors to correct) is posted again the ordinary way,
   which shows the server's page. Without script the form posts as it always did.
*/
(function () {
  "use strict";

  var SKIPPED = { csrfmiddlewaretoken: true, name: true, phone: true, email: true };
  var SAVE_DELAY = 400;

  function storage() {
    try {
      var probe = "draft-probe";
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null;  // private mode, storage full or refused: no draft, the form still works
    }
  }

  function kept(field) {
    if (!field.name || field.disabled || SKIPPED[field.name]) return false;
    var type = (field.type || "").toLowerCase();
    return type !== "file" && type !== "password" && type !== "submit" && type !== "button";
  }

  function collect(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field)) return;
      var type = field.type.toLowerCase();
      if (type === "checkbox" || type === "radio") {
        if (!values[field.name]) values[field.name] = [];
        if (field.checked) values[field.name].push(field.value);
      } else if (field.multiple && field.options) {
        values[field.name] = Array.prototype.filter.call(field.options, function (o) {
          return o.selected;
        }).map(function (o) { return o.value; });
      } else {
        values[field.name] = field.value;
      }
    });
    return values;
  }

  function meaningful(values) {
    return Object.keys(values).some(function (name) {
      var value = values[name];
      if (name === "urgency" || name === "channel") return false;  // defaults, not writing
      return Array.isArray(value) ? value.length > 0 : String(value).trim() !== "";
    });
  }

  function apply(form, values, only) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field) || !(field.name in values)) return;
      if (only && !only(field.name)) return;
      var value = values[field.name];
      var type = field.type.toLowerCase();
      if (type === "checkbox" || type === "radio") {
        field.checked = Array.isArray(value) && value.indexOf(field.value) !== -1;
      } else if (field.multiple && field.options) {
        Array.prototype.forEach.call(field.options, function (o) {
          o.selected = Array.isArray(value) && value.indexOf(o.value) !== -1;
        });
      } else if (!Array.isArray(value)) {
        field.value = value;
      }
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  function setup(form, offer, store) {
    var key = offer.dataset.draftKey;
    var note = document.getElementById("draft-note");
    var offline = document.getElementById("draft-offline");
    var resend = document.getElementById("draft-resend");
    var timer = null;
    var restoring = false;
    if (note) note.hidden = false;

    function read() {
      try {
        var draft = JSON.parse(store.getItem(key) || "null");
        return draft && draft.values ? draft : null;
      } catch (e) {
        return null;
      }
    }
    function save() {
      if (restoring) return;
      var values = collect(form);
      try {
        if (meaningful(values)) {
          store.setItem(key, JSON.stringify({ savedAt: Date.now(), values: values }));
        } else {
          store.removeItem(key);
        }
      } catch (e) { /* storage full: the form itself is unaffected */ }
    }
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, SAVE_DELAY);
    }
    function forget() {
      window.clearTimeout(timer);
      try { store.removeItem(key); } catch (e) { /* nothing kept */ }
    }

    // The offer: a draft left from an earlier visit. A page the server sent back with errors
    // already holds what was posted: its draft is simply kept up to date, not offered.
    var draft = read();
    var refused = document.querySelector(".error-summary");
    if (draft && !refused) {
      var when = new Date(draft.savedAt);
      var lang = document.documentElement.lang || undefined;
      var text = offer.dataset.offer.replace(
        "{time}", when.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" })
      );
      document.getElementById("draft-offer-text").textContent = text;
      offer.hidden = false;
      document.getElementById("draft-restore").addEventListener("click", function () {
        restore(draft.values);
        document.getElementById("draft-offer-text").textContent = offer.dataset.restored;
        offer.querySelector(".map-buttons").hidden = true;
        var first = form.querySelector("#id_description");
        if (first) first.focus();
      });
      document.getElementById("draft-discard").addEventListener("click", function () {
        forget();
        offer.hidden = true;
      });
    } else if (!draft) {
      later();  // nothing kept yet: start from what the page holds
    }

    function restore(values) {
      restoring = true;
      var category = form.querySelector("[name=category]");
      var questions = document.getElementById("questions");
      var isAnswer = function (name) { return name.indexOf("answer_") === 0; };
      apply(form, values, function (name) { return !isAnswer(name); });
      // The category's questions come from the server on change (htmx): answer them once
      // they are in the page.
      if (category && questions && window.htmx) {
        var done = false;
        var answer = function () {
          if (done) return;
          done = true;
          document.body.removeEventListener("htmx:afterSettle", onSettle);
          apply(form, values, isAnswer);
          restoring = false;
          save();
        };
        var onSettle = function (e) { if (questions.contains(e.target) || e.target === questions) answer(); };
        document.body.addEventListener("htmx:afterSettle", onSettle);
        category.dispatchEvent(new Event("change", { bubbles: true }));
        window.setTimeout(answer, 3000);  // no questions to load: answer what is there
      } else {
        if (category) category.dispatchEvent(new Event("change", { bubbles: true }));
        apply(form, values, isAnswer);
        restoring = false;
      }
      var map = document.querySelector("[data-map=pick]");
      var lon = parseFloat(values.lon), lat = parseFloat(values.lat);
      if (map && !isNaN(lon) && !isNaN(lat)) {
        map.dispatchEvent(new CustomEvent("pin-set", { detail: { lon: lon, lat: lat } }));
      }
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    document.body.addEventListener("pin-moved", later);

    var sending = false;
    function send() {
      if (sending) return;
      sending = true;
      save();
      var action = form.getAttribute("action") || window.location.href;
      window.fetch(action, {
        method: "POST", body: new FormData(form), credentials: "same-origin"
      }).then(function (response) {
        if (response.redirected && response.ok) {
          // Sent, unless it was sent to sign in again first (an expired session): then the
          // draft stays for the return to this page.
          var login = offer.dataset.loginUrl;
          if (!login || new URL(response.url).pathname !== login) forget();
          window.location.assign(response.url);
          return;
        }
        // The server answered (errors to correct, a refusal): show its page the ordinary way.
        sending = false;
        HTMLFormElement.prototype.submit.call(form);
      }, function () {
        // The request never reached the server: keep everything and offer to send again.
        sending = false;
        if (!offline) { HTMLFormElement.prototype.submit.call(form); return; }
        offline.hidden = false;
        offline.focus();
      });
    }
    form.addEventListener("submit", function (e) {
      if (!window.fetch || !window.FormData) return;  // post the ordinary way
      e.preventDefault();
      send();
    });
    if (resend) {
      resend.addEventListener("click", function () {
        offline.hidden = true;
        send();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var offer = document.getElementById("draft-offer");
    var form = offer && offer.closest("form");
    var store = storage();
    if (form && store) setup(form, offer, store);
  });
})();

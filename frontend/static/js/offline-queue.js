/* Offline-tolerant writing.
 *
 * A form marked `data-offline-queue` is sent with fetch(). If the network fails, the
 * submission (text fields and files, e.g. a voice note) is kept in IndexedDB on this device
 * and sent again when the browser comes back online or on the next page load, with the same
 * `client_token`, so the server (which deduplicates on it) never counts it twice.
 * Without JavaScript the form simply posts as usual.
 */
(function () {
  "use strict";
  var DB_NAME = "consult-offline";
  var STORE = "queue";
  var script = document.currentScript;
  var messages = {
    saved: (script && script.dataset.msgSaved) || "Saved on this device; it will be sent when you are online.",
    sending: (script && script.dataset.msgSending) || "Sending…",
    sent: (script && script.dataset.msgSent) || "Your saved submission has been sent.",
    failed: (script && script.dataset.msgFailed) || "Your saved submission could not be sent yet."
  };

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "token" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = action(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function newToken() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  /* A live region next to the form; screen readers announce changes politely. */
  function statusFor(form) {
    var status = form.querySelector("[data-offline-status]") ||
      document.querySelector("[data-offline-status]:not(form [data-offline-status])");
    if (!status) {
      status = document.createElement("p");
      status.className = "offline-status";
      status.setAttribute("data-offline-status", "");
      form.appendChild(status);
    }
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    return status;
  }

  function announce(form, text, state) {
    var status = statusFor(form);
    status.textContent = text;
    status.dataset.state = state;
  }

  function globalStatus() {
    var form = document.querySelector("form[data-offline-queue]");
    if (form) { return form; }
    var main = document.querySelector("main") || document.body;
    return main;
  }

  function serialise(form, token) {
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "client_token") { return; }
      if (value instanceof File) {
        if (value.size) { entries.push({ name: name, blob: value, filename: value.name }); }
      } else {
        entries.push({ name: name, value: value });
      }
    });
    entries.push({ name: "client_token", value: token });
    return { token: token, action: form.action, entries: entries, savedAt: Date.now() };
  }

  function toFormData(item) {
    var data = new FormData();
    var csrf = csrfCookie();
    item.entries.forEach(function (entry) {
      if (entry.name === "csrfmiddlewaretoken" && csrf) {
        data.append(entry.name, csrf);  /* the current secret, in case the page token aged */
      } else if (entry.blob) {
        data.append(entry.name, entry.blob, entry.filename || "upload");
      } else {
        data.append(entry.name, entry.value);
      }
    });
    return data;
  }

  function send(item) {
    return fetch(item.action, {
      method: "POST",
      body: toFormData(item),
      credentials: "same-origin",
      headers: { "X-Offline-Queue": "1" }
    });
  }

  function save(item) {
    return withStore("readwrite", function (store) { return store.put(item); });
  }

  function remove(token) {
    return withStore("readwrite", function (store) { return store["delete"](token); });
  }

  function pending() {
    return withStore("readonly", function (store) { return store.getAll(); });
  }

  /* After a live (not queued) submission, show what the server answered. Over the rate
     limit the page stays as it is, with what was typed, and says when to send again. */
  function showResponse(form, response) {
    if (response.status === 429) {
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var message = doc.querySelector("[data-retry-message] p");
        announce(form, message ? message.textContent.trim() : messages.failed, "limited");
      });
    }
    if (response.redirected) {
      window.location.assign(response.url);
      return Promise.resolve();
    }
    return response.text().then(function (html) {
      document.open();
      document.write(html);
      document.close();
    });
  }

  function onSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-offline-queue")) { return; }
    if ((form.method || "get").toLowerCase() !== "post") { return; }
    event.preventDefault();
    var tokenInput = form.querySelector("input[name=client_token]");
    var token = (tokenInput && tokenInput.value) || newToken();
    if (tokenInput) { tokenInput.value = token; }
    var item = serialise(form, token);
    announce(form, messages.sending, "sending");
    send(item).then(function (response) { return showResponse(form, response); }, function () {
      return save(item).then(function () {
        announce(form, messages.saved, "saved");
      });
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !("indexedDB" in window)) { return Promise.resolve(); }
    flushing = true;
    return pending().then(function (items) {
      items = items || [];
      return items.reduce(function (chain, item) {
        return chain.then(function () {
          return send(item).then(function (response) {
            if (response.ok) {
              return remove(item.token).then(function () {
                announce(globalStatus(), messages.sent, "sent");
              });
            }
            announce(globalStatus(), messages.failed, "failed");
          }, function () {
            announce(globalStatus(), messages.saved, "saved");
          });
        });
      }, Promise.resolve());
    }).catch(function () {}).then(function () { flushing = false; });
  }

  document.addEventListener("submit", onSubmit);
  window.addEventListener("online", flush);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", flush);
  } else {
    flush();
  }
  window.consultOfflineQueue = { flush: flush, pending: pending };
}());

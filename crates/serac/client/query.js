// Serac's query reader: reads server queries (`#[serac::query]`) from
// scripts, and makes GET forms live. Loaded only by pages that use it
// (`serac::client::query_tags()`), after `serac.js`.
//
// For scripts:
//   serac.query(url)   the query's result, from `page.query_url(q, &args)`;
//                      rejects with a SeracError. Calls of one URL made at
//                      the same time share one request.
// On a <form method="get">:
//   data-serac-live    typing in the form (debounced by data-serac-debounce,
//                      250 ms by default) loads the page the form would
//                      load, morphs it into this one and replaces the URL;
//                      submitting does the same at once. Without JavaScript
//                      it is an ordinary GET form.
(function () {
  "use strict";
  var serac = window.serac;
  if (!serac || serac.query) return;

  var reading = new Map(); // url -> promise of its result

  serac.query = function (url) {
    if (reading.has(url)) return reading.get(url);
    var read = fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (response) {
        return response.text().then(function (text) {
          var body = null;
          try { body = JSON.parse(text); } catch (e) { body = null; }
          if (response.ok) return body;
          var error = body && body.error;
          throw new serac.SeracError(error && typeof error.message === "string" ? error : {
            kind: "http", status: response.status, message: "The server answered with an error (" + response.status + ").",
          });
        });
      }, function () {
        throw new serac.SeracError({ kind: "network", status: 0, message: "The server could not be reached. Check your connection and try again." });
      });
    reading.set(url, read);
    var done = function () { reading.delete(url); };
    read.then(done, done);
    return read;
  };

  // ---- live GET forms ------------------------------------------------------------

  var latest = new WeakMap(); // form -> number of its latest load
  var timers = new WeakMap();

  function target(form) {
    var url = new URL(form.getAttribute("action") || location.pathname, location.href);
    url.search = new URLSearchParams(new FormData(form)).toString();
    return url;
  }

  function load(form) {
    var url = target(form);
    if (url.origin !== location.origin) return;
    var n = (latest.get(form) || 0) + 1;
    latest.set(form, n);
    form.setAttribute("aria-busy", "true");
    fetch(url.href, { credentials: "same-origin", headers: { accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        // Only the latest answer: an earlier one may come back later.
        if (latest.get(form) !== n) return;
        serac.apply({ html: html, url: url.pathname + url.search });
      })
      .catch(function () { if (latest.get(form) === n) location.assign(url.href); })
      .then(function () { if (latest.get(form) === n) form.removeAttribute("aria-busy"); });
  }

  function live(el) {
    var form = el && (el.tagName === "FORM" ? el : el.form);
    return form && form.hasAttribute("data-serac-live") && (form.getAttribute("method") || "get").toLowerCase() === "get"
      ? form : null;
  }

  document.addEventListener("input", function (e) {
    var form = live(e.target);
    if (!form) return;
    var ms = Number(form.getAttribute("data-serac-debounce") || 250);
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () { load(form); }, ms));
  });

  document.addEventListener("submit", function (e) {
    var form = live(e.target);
    // A form to another site is left to the browser.
    if (!form || e.defaultPrevented || target(form).origin !== location.origin) return;
    e.preventDefault();
    clearTimeout(timers.get(form));
    load(form);
  });
})();

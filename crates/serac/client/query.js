// Serac's query reader: reads server queries (`#[serac::query]`) from
// scripts, and makes GET forms live. Loaded only by pages that use it
// (`serac::client::query_tags()`), after `serac.js`.
//
// For scripts:
//   serac.query(url)   the query's result, from `page.query_url(q, &args)`;
//                      rejects with a SeracError. Calls of one URL made at
//                      the same time share one request, and the queries
//                      asked for in one tick (a loop over rows, say) go out
//                      as one batch request (`/_serac/qb`).
//   serac.watch(url, fn)  calls fn(result) now and whenever a fresh result
//                      arrives: every action the page calls while watching
//                      names the watched queries (`serac-queries`), and its
//                      answer brings their fresh results, so no second
//                      request follows a mutation. Returns a function that
//                      stops watching.
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

  var BATCH = "/_serac/qb?", MAX = 32;
  var reading = new Map(); // url -> promise of its result
  var queued = null; // [url, resolve, reject] of this tick's reads
  var watched = new Map(); // url -> Set of listeners

  var NETWORK = { kind: "network", status: 0, message: "The server could not be reached. Check your connection and try again." };

  // GETs `url`; resolves to [ok, body] or rejects with a network SeracError.
  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (response) {
        return response.text().then(function (text) {
          var body = null;
          try { body = JSON.parse(text); } catch (e) { body = null; }
          return [response.ok, body, response.status];
        });
      }, function () { throw new serac.SeracError(NETWORK); });
  }

  function failure(error, status) {
    return new serac.SeracError(error && typeof error.message === "string" ? error : {
      kind: "http", status: status, message: "The server answered with an error (" + status + ").",
    });
  }

  // Sends this tick's reads: alone as a plain GET (cached by the browser
  // with its ETag), together as batches of at most MAX queries and about
  // 6 KB of URL.
  function flush() {
    var calls = queued, batch = [], len = 0;
    queued = null;
    calls.forEach(function (c) {
      var u = "u=" + encodeURIComponent(c[0]);
      if (batch.length && (batch.length === MAX || len + u.length > 6000)) { send(batch); batch = []; len = 0; }
      batch.push([c, u]);
      len += u.length + 1;
    });
    send(batch);
  }

  function send(batch) {
    if (batch.length === 1) {
      var c = batch[0][0];
      return get(c[0]).then(function (r) {
        if (r[0]) c[1](r[1]); else c[2](failure(r[1] && r[1].error, r[2]));
      }, c[2]);
    }
    get(BATCH + batch.map(function (b) { return b[1]; }).join("&")).then(function (r) {
      batch.forEach(function (b, i) {
        var entry = r[0] && Array.isArray(r[1]) ? r[1][i] : null;
        if (entry && entry.ok) b[0][1](entry.result);
        else b[0][2](failure(entry ? entry.error : r[1] && r[1].error, r[2]));
      });
    }, function (e) { batch.forEach(function (b) { b[0][2](e); }); });
  }

  serac.query = function (url) {
    if (reading.has(url)) return reading.get(url);
    var read = new Promise(function (resolve, reject) {
      if (!queued) { queued = []; queueMicrotask(flush); }
      queued.push([url, resolve, reject]);
    });
    reading.set(url, read);
    var done = function () { reading.delete(url); };
    read.then(done, done);
    return read;
  };

  // ---- single flight ---------------------------------------------------------

  serac.watch = function (url, fn) {
    if (!watched.has(url)) watched.set(url, new Set());
    watched.get(url).add(fn);
    serac.query(url).then(fn, function () {});
    return function () {
      var fns = watched.get(url);
      if (fns && fns.delete(fn) && !fns.size) watched.delete(url);
    };
  };

  // Every call names the watched queries (at most MAX, and about 4 KB of
  // header, what proxies take); serac.js adds these headers.
  serac.headers = function () {
    var urls = [], bytes = 0;
    watched.forEach(function (fns, url) {
      if (urls.length < MAX && (bytes += url.length + 1) <= 4096) urls.push(url);
    });
    return urls.length ? { "serac-queries": urls.join(" ") } : {};
  };

  document.addEventListener("serac:after", function (e) {
    var env = e.detail && e.detail.envelope;
    (env && env.queries || []).forEach(function (r) {
      if (r.ok && watched.has(r.url)) watched.get(r.url).forEach(function (fn) { fn(r.result); });
    });
  });

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

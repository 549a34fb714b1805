// serac.js: the browser runtime of Serac server actions.
//
// Pages work without this file: every action form is a plain <form method="post">.
// With it, forms marked data-serac-form are sent with fetch and the page is
// updated in place from the server's JSON envelope (docs/protocol.md). Every
// behaviour is declared by HTML attributes, listed in docs/attributes.md.
// One file, no build step, no dependencies.
(function () {
  "use strict";
  if (window.serac) return;

  var HEADER = "serac-action";
  var KEY_HEADER = "serac-idempotency-key";
  var RENDER_HEADER = "serac-render";
  var RELOADED = "serac-reloaded";
  var q = function (root, sel) { return Array.from(root.querySelectorAll(sel)); };

  // ---- errors -------------------------------------------------------------

  // What a failed action throws to client code: the envelope's error.
  function SeracError(e) {
    this.name = "SeracError";
    this.kind = e.kind;
    this.status = e.status;
    this.message = e.message;
    this.fields = e.fields || null;
    this.digest = e.digest || null;
  }
  SeracError.prototype = Object.create(Error.prototype);

  // ---- morphing -----------------------------------------------------------

  // Updates `from` in place to look like `to`, keeping the nodes that match, so
  // focus, caret, scroll positions and what the user is typing survive.
  function morph(from, to) {
    if (from.nodeType !== 1) {
      if (from.nodeValue !== to.nodeValue) from.nodeValue = to.nodeValue;
      return;
    }
    // Left alone: marked elements, and progress bars the runtime drives.
    if (from.hasAttribute("data-serac-preserve") || from.hasAttribute("data-serac-progress")) return;
    var i, a;
    for (i = from.attributes.length - 1; i >= 0; i--) {
      a = from.attributes[i].name;
      if (!to.hasAttribute(a)) from.removeAttribute(a);
    }
    for (i = 0; i < to.attributes.length; i++) {
      a = to.attributes[i];
      if (from.getAttribute(a.name) !== a.value) from.setAttribute(a.name, a.value);
    }
    var tag = from.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") {
      syncValue(from, to);
      if (tag !== "SELECT") return;
    }
    if (tag === "TEMPLATE") { from.innerHTML = to.innerHTML; return; }
    morphChildren(from, to);
  }

  // A field keeps what the user typed (its value differs from its default)
  // unless the server's new default says otherwise for an untouched field.
  function syncValue(from, to) {
    var t = from.type;
    if (t === "checkbox" || t === "radio") {
      if (from.checked === from.defaultChecked) from.checked = to.hasAttribute("checked");
      from.defaultChecked = to.hasAttribute("checked");
      return;
    }
    if (t === "file" || from.tagName === "SELECT") return;
    var dirty = from.value !== from.defaultValue;
    var next = from.tagName === "TEXTAREA" ? to.textContent : to.getAttribute("value") || "";
    from.defaultValue = next;
    if (!dirty) from.value = next;
  }

  function same(a, b) {
    return a.nodeType === b.nodeType && a.nodeName === b.nodeName && (a.nodeType !== 1 || a.id === b.id);
  }

  function morphChildren(parent, next) {
    var cur = parent.firstChild;
    var kids = Array.from(next.childNodes);
    for (var i = 0; i < kids.length; i++) {
      var n = kids[i], match = null;
      // DOMParser parses <noscript> content as markup: putting it in the live
      // page would load what it holds (a tracking image, say). Keep ours.
      if (n.nodeName === "NOSCRIPT") {
        if (cur && cur.nodeName === "NOSCRIPT") cur = cur.nextSibling;
        continue;
      }
      if (n.nodeType === 1 && n.id) {
        match = document.getElementById(n.id);
        if (match && (match.parentNode !== parent || match.nodeName !== n.nodeName)) match = null;
      } else if (cur && same(cur, n)) {
        match = cur;
      }
      if (match) {
        if (match === cur) cur = cur.nextSibling;
        else parent.insertBefore(match, cur);
        morph(match, n);
      } else {
        parent.insertBefore(document.importNode(n, true), cur);
      }
    }
    while (cur) {
      var gone = cur;
      cur = cur.nextSibling;
      if (gone.nodeName !== "SCRIPT" && gone.nodeName !== "NOSCRIPT") parent.removeChild(gone);
    }
  }

  // ---- page cache for back/forward (B15) ------------------------------------

  // Pages left through a runtime navigation, by URL, with the tags they declare
  // in <meta name="serac-tags">; an envelope's `invalidated` drops exactly
  // the entries it names.
  var pages = new Map();

  function tagsOf(doc) {
    var meta = doc.querySelector('meta[name="serac-tags"]');
    return meta ? meta.content.split(/[\s,]+/).filter(Boolean) : [];
  }

  function snapshot(url) {
    pages.set(url || here(), { html: document.documentElement.outerHTML, tags: tagsOf(document) });
  }

  function invalidate(inv) {
    if (!inv) return;
    pages.forEach(function (page, url) {
      var path = url.split("?")[0];
      var stale = (inv.paths || []).indexOf(path) >= 0 ||
        (inv.layouts || []).some(function (p) { return path === p || path.indexOf(p.replace(/\/$/, "") + "/") === 0; }) ||
        (inv.tags || []).some(function (t) { return page.tags.indexOf(t) >= 0; });
      if (stale) pages.delete(url);
    });
  }

  function here() { return location.pathname + location.search; }
  // Where calls are posted: this page, as an absolute URL of this origin (a
  // path such as "//host/x" alone would name another site).
  function self() { return location.origin + location.pathname + location.search; }
  // Where a form posts: where the browser would post it (the submitter's
  // formaction, the form's action, or this page), when that is this origin;
  // null for another site, which the browser is left to submit itself.
  function target(form, submitter) {
    var to = (submitter && submitter.getAttribute("formaction")) || form.getAttribute("action");
    if (!to) return self();
    try { var u = new URL(to, location.href); } catch (e) { return null; }
    return u.origin === location.origin ? u.origin + u.pathname + u.search : null;
  }
  // A URL the runtime may send the browser to: http(s) only, never
  // "javascript:" or the like (R4).
  function web(url) {
    try { var u = new URL(url, location.href); return /^https?:$/.test(u.protocol) ? u.href : null; }
    catch (e) { return null; }
  }

  // Puts a whole new page in place of the current one; `fresh` when it is
  // another page, whose on-load actions must run.
  function show(html, fresh) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    if (doc.title !== document.title) document.title = doc.title;
    var meta = document.querySelector('meta[name="serac-tags"]'), nmeta = doc.querySelector('meta[name="serac-tags"]');
    if (meta && nmeta) meta.content = nmeta.content;
    morph(document.body, doc.body);
    if (fresh) q(document, "form").forEach(function (f) { f.__seracLoaded = false; });
    boot(document.body);
  }

  // The URL the shown page belongs to.
  var at = here();

  function navigate(url, html, replace) {
    if (replace) history.replaceState({ serac: true }, "", url);
    else history.pushState({ serac: true }, "", url);
    at = here();
    show(html, true);
    window.scrollTo(0, 0);
  }

  window.addEventListener("popstate", function () {
    var left = at, url = here(), page = pages.get(url);
    at = url;
    snapshot(left);
    if (page) return show(page.html, true);
    fetch(url, { headers: { accept: "text/html" } }).then(function (r) { return r.text(); })
      .then(function (html) { show(html, true); })
      .catch(function () { location.reload(); });
  });

  // ---- sending --------------------------------------------------------------

  function key() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  // POSTs `body` for action `id` to `url`; resolves to [status, envelope].
  // A network failure is retried once with the same idempotency key, so the
  // server runs the action at most once (B4). `progress` gets upload
  // fractions (B5).
  function send(id, body, json, progress, url) {
    // `serac.headers()`, when a reader (serac-query.js) sets it, adds its own.
    var headers = (window.serac.headers || Object)();
    headers[HEADER] = id;
    headers[KEY_HEADER] = key();
    // While the page shows an earlier call's outcome, ask for the page, so
    // a success clears it as the page a browser without JavaScript gets.
    if (outcomeShown) headers[RENDER_HEADER] = "page";
    if (json) headers["content-type"] = "application/json";
    var attempt = function (retry) {
      var p = progress ? xhr(url, headers, body, progress) : fetch(url, {
        method: "POST", headers: headers, body: body, credentials: "same-origin",
      }).then(function (r) {
        return r.text().then(function (text) { return answer(r.status, r.headers.get("content-type"), text); });
      });
      return p.catch(function (e) {
        if (retry && e instanceof TypeError) return attempt(false);
        throw e;
      });
    };
    return attempt(true);
  }

  function xhr(url, headers, body, progress) {
    return new Promise(function (resolve, reject) {
      var x = new XMLHttpRequest();
      x.open("POST", url);
      for (var h in headers) x.setRequestHeader(h, headers[h]);
      x.upload.onprogress = function (e) { if (e.lengthComputable) progress(e.loaded / e.total); };
      x.onload = function () { resolve(answer(x.status, x.getResponseHeader("content-type"), x.responseText)); };
      x.onerror = function () { reject(new TypeError("network error")); };
      x.send(body);
    });
  }

  // [status, envelope] of an answer. Only a 2xx envelope is a success:
  // any other status, or a body that is not an envelope (a proxy's error
  // page, a crashed handler's text), becomes an error envelope whose message
  // says what came back: a short plain text as it is (shown as text, never
  // HTML), otherwise the status.
  function answer(status, type, text) {
    // `type` may be null: the tests below then match nothing ("null").
    var env = null, other = null, ok = status >= 200 && status < 300;
    if (/json/i.test(type)) {
      try { env = JSON.parse(text); } catch (e) { env = null; }
      if (env && typeof env.ok === "boolean" && (env.ok || (env.error && typeof env.error.message === "string"))) {
        if (ok || !env.ok) return [status, env];
      } else if (env && typeof (env.error || env.message) === "string") {
        other = env.error || env.message;
      }
    } else if (/^text\/plain/i.test(type)) {
      other = text;
    }
    other = (other || "").replace(/\s+/g, " ").trim();
    if (other.length > 200) other = other.slice(0, 199) + "…";
    var message = other ? other + " (" + status + ")" : ok
      ? "The server sent an answer this page cannot read."
      : "The server answered with an error (" + status + "). Try again.";
    return [status, { ok: false, result: null, error: { kind: "http", status: status, message: message } }];
  }

  // Whether the page shows a call's error or result.
  var outcomeShown = false;

  // Applies an envelope to the page: a redirect navigates, new HTML is
  // morphed in, a stale id reloads once (B3). Returns true when handled.
  function apply(env) {
    var shows = !!env.error || (!!env.html && env.result !== null && env.result !== undefined);
    outcomeShown = env.redirect ? false : env.html ? shows : outcomeShown || shows;
    // The page being left is kept for Back before the invalidation is
    // applied, so that an action invalidating it drops it at once.
    if (env.redirect && env.html && !env.replace) snapshot();
    invalidate(env.invalidated);
    var err = env.error;
    if (err && err.kind === "unknown_action") {
      var last = Number(sessionStorage.getItem(RELOADED) || 0);
      if (Date.now() - last > 10000) {
        sessionStorage.setItem(RELOADED, String(Date.now()));
        location.reload();
        return true;
      }
    }
    if (env.redirect && env.html) { navigate(env.url, env.html, env.replace); return true; }
    if (env.redirect) {
      var to = web(env.redirect);
      if (to) { if (env.replace) location.replace(to); else location.assign(to); }
      return true;
    }
    if (env.html) {
      if (env.url && env.url !== here()) history.replaceState(history.state, "", env.url);
      show(env.html);
    }
    return false;
  }

  // ---- forms ----------------------------------------------------------------

  // form -> promise of its last submission (B1), and the serialized data
  // being sent.
  var chains = new WeakMap();
  var inflight = new WeakMap();

  function boundary(form) {
    return form.closest("[data-serac-error-boundary]") || form.querySelector("[data-serac-error-boundary]") ||
      document.querySelector("[data-serac-error-boundary]");
  }

  function showError(form, err) {
    var box = boundary(form);
    if (!box) return;
    var p = document.createElement("p");
    p.textContent = err.message;
    box.replaceChildren(p);
    if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "-1");
    if (!box.hasAttribute("aria-live")) box.setAttribute("aria-live", "assertive");
    box.focus();
  }

  // The pending state (S17, S18): aria-busy and data-pending on the form,
  // marked controls disabled, marked elements shown or hidden.
  function pending(form, on) {
    form.toggleAttribute("data-pending", on);
    if (on) form.setAttribute("aria-busy", "true");
    else form.removeAttribute("aria-busy");
    var els = q(form, "[data-serac-disable],[data-serac-show-pending],[data-serac-hide-pending]");
    if (form.id) els = els.concat(q(document, '[form="' + form.id + '"][data-serac-disable]'));
    els.forEach(function (el) {
      if (el.hasAttribute("data-serac-disable")) el.disabled = on;
      if (el.hasAttribute("data-serac-show-pending")) el.hidden = !on;
      if (el.hasAttribute("data-serac-hide-pending")) el.hidden = on;
    });
  }

  // Inserts the form's optimistic template filled with the submitted fields.
  function optimistic(form, data) {
    var t = document.getElementById(form.getAttribute("data-serac-optimistic") || "");
    var into = t && document.querySelector(t.getAttribute("data-serac-into") || "");
    if (!into) return [];
    var frag = t.content.cloneNode(true);
    q(frag, "[data-serac-field]").forEach(function (el) {
      // textContent: never HTML.
      el.textContent = data.get(el.getAttribute("data-serac-field")) || "";
    });
    var nodes = Array.from(frag.children);
    nodes.forEach(function (n) { n.setAttribute("data-serac-optimistic-item", ""); });
    if (t.getAttribute("data-serac-position") === "prepend") into.insertBefore(frag, into.firstChild);
    else into.appendChild(frag);
    return nodes;
  }

  function serialize(data) {
    var parts = [];
    data.forEach(function (v, k) { parts.push(k + "=" + (typeof v === "string" ? v : v.name + ":" + v.size)); });
    return parts.join("&");
  }

  // Fires a lifecycle event on `el`, or on the document once `el` has left
  // the page; false when a listener cancelled it.
  function fire(el, name, detail, cancelable) {
    var at = el && el.isConnected ? el : document;
    return at.dispatchEvent(new CustomEvent(name, { bubbles: true, cancelable: !!cancelable, detail: detail }));
  }

  var NETWORK = { kind: "network", status: 0, message: "The server could not be reached. Check your connection and try again." };

  // Sends `form` as the browser would (to `url`, or where it would post);
  // `live` when an event (data-serac-on) sent it rather than the user, so
  // what is being typed is never reset.
  function submit(form, submitter, live, url) {
    url = url || target(form, submitter);
    if (!url) return Promise.resolve();
    var data = new FormData(form, submitter || undefined);
    // A button with its own action sends `$button` = "<id>.<sealed values>".
    var action = submitter && submitter.name === "$button" ? submitter.value.split(".")[0] : data.get("$action");
    if (!action) return Promise.resolve();
    var sig = serialize(data);
    // A repeat click: nothing new to send.
    if (inflight.get(form) === sig) return chains.get(form);
    inflight.set(form, sig);
    var multipart = (form.getAttribute("enctype") || "").indexOf("multipart") === 0;
    var body = multipart ? data : new URLSearchParams(data);
    var bar = form.querySelector("progress[data-serac-progress]");
    var run = function () {
      var before = { action: action, form: form, submitter: submitter || null, data: data, url: url };
      if (!fire(form, "serac:before", before, true)) {
        if (inflight.get(form) === sig) inflight.delete(form);
        return;
      }
      pending(form, true);
      var guesses = optimistic(form, data);
      if (bar) bar.value = 0;
      var progress = bar && multipart ? function (f) { bar.max = 1; bar.value = f; } : null;
      return send(action, body, false, progress, url).then(function (res) {
        var env = res[1], err = env.error;
        guesses.forEach(function (n) { n.remove(); });
        pending(form, false);
        if (err) fire(form, "serac:error", { action: action, error: err, envelope: env });
        if (apply(env)) {
          // Navigated: nothing of this form to update.
        } else if (err && err.kind !== "validation") showError(form, err);
        else {
          if (!err) {
            if (!env.html) { var box = boundary(form); if (box) box.replaceChildren(); }
            // As the page a browser without JavaScript is sent back to: the
            // fields as the server rendered them, not as they were typed.
            if (!live && form.isConnected && !form.hasAttribute("data-serac-keep-values")) form.reset();
          }
          fire(form, "serac:done", env);
        }
        fire(form, "serac:after", { action: action, envelope: env });
      }, function () {
        guesses.forEach(function (n) { n.remove(); });
        pending(form, false);
        fire(form, "serac:error", { action: action, error: NETWORK, envelope: null });
        showError(form, NETWORK);
      }).then(function () { if (inflight.get(form) === sig) inflight.delete(form); });
    };
    var next = (chains.get(form) || Promise.resolve()).then(run, run);
    chains.set(form, next);
    return next;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target, live = form.__seracLive;
    form.__seracLive = false;
    if (e.defaultPrevented || !form.hasAttribute("data-serac-form")) return;
    // Another site: the browser posts there itself, as without JavaScript.
    var url = target(form, e.submitter);
    if (!url) return;
    e.preventDefault();
    submit(form, e.submitter, live, url);
  });

  document.addEventListener("keydown", function (e) {
    var el = e.target;
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey) || !el.form) return;
    if (el.getAttribute("data-serac-submit-on") !== "mod+enter") return;
    e.preventDefault();
    el.form.requestSubmit();
  });

  // ---- actions on events (S20, S21) -------------------------------------------

  var timers = new WeakMap();
  function sendLive(form) { form.__seracLive = true; form.requestSubmit(); }
  function trigger(form) {
    var ms = Number(form.getAttribute("data-serac-debounce") || 0);
    clearTimeout(timers.get(form));
    if (!ms) return sendLive(form);
    timers.set(form, setTimeout(function () { sendLive(form); }, ms));
  }

  ["input", "change", "click"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var el = e.target.closest ? e.target.closest('[data-serac-on~="' + type + '"]') : null;
      if (!el) return;
      var form = el.tagName === "FORM" ? el : el.form || el.closest("form");
      if (form && form.hasAttribute("data-serac-form")) trigger(form);
    });
  });

  // Runs the page's on-load actions once per page shown.
  function boot(root) {
    q(root, 'form[data-serac-on~="load"]').forEach(function (form) {
      if (form.__seracLoaded) return;
      form.__seracLoaded = true;
      sendLive(form);
    });
  }

  // ---- public API (S3) ----------------------------------------------------------
  // `apply(envelope)` updates the page with an answer (redirect, new page,
  // invalidations) as after a form submission: for `serac-stream.js`.

  window.serac = {
    // Calls action `id` with JSON arguments; resolves to its result, or
    // rejects with a SeracError. A changed page is applied as for forms.
    call: function (id) {
      var args = Array.from(arguments).slice(1);
      if (!fire(document, "serac:before", { action: id, args: args, url: self() }, true)) {
        return Promise.reject(new SeracError({ kind: "cancelled", status: 0, message: "The call was cancelled." }));
      }
      return send(id, JSON.stringify(args), true, null, self()).then(function (res) {
        var env = res[1];
        if (env.error) fire(document, "serac:error", { action: id, error: env.error, envelope: env });
        if (!env.error || env.html || env.error.kind === "unknown_action") apply(env);
        fire(document, "serac:after", { action: id, envelope: env });
        if (env.error) throw new SeracError(env.error);
        return env.result;
      }, function () {
        fire(document, "serac:error", { action: id, error: NETWORK, envelope: null });
        throw new SeracError(NETWORK);
      });
    },
    submit: submit,
    apply: apply,
    morph: morph,
    SeracError: SeracError,
  };

  function start() {
    boot(document.body);
    var early = window.__seracQueue || [];
    window.__seracQueue = null;
    early.forEach(function (s) { submit(s[0], s[1]); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// Serac's stream reader: shows the parts of an action that streams its
// result (an action returning `Streaming<T>`) as they arrive. Loaded only by
// pages that use it (`serac::client::stream_tags()`), after `serac.js`.
//
// On a form:
//   data-serac-stream="append"    each part is appended to the target as text
//   data-serac-stream="replace"   each part replaces the target's text
//   data-serac-stream="progress"  each part (a number, or {value, max}) sets
//                                 the target <progress>
//   data-serac-into="#css"        the target element
// On a button of the form (type="button", or outside it with form="id"):
//   data-serac-abort              stops the stream; the server drops its
//                                 producer
//
// For scripts: `serac.stream(id, ...args)` is an async iterator of the parts.
// Leaving a `for await` loop, or calling `.abort()`, stops the stream.
//
// The answer is newline-delimited JSON: `{"part": …}` lines, then the call's
// envelope, applied to the page as for any call (docs/protocol.md).
(function () {
  "use strict";
  var serac = window.serac;
  if (!serac || serac.stream) return;

  var NDJSON = "application/x-ndjson";

  // The lines of a newline-delimited JSON body, parsed.
  async function* lines(response) {
    var reader = response.body.getReader(), decoder = new TextDecoder(), buffered = "";
    for (;;) {
      var read = await reader.read();
      if (read.done) break;
      buffered += decoder.decode(read.value, { stream: true });
      var at;
      while ((at = buffered.indexOf("\n")) >= 0) {
        var line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        if (line.trim()) yield JSON.parse(line);
      }
    }
    buffered += decoder.decode();
    if (buffered.trim()) yield JSON.parse(buffered);
  }

  function failure(status, message) {
    return new serac.SeracError({ kind: "http", status: status, message: message });
  }

  // Posts a call and yields its parts; then applies the envelope to the page
  // and throws a SeracError if it says the call failed. Aborting
  // `controller` (or leaving the loop early) cancels the request.
  async function* parts(id, body, json, url, controller) {
    var headers = { "serac-action": id };
    if (json) headers["content-type"] = "application/json";
    try {
      var response = await fetch(url, {
        method: "POST", headers: headers, body: body, credentials: "same-origin", signal: controller.signal,
      });
      var envelope = null;
      if ((response.headers.get("content-type") || "").indexOf(NDJSON) === 0) {
        for await (var line of lines(response)) {
          if (Object.prototype.hasOwnProperty.call(line, "part")) yield line.part;
          else envelope = line;
        }
        if (!envelope) throw failure(response.status, "The answer was cut off before its end. Try again.");
      } else {
        // Refused before anything streamed: an ordinary envelope.
        try { envelope = await response.json(); } catch (e) { envelope = null; }
        if (!envelope || !envelope.error) {
          throw failure(response.status, "The server answered with an error (" + response.status + "). Try again.");
        }
      }
      serac.apply(envelope);
      if (envelope.error) throw new serac.SeracError(envelope.error);
    } finally {
      controller.abort();
    }
  }

  serac.stream = function (id) {
    var args = Array.prototype.slice.call(arguments, 1);
    var controller = new AbortController();
    var iterator = parts(id, JSON.stringify(args), true, location.href, controller);
    iterator.abort = function () { controller.abort(); };
    return iterator;
  };

  // ---- forms ------------------------------------------------------------------

  var running = new WeakMap(); // form -> AbortController of its stream

  function show(into, mode, part) {
    if (!into) return;
    if (mode === "progress") {
      var value = part && typeof part === "object" ? part : { value: part };
      if (value.max !== undefined) into.max = value.max;
      into.value = value.value;
    } else if (mode === "replace") {
      into.textContent = String(part);
    } else {
      // Text, never HTML.
      into.append(typeof part === "string" ? part : JSON.stringify(part));
    }
  }

  function busy(form, on) {
    if (on) form.setAttribute("aria-busy", "true");
    else form.removeAttribute("aria-busy");
    form.querySelectorAll("[data-serac-disable]").forEach(function (el) { el.disabled = on; });
  }

  function showError(form, error) {
    var box = form.closest("[data-serac-error-boundary]") || document.querySelector("[data-serac-error-boundary]");
    if (!box) return;
    var p = document.createElement("p");
    p.textContent = error.message;
    box.replaceChildren(p);
  }

  // Runs before serac.js's own submit handler (capture), and takes the
  // streaming forms from it.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form.hasAttribute("data-serac-stream")) return;
    var url = new URL(form.getAttribute("action") || location.href, location.href);
    if (url.origin !== location.origin) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (running.has(form)) return;
    var submitter = e.submitter;
    var data = new FormData(form, submitter || undefined);
    var id = submitter && submitter.name === "$button" ? submitter.value.split(".")[0] : data.get("$action");
    if (!id) return;
    var into = document.querySelector(form.getAttribute("data-serac-into") || "");
    var mode = form.getAttribute("data-serac-stream") || "append";
    // Kept when the page is updated after the stream: it shows the parts.
    if (into) {
      into.setAttribute("data-serac-preserve", "");
      if (mode !== "progress") into.textContent = "";
    }
    var multipart = (form.getAttribute("enctype") || "").indexOf("multipart") === 0;
    var controller = new AbortController();
    running.set(form, controller);
    busy(form, true);
    (async function () {
      try {
        var body = multipart ? data : new URLSearchParams(data);
        for await (var part of parts(id, body, false, url.href, controller)) show(into, mode, part);
        var box = form.closest("[data-serac-error-boundary]");
        if (box) box.replaceChildren();
      } catch (error) {
        if (error && error.name !== "AbortError") showError(form, error);
      } finally {
        running.delete(form);
        busy(form, false);
        form.dispatchEvent(new CustomEvent("serac:after", { bubbles: true, detail: { action: id } }));
      }
    })();
  }, true);

  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-serac-abort]") : null;
    if (!button) return;
    var form = button.form || button.closest("form");
    var controller = form && running.get(form);
    if (!controller) return;
    e.preventDefault();
    controller.abort();
  });
})();

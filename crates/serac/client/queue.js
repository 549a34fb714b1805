// queue.js: inlined in the page's <head> before anything else, so that a
// form submitted before serac.js has loaded is not lost (and not posted the
// slow way): the submit is held, the form marked busy, and serac.js sends
// it when it starts.
window.__seracQueue = [];
document.addEventListener("submit", function (e) {
  var f = e.target, s = e.submitter;
  // Where the browser would post: another site is left to the browser.
  var to = s && s.getAttribute("formaction") ? s.formAction : f.action;
  if (window.__seracQueue && f.hasAttribute("data-serac-form") && to.indexOf(location.origin + "/") === 0) {
    e.preventDefault();
    f.setAttribute("aria-busy", "true");
    window.__seracQueue.push([f, e.submitter]);
  }
});

// Progressive enhancement only: every page works without this file.
(function () {
  // htmx sends the CSRF token with every request it makes.
  document.addEventListener("htmx:configRequest", function (e) {
    var m = document.querySelector('meta[name="csrf-token"]');
    if (m) e.detail.headers["X-CSRF-Token"] = m.content;
  });
  // Minutes survive a dropped connection: each section is kept in the
  // phone's storage until the server confirms it, and re-sent when back online.
  function key(form) { return form && form.getAttribute("data-draft-key"); }
  document.addEventListener("input", function (e) {
    var form = e.target.closest("form[data-draft-key]");
    if (form) localStorage.setItem(key(form), e.target.value);
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt.closest && e.detail.elt.closest("form[data-draft-key]");
    if (!form) return;
    if (e.detail.successful) localStorage.removeItem(key(form));
    else if (!e.detail.xhr || e.detail.xhr.status === 0) {
      var s = form.querySelector("[id^=saved-]");
      if (s) s.textContent = form.getAttribute("data-offline") || "…";
    }
  });
  function resend() {
    document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      var kept = localStorage.getItem(key(form));
      var area = form.querySelector("textarea");
      if (kept !== null && area) {
        if (area.value !== kept) area.value = kept;
        htmx.trigger(area, "input");
      }
    });
  }
  window.addEventListener("online", resend);
  document.addEventListener("DOMContentLoaded", function () { if (window.htmx) resend(); });
  // Confirm destructive buttons.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-confirm]");
    if (b && !window.confirm(b.getAttribute("data-confirm"))) e.preventDefault();
  });
})();

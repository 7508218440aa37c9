// Progressive enhancement only: every page works without this file.
(function () {
  // htmx sends the CSRF token with every request it makes.
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }
  document.addEventListener("htmx:configRequest", function (e) {
    if (csrf()) e.detail.headers["X-CSRF-Token"] = csrf();
  });
  // Confirm destructive buttons.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-confirm]");
    if (b && !window.confirm(b.getAttribute("data-confirm"))) e.preventDefault();
  });
  // A range input shows its value in the <output> it names.
  document.addEventListener("input", function (e) {
    var out = e.target.getAttribute && e.target.getAttribute("data-shows");
    if (out && document.getElementById(out)) document.getElementById(out).value = e.target.value;
  });

  // ---- The meeting with no connection (issue 12) ----
  // The service worker keeps the app shell and the meeting's pages; the
  // changes made on those pages with no connection (forms marked
  // data-offline) are queued here, each with a key drawn when it was made
  // and the fields it was made from (a minutes edit carries its version),
  // shown on the page at once, and sent in order when the connection
  // returns. The server applies a key once and answers what became of it.
  var QUEUE = "chibo-queue", PROBLEMS = "chibo-problems", SENT = "chibo-sent";
  var offline = !navigator.onLine, sending = false;
  var bar = document.getElementById("sync-status");
  function say(name, n) {
    return ((bar && bar.getAttribute("data-" + name)) || "").replace("%n", n);
  }
  function load(name) {
    try { return JSON.parse(localStorage.getItem(name)) || []; } catch (e) { return []; }
  }
  function store(name, list) {
    if (list.length) localStorage.setItem(name, JSON.stringify(list));
    else localStorage.removeItem(name);
  }
  function drawKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function show() {
    if (!bar) return;
    var n = load(QUEUE).length, problems = load(PROBLEMS), text = "";
    if (offline) text = say(n ? "offline" : "offline-none", n);
    else if (n) text = say("sending", n);
    else if (sessionStorage.getItem(SENT)) text = say("sent", 0);
    bar.textContent = text;
    problems.forEach(function (p) {
      var line = document.createElement("span");
      line.className = "problem";
      line.textContent = p.message;
      bar.appendChild(line);
    });
    bar.hidden = !text && !problems.length;
    bar.classList.toggle("offline", offline);
  }

  function params(body) { return new URLSearchParams(body); }
  function byAction(url) { return document.querySelector('form[action="' + url + '"]'); }
  function pending(el) {
    var s = document.createElement("span");
    s.className = "hint pending";
    s.textContent = " (" + say("pending", 0) + ")";
    el.appendChild(s);
  }
  // The roll-call's counts, recounted from the rows on the page.
  function recount() {
    var panel = document.getElementById("panel");
    if (!panel) return;
    var n = { co_mat: 0, vang_co_ly_do: 0, vang_khong_ly_do: 0, none: 0 };
    document.querySelectorAll("li.roll-row").forEach(function (li) {
      var p = li.getAttribute("data-presence") || "none";
      n[p] = (n[p] || 0) + 1;
    });
    var b = panel.querySelectorAll(".stat b");
    [n.co_mat, n.vang_co_ly_do, n.vang_khong_ly_do, n.none].forEach(function (v, i) {
      if (b[i]) b[i].textContent = v;
    });
    panel.classList.add("pending");
  }
  function mark(li, presence, reason) {
    if (!li) return;
    li.setAttribute("data-presence", presence);
    li.className = "roll-row " + presence;
    li.querySelectorAll("button[data-presence]").forEach(function (b) {
      var on = b.getAttribute("data-presence") === presence;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.classList.toggle("secondary", !on);
    });
    var box = li.querySelector("form.reason");
    if (box) box.hidden = presence !== "vang_co_ly_do";
    if (reason) {
      var summary = li.querySelector("summary");
      var r = summary.querySelector(".reason") || document.createElement("span");
      r.className = "hint reason";
      r.textContent = " (" + reason + ")";
      summary.appendChild(r);
    }
  }
  // Shows a queued change on the page it belongs to, as the server will.
  function applyLocal(c) {
    var f = params(c.body), form = byAction(c.url);
    if (c.kind === "roll") {
      mark(document.getElementById("m" + c.url.split("/")[4]), f.get("presence"), f.get("reason"));
      recount();
    } else if (c.kind === "roll-all") {
      var first = document.querySelector("ul.roll");
      if (first) first.querySelectorAll("li.roll-row:not([data-presence])").forEach(function (li) { mark(li, "co_mat"); });
      recount();
    } else if (c.kind === "minutes" && form) {
      var area = form.querySelector("textarea");
      if (area && area.value !== f.get("text")) area.value = f.get("text");
      var saved = form.querySelector("[id^=saved-]");
      if (saved) saved.textContent = say("pending", 0);
    } else if (c.kind === "speech") {
      var item = document.querySelector('input[name=item_id][value="' + f.get("item_id") + '"]');
      if (!item) return;
      var section = item.closest("section"), list = section.querySelector("ul.speeches");
      var who = item.form.querySelector('option[value="' + f.get("member_id") + '"]');
      var li = document.createElement("li"), b = document.createElement("b");
      b.textContent = (who ? who.textContent : "") + ": ";
      li.appendChild(b);
      li.appendChild(document.createTextNode(f.get("body")));
      pending(li);
      list.appendChild(li);
    } else if ((c.kind === "counts" || c.kind === "counted") && form) {
      var p = document.createElement("p");
      p.className = "flash";
      p.textContent = (f.get("subject") ? f.get("subject") + ": " : "") + f.get("tan_thanh") + " / " +
        f.get("khong_tan_thanh") + " / " + f.get("khong_bieu_quyet");
      pending(p);
      form.parentNode.insertBefore(p, form);
      if (c.kind === "counts") form.hidden = true;
    }
  }
  function enqueue(form) {
    var kind = form.getAttribute("data-offline"), url = form.getAttribute("action");
    var q = load(QUEUE);
    // A section's text and a member's mark: only the latest counts, made
    // from the version the page had when the first edit was made.
    if (kind === "minutes" || kind === "roll") q = q.filter(function (c) { return c.url !== url; });
    var c = { key: drawKey(), kind: kind, url: url, body: new URLSearchParams(new FormData(form)).toString() };
    q.push(c);
    store(QUEUE, q);
    sessionStorage.removeItem(SENT);
    applyLocal(c);
    if (kind === "speech") form.reset();
    show();
    send();
  }
  function isOffline() { return offline || !navigator.onLine; }
  function holding() { return isOffline() || load(QUEUE).length > 0; }
  // Forms submitted with no connection (or behind queued changes) join the queue.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute("data-offline") || !holding()) return;
    e.preventDefault();
    e.stopPropagation();
    enqueue(form);
  }, true);
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt.closest && e.detail.elt.closest("form[data-offline]");
    if (!form || !holding()) return;
    e.preventDefault();
    enqueue(form);
  });
  // The connection dropped under a request: the same change is queued.
  document.addEventListener("htmx:sendError", function (e) {
    var form = e.detail.elt.closest && e.detail.elt.closest("form[data-offline]");
    offline = true;
    if (form) enqueue(form);
    show();
  });

  function settle(c, status, answer) {
    var q = load(QUEUE).filter(function (x) { return x.key !== c.key; });
    store(QUEUE, q);
    if (status === 409 || status === 422) {
      var problems = load(PROBLEMS);
      var text = params(c.body).get("text");
      problems.push({ key: c.key, url: c.url, kind: c.kind, text: text,
        message: (answer && answer.message) || say(status === 409 ? "conflict" : "refused", 0) });
      store(PROBLEMS, problems);
    }
  }
  function send() {
    if (sending || isOffline()) return;
    var q = load(QUEUE);
    if (!q.length) return;
    sending = true;
    show();
    var c = q[0], body = params(c.body);
    // The session's token now (the queued one may be older).
    if (csrf()) body.set("csrf", csrf());
    fetch(c.url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-Chibo-Change": c.key, "X-CSRF-Token": csrf() }
    }).then(function (res) {
      if (res.status !== 200 && res.status !== 409 && res.status !== 422) throw res.status;
      return res.json().then(function (a) { settle(c, res.status, a); });
    }).then(function () {
      sending = false;
      if (!load(QUEUE).length) {
        sessionStorage.setItem(SENT, "1");
        // The page as the server now holds it.
        if (!load(PROBLEMS).length) location.reload();
        else show();
      } else send();
    }, function (status) {
      sending = false;
      if (status === 401) bar && (bar.textContent = say("login", 0));
      else setTimeout(send, 10000);
    });
  }
  window.addEventListener("offline", function () { offline = true; show(); });
  window.addEventListener("online", function () { offline = false; show(); send(); });

  // A conflicting minutes edit is shown beside the section, never lost.
  function showProblems() {
    load(PROBLEMS).forEach(function (p) {
      var form = p.kind === "minutes" && byAction(p.url);
      if (!form || !p.text) return;
      var box = document.createElement("div");
      box.className = "conflict";
      var label = document.createElement("p");
      label.className = "error";
      label.textContent = p.message;
      var kept = document.createElement("textarea");
      kept.readOnly = true;
      kept.rows = 4;
      kept.value = p.text;
      kept.setAttribute("aria-label", p.message);
      var done = document.createElement("button");
      done.type = "button";
      done.className = "secondary";
      done.textContent = say("dismiss", 0);
      done.addEventListener("click", function () {
        store(PROBLEMS, load(PROBLEMS).filter(function (x) { return x.key !== p.key; }));
        box.remove();
        show();
      });
      box.appendChild(label);
      box.appendChild(kept);
      box.appendChild(done);
      form.parentNode.insertBefore(box, form.nextSibling);
    });
  }

  function start() {
    load(QUEUE).forEach(applyLocal);
    showProblems();
    show();
    sessionStorage.removeItem(SENT);
    // What waits is sent once the page has settled (a page shown from the
    // phone's copy learns it is offline a moment after it starts).
    setTimeout(send, 3000);
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js").then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      // A meeting's page keeps its other pages on the phone.
      var m = document.querySelector("[data-keep]");
      if (m && reg.active) reg.active.postMessage({ keep: m.getAttribute("data-keep").split(" ") });
    }).catch(function () {});
    var out = document.querySelector('form[action="/logout"]');
    if (out) out.addEventListener("submit", function () {
      localStorage.removeItem(PROBLEMS);
      if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ forget: true });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

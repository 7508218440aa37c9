// chibo's service worker: keeps the app shell and the pages of the meeting
// the secretary opened, so the meeting goes on in a hall with no signal.
// Pages are fetched from the network first (they change); the copy kept is
// shown only when there is no connection. Changes are never made here: the
// page queues them (app.js) and sends them when the connection returns.
var SHELL = "__SHELL__";
var CACHE = "chibo-__VERSION__";
// The pages kept: home, and a meeting with its roll-call, minutes and votes.
var KEPT = /^\/(meetings\/\d+(\/(roll|minutes|votes))?)?$/;

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(path, res) {
  // A page answered for someone logged in (a redirect leads to the login).
  if (res.ok && !res.redirected) {
    var copy = res.clone();
    caches.open(CACHE).then(function (c) { return c.put(path, copy); });
  }
  return res;
}

function page(req, path) {
  return fetch(req).then(function (res) { return keep(path, res); }, function () {
    return caches.match(path).then(function (r) { return r || Response.error(); });
  });
}

self.addEventListener("fetch", function (e) {
  var req = e.request;
  var url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/assets/") === 0) {
    e.respondWith(caches.match(req).then(function (r) { return r || fetch(req); }));
  } else if (KEPT.test(url.pathname)) {
    e.respondWith(page(req, url.pathname));
  }
});

// The meeting page asks for its other pages to be kept before the signal goes.
self.addEventListener("message", function (e) {
  var paths = (e.data && e.data.keep) || [];
  e.waitUntil(Promise.all(paths.filter(function (p) { return KEPT.test(p); }).map(function (p) {
    return fetch(p, { credentials: "same-origin" }).then(function (res) { return keep(p, res); }, function () {});
  })));
});

// Logging out forgets every page kept.
self.addEventListener("message", function (e) {
  if (e.data && e.data.forget) {
    e.waitUntil(caches.keys().then(function (keys) {
      return Promise.all(keys.map(function (k) { return caches.delete(k); }));
    }));
  }
});

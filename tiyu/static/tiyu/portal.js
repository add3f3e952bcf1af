/* Resident pages: the browser's position ("nearby", "nearest first") and the region cascade.
 * Everything works without this script; it only adds the position and fills selects. */
(function () {
  "use strict";

  /** Ask the browser where the user is; `done(lat, lng)` or `failed()`. */
  function locate(done, failed) {
    if (!navigator.geolocation) { failed(); return; }
    navigator.geolocation.getCurrentPosition(
      function (pos) { done(pos.coords.latitude, pos.coords.longitude); },
      failed,
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
    );
  }

  /** Locate at once (without a prompt) when the user already allowed it for this site. */
  function whenAllowed(run) {
    if (!navigator.permissions || !navigator.permissions.query) return;
    navigator.permissions.query({ name: "geolocation" }).then(function (s) {
      if (s.state === "granted") run();
    }, function () {});
  }

  function showError(scope, on) {
    var el = scope.querySelector("[data-locate-error]");
    if (el) el.hidden = !on;
  }

  /* Home: reload the "nearby" list for the user's position. */
  function initHome() {
    var box = document.getElementById("nearby");
    var button = document.querySelector("[data-locate=nearby]");
    if (!box || !button) return;
    var section = box.parentElement;
    function run() {
      button.disabled = true;
      locate(function (lat, lng) {
        button.disabled = false;
        showError(section, false);
        var url = box.dataset.nearbyUrl + "?lat=" + lat.toFixed(6) + "&lng=" + lng.toFixed(6);
        window.htmx.ajax("GET", url, { target: box, swap: "innerHTML" });
      }, function () {
        button.disabled = false;
        showError(section, true);
      });
    }
    button.addEventListener("click", run);
    whenAllowed(run);
  }

  /* Search: province → city → district selects filled from the regions API. */
  function initCascade(form) {
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-cascade]"));
    selects.sort(function (a, b) { return a.dataset.cascade - b.dataset.cascade; });
    function reset(sel) {
      sel.replaceChildren(new Option(sel.dataset.all, ""));
      sel.disabled = true;
    }
    selects.forEach(function (sel, i) {
      sel.addEventListener("change", function () {
        // Runs before htmx sees the change on the form: lower levels are cleared first.
        for (var j = i + 1; j < selects.length; j++) reset(selects[j]);
        var next = selects[i + 1];
        if (!next || !sel.value) return;
        fetch(form.dataset.regionsUrl + "?parent=" + encodeURIComponent(sel.value), {
          headers: { Accept: "application/json" }
        }).then(function (r) { return r.ok ? r.json() : []; }).then(function (rows) {
          rows.forEach(function (r) { next.add(new Option(r.name, r.code)); });
          next.disabled = rows.length === 0;
        });
      });
    });
  }

  /* Search: "nearest to me" fills the hidden lat/lng and re-runs the search. */
  function initSearch() {
    var form = document.getElementById("search-form");
    if (!form) return;
    initCascade(form);
    var lat = form.elements.lat, lng = form.elements.lng;
    var button = form.querySelector("[data-locate=search]");
    var clear = form.querySelector("[data-unlocate]");
    function submit() { window.htmx.trigger(form, "submit"); }
    button.addEventListener("click", function () {
      button.disabled = true;
      locate(function (la, ln) {
        button.disabled = false;
        showError(form, false);
        lat.value = la.toFixed(6);
        lng.value = ln.toFixed(6);
        clear.hidden = false;
        submit();
      }, function () {
        button.disabled = false;
        showError(form, true);
      });
    });
    clear.addEventListener("click", function () {
      lat.value = "";
      lng.value = "";
      clear.hidden = true;
      submit();
    });
    // Keep the "map" link on the same filters as the list.
    var mapLink = document.querySelector("[data-map-link]");
    function syncMapLink() {
      if (!mapLink) return;
      var params = new URLSearchParams(new FormData(form));
      var region = params.get("district") || params.get("city") || params.get("province");
      ["province", "city", "district", "lat", "lng"].forEach(function (k) { params.delete(k); });
      if (region) params.set("region", region);
      Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) params.delete(k); });
      var qs = params.toString();
      mapLink.href = mapLink.pathname + (qs ? "?" + qs : "");
    }
    form.addEventListener("change", syncMapLink);
    form.addEventListener("input", syncMapLink);
    syncMapLink();
  }

  document.addEventListener("DOMContentLoaded", function () {
    initHome();
    initSearch();
  });
})();

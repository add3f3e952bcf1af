/* Leaflet maps of the resident pages: the fitness map (markers + list) and a venue's small map.
 *
 * Coordinates from the API are WGS-84. When the tile source is GCJ-02 (AutoNavi and most
 * Chinese providers) markers are shifted with gcoord for display only. When no tile can
 * load, markers, the list and distances still work and a small notice says so.
 */
(function () {
  "use strict";

  var TILE_TIMEOUT_MS = 8000;

  /** Build a DOM element: h("a", {href: "/x", class: "y"}, "text", child). Text is escaped. */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) return;
      el.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  /** A map on `el` with the configured tiles, a scale and the "no tiles" notice. */
  function createMap(el) {
    var crs = el.dataset.tileCrs || "wgs84";
    var map = L.map(el, { zoomControl: true, scrollWheelZoom: true });
    L.control.scale({ imperial: false }).addTo(map);

    var notice = L.control({ position: "bottomleft" });
    var noticeEl = h("div", { class: "tiyu-tile-notice", role: "status", "data-testid": "tile-notice" },
      el.dataset.tileError || "");
    noticeEl.hidden = true;
    notice.onAdd = function () { return noticeEl; };
    notice.addTo(map);

    var loaded = 0;
    function noTiles() {
      if (loaded) return;
      noticeEl.hidden = false;
      el.classList.add("tiyu-no-tiles");
    }
    var options = { maxZoom: 18, minZoom: 3 };
    if (el.dataset.tileSubdomains) options.subdomains = el.dataset.tileSubdomains;
    if (el.dataset.tileUrl) {
      var layer = L.tileLayer(el.dataset.tileUrl, options);
      layer.on("tileload", function () {
        loaded += 1;
        noticeEl.hidden = true;
        el.classList.remove("tiyu-no-tiles");
      });
      layer.on("tileerror", noTiles);
      layer.addTo(map);
      window.setTimeout(noTiles, TILE_TIMEOUT_MS);
    } else {
      noTiles();
    }

    /** [lat, lng] to draw a WGS-84 point on these tiles. */
    function toDisplay(lat, lng) {
      if (crs === "gcj02" && window.gcoord) {
        var p = window.gcoord.transform([lng, lat], window.gcoord.WGS84, window.gcoord.GCJ02);
        return [p[1], p[0]];
      }
      return [lat, lng];
    }
    return { map: map, toDisplay: toDisplay };
  }

  function pinIcon(label, extra) {
    return L.divIcon({
      className: "tiyu-marker" + (extra ? " " + extra : ""),
      html: '<span class="tiyu-pin"><span>' + String(label).replace(/[^0-9]/g, "") + "</span></span>",
      iconSize: [28, 28],
      iconAnchor: [14, 28],
      popupAnchor: [0, -26]
    });
  }

  function youIcon(mine) {
    return L.divIcon({
      className: "tiyu-you" + (mine ? "" : " tiyu-you-default"),
      iconSize: [16, 16],
      iconAnchor: [8, 8]
    });
  }

  /* --- Venue page: one marker ------------------------------------------------ */
  function initVenueMap() {
    var el = document.getElementById("venue-map");
    if (!el) return;
    var m = createMap(el);
    var at = m.toDisplay(parseFloat(el.dataset.venueLat), parseFloat(el.dataset.venueLng));
    m.map.setView(at, 15);
    L.marker(at, { icon: pinIcon("1"), title: el.dataset.venueName, alt: el.dataset.venueName })
      .addTo(m.map)
      .bindPopup(h("strong", {}, el.dataset.venueName));
  }

  /* --- Fitness map: markers and a list from the public API --------------------- */
  function initMapPage() {
    var el = document.getElementById("map");
    var form = document.getElementById("map-filters");
    if (!el || !form) return;
    var strings = JSON.parse(document.getElementById("map-strings").textContent);
    var list = document.getElementById("map-list");
    var status = document.getElementById("map-status");
    var m = createMap(el);
    var centre = { lat: parseFloat(el.dataset.lat), lng: parseFloat(el.dataset.lng), mine: false };
    var markers = L.layerGroup().addTo(m.map);
    var you = null;
    var rows = {};
    var request = 0;
    m.map.setView(m.toDisplay(centre.lat, centre.lng), 11);

    function km(distance) {
      if (distance === null || distance === undefined) return "";
      var v = distance / 1000;
      return strings.km.replace("%(km)s", v < 100 ? v.toFixed(1) : v.toFixed(0));
    }

    function select(id, fromMarker) {
      Object.keys(rows).forEach(function (k) {
        var r = rows[k];
        var on = String(k) === String(id);
        r.row.classList.toggle("active", on);
        if (on) r.row.setAttribute("aria-current", "true"); else r.row.removeAttribute("aria-current");
        var icon = r.marker.getElement();
        if (icon) icon.classList.toggle("is-active", on);
      });
      var hit = rows[id];
      if (!hit) return;
      if (fromMarker) {
        hit.row.scrollIntoView({ block: "nearest", behavior: "smooth" });
      } else {
        m.map.setView(hit.marker.getLatLng(), Math.max(m.map.getZoom(), 14));
        hit.marker.openPopup();
      }
    }

    function popup(v) {
      return h("div", { "data-testid": "map-popup" },
        h("strong", { class: "d-block" }, v.name),
        h("span", { class: "d-block text-body-secondary" },
          v.kind_label + " · " + v.region_name + (v.distance_m !== null ? " · " + km(v.distance_m) : "")),
        h("span", { class: "d-block small" }, v.address),
        h("a", { href: "/venues/" + v.id + "/", class: "d-inline-block mt-1" }, strings.details + " →"));
    }

    function listRow(v, n) {
      var row = h("button", {
        type: "button", class: "list-group-item list-group-item-action d-flex gap-2 align-items-start",
        "data-testid": "map-row", "data-id": v.id
      },
      h("span", { class: "tiyu-map-num" + (v.free_low_cost ? " is-free" : "") }, n),
      h("span", { class: "flex-grow-1 min-w-0 text-start" },
        h("span", { class: "d-flex justify-content-between gap-2" },
          h("span", { class: "fw-semibold text-truncate", "data-testid": "map-row-name" }, v.name),
          h("span", { class: "small text-nowrap", "data-testid": "distance" }, km(v.distance_m))),
        h("span", { class: "d-block small text-body-secondary text-truncate" },
          v.kind_label + " · " + v.region_name + (v.free_low_cost ? " · " + strings.free : ""))));
      row.addEventListener("click", function () { select(v.id, false); });
      return row;
    }

    function render(results) {
      markers.clearLayers();
      list.replaceChildren();
      rows = {};
      var bounds = [];
      results.forEach(function (v, i) {
        var at = m.toDisplay(v.lat, v.lng);
        var marker = L.marker(at, {
          icon: pinIcon(i + 1, v.free_low_cost ? "tiyu-marker-free" : ""), title: v.name, alt: v.name,
          riseOnHover: true
        }).bindPopup(popup(v));
        marker.on("click", function () { select(v.id, true); });
        marker.addTo(markers);
        var row = listRow(v, i + 1);
        list.append(row);
        rows[v.id] = { marker: marker, row: row };
        bounds.push(at);
      });
      if (!results.length) {
        list.append(h("div", { class: "list-group-item text-body-secondary", "data-testid": "map-empty" }, strings.empty));
      }
      // Frame the nearest few with the centre: the rest are a pan away.
      var frame = bounds.slice(0, 10).concat([m.toDisplay(centre.lat, centre.lng)]);
      if (frame.length > 1) m.map.fitBounds(frame, { padding: [36, 36], maxZoom: 15, animate: false });
    }

    function showYou() {
      if (you) you.remove();
      you = L.marker(m.toDisplay(centre.lat, centre.lng), {
        icon: youIcon(centre.mine), interactive: true, keyboard: false, zIndexOffset: -100
      }).bindTooltip(centre.mine ? strings.you : strings.centre).addTo(m.map);
    }

    function params() {
      var p = new URLSearchParams(new FormData(form));
      Array.from(p.keys()).forEach(function (k) { if (!p.get(k)) p.delete(k); });
      return p;
    }

    function load() {
      var mine = ++request;
      var p = params();
      history.replaceState(null, "", location.pathname + (p.toString() ? "?" + p : ""));
      p.set("lat", centre.lat.toFixed(6));
      p.set("lng", centre.lng.toFixed(6));
      p.set("limit", "100");
      status.textContent = "…";
      fetch(form.dataset.api + "?" + p, { headers: { Accept: "application/json" } })
        .then(function (r) {
          return r.json().then(function (body) { return { ok: r.ok, body: body }; });
        })
        .then(function (res) {
          if (mine !== request) return;
          if (!res.ok) {
            render([]);
            status.textContent = "";
            list.replaceChildren(h("div", {
              class: "alert alert-danger m-2", role: "alert", "data-error-code": res.body.code || "error"
            }, res.body.message || strings.error));
            return;
          }
          render(res.body.results);
          status.textContent = centre.mine ? strings.you : strings.centre;
        })
        .catch(function () {
          if (mine !== request) return;
          status.textContent = strings.error;
        });
    }

    function locate(auto) {
      if (!navigator.geolocation) return;
      navigator.geolocation.getCurrentPosition(function (pos) {
        centre = { lat: pos.coords.latitude, lng: pos.coords.longitude, mine: true };
        showYou();
        load();
      }, function () { if (!auto) status.textContent = strings.centre; },
      { timeout: 10000, maximumAge: 600000 });
    }

    var timer = null;
    form.addEventListener("input", function (e) {
      if (e.target.tagName !== "INPUT") return;
      window.clearTimeout(timer);
      timer = window.setTimeout(load, 400);
    });
    form.addEventListener("change", load);
    form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
    form.querySelector("[data-locate=map]").addEventListener("click", function () { locate(false); });
    if (navigator.permissions && navigator.permissions.query) {
      navigator.permissions.query({ name: "geolocation" }).then(function (s) {
        if (s.state === "granted") locate(true);
      }, function () {});
    }
    showYou();
    load();
  }

  document.addEventListener("DOMContentLoaded", function () {
    initVenueMap();
    initMapPage();
  });
})();

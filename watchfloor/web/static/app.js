// watchfloor dashboard enhancements. Every page works without this file; it only adds:
//  - interactive maps (Leaflet, installed from npm at set-up) in place of the server-drawn SVG maps,
//  - automatic submission of the situation page's date picker,
//  - centring of the highlighted source passage.
// Text from reports is only ever placed with textContent, never parsed as HTML.
(function () {
  "use strict";

  var outlineCache = {};

  function loadOutlines(url) {
    if (!outlineCache[url]) {
      outlineCache[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error("outlines: HTTP " + r.status); }
        return r.json();
      });
    }
    return outlineCache[url];
  }

  // Same rule as vendor.py's unwrap_ring: no ring edge may jump across the antimeridian on a flat map.
  function unwrapRing(ring) {
    var jumps = [];
    for (var i = 1; i < ring.length; i++) {
      if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) { jumps.push(i); }
    }
    if (!jumps.length) { return ring; }
    if (jumps.length % 2 === 1) {
      var cut = jumps[0];
      var rotated = ring.slice(cut).concat(ring.slice(1, cut));
      for (var j = 1; j < rotated.length; j++) {
        if (Math.abs(rotated[j][0] - rotated[j - 1][0]) > 180) { return ring; }
      }
      var sum = 0;
      ring.forEach(function (p) { sum += p[1]; });
      var pole = sum < 0 ? -89.9 : 89.9;
      var last = rotated[rotated.length - 1];
      return rotated.concat([[last[0], pole], [rotated[0][0], pole], rotated[0]]);
    }
    var out = [ring[0]];
    var shift = 0;
    for (var k = 1; k < ring.length; k++) {
      var d = ring[k][0] - ring[k - 1][0];
      if (d > 180) { shift -= 360; } else if (d < -180) { shift += 360; }
      out.push([ring[k][0] + shift, ring[k][1]]);
    }
    return out;
  }

  function unwrapFeatures(collection) {
    collection.features.forEach(function (f) {
      var g = f.geometry;
      if (!g) { return; }
      if (g.type === "Polygon") { g.coordinates = g.coordinates.map(unwrapRing); }
      if (g.type === "MultiPolygon") { g.coordinates = g.coordinates.map(function (poly) { return poly.map(unwrapRing); }); }
    });
    return collection;
  }

  function popupFor(point) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = point.name || "";
    box.appendChild(title);
    if (point.title) {
      var p = document.createElement("p");
      p.textContent = point.title;
      box.appendChild(p);
    }
    (point.links || []).forEach(function (link) {
      // Only links into this site: a path, never "//host", "/\\host" or a scheme.
      if (typeof link.href !== "string" || !/^\/(?![\/\\])/.test(link.href)) { return; }
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.label || "source";
      box.appendChild(a);
      box.appendChild(document.createElement("br"));
    });
    return box;
  }

  function drawMap(figure) {
    var L = window.L;
    var data;
    try { data = JSON.parse(figure.getAttribute("data-map") || "{}"); } catch (e) { return; }
    var points = (data.points || []).filter(function (p) { return isFinite(p.lat) && isFinite(p.lon); });
    var holder = document.createElement("div");
    holder.className = "leaflet-map";
    figure.insertBefore(holder, figure.firstChild);
    var map = L.map(holder, { attributionControl: true, worldCopyJump: false, preferCanvas: false });
    map.attributionControl.setPrefix("Leaflet");
    var tiles = figure.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18 }).addTo(map);
    }
    var outlines = figure.getAttribute("data-outlines");
    if (outlines && window.topojson) {
      loadOutlines(outlines).then(function (topo) {
        var land = unwrapFeatures(window.topojson.feature(topo, topo.objects.countries));
        var layer = L.geoJSON(land, {
          interactive: false,
          style: { color: "#b9b4a5", weight: 0.8, fillColor: "#e4e1d6", fillOpacity: tiles ? 0 : 1 }
        }).addTo(map);
        layer.bringToBack();
        map.attributionControl.addAttribution("Natural Earth; GeoNames");
      }).catch(function () { /* the markers still show */ });
    }
    var bounds = [];
    points.forEach(function (p) {
      var radius = 5 + 2.5 * Math.sqrt(Math.max(p.count || 1, 1) - 1);
      var color = p.color || "#c0392b";
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: Math.min(radius, 18),
        color: color,
        weight: p.full === false ? 3 : 1,
        fillColor: p.full === false ? "#ffffff" : color,
        fillOpacity: 0.75,
        className: "wf-marker"
      }).addTo(map);
      marker.bindPopup(popupFor(p));
      var label = document.createElement("span");
      label.textContent = p.name || "";
      marker.bindTooltip(label, { direction: "top", offset: [0, -6] });
      bounds.push([p.lat, p.lon]);
    });
    (data.extent || []).forEach(function (ll) {
      if (isFinite(ll[0]) && isFinite(ll[1])) { bounds.push(ll); }
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 7);
    } else if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 9 });
    } else {
      map.setView([20, 0], 2);
    }
    figure.classList.add("interactive");
    figure.setAttribute("data-map-ready", String(points.length));
  }

  function maps() {
    if (!window.L) { return; }
    var figures = document.querySelectorAll("figure.map[data-map]");
    for (var i = 0; i < figures.length; i++) {
      try { drawMap(figures[i]); } catch (e) { /* keep the SVG map */ }
    }
  }

  function datePicker() {
    var input = document.querySelector(".date-picker input[type=date]");
    if (input && input.form) {
      input.addEventListener("change", function () { if (input.value) { input.form.submit(); } });
    }
  }

  function highlight() {
    var mark = document.getElementById("hl");
    if (mark && window.location.hash === "#hl") {
      mark.scrollIntoView({ block: "center" });
    }
  }

  function start() {
    maps();
    datePicker();
    highlight();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

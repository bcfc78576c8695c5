// Day track: fetch the console's JSON API and draw the fixes on a Leaflet map.
// Classes the tests rely on: polyline path.vp-track, one path.vp-fix per fix,
// hover tooltips .vp-fix-tip, start/end rings .vp-start/.vp-end, hovered accuracy .vp-acc.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var tz = el.dataset.tz;
  var summary = document.getElementById("summary-text");

  // Local wall time in the console's zone, "2024-05-01 08:00:05" (not the browser's zone).
  var localFmt = new Intl.DateTimeFormat("en-CA", {
    timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
  });
  function localTime(d) {
    var p = {};
    localFmt.formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + ":" + p.second;
  }
  function utcTime(iso) { return iso.replace("T", " ").replace(/\.\d+Z$/, "Z"); }
  function clock(d) { return localTime(d).slice(11); }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function orDash(v, f) { return v === null || v === undefined ? "—" : f(v); }

  function tooltip(f, d, label) {
    return (label ? "<strong>" + label + "</strong><br>" : "") +
      "<span class=\"vp-tip-local\">" + esc(localTime(d)) + " (" + esc(tz) + ")</span><br>" +
      "<span class=\"vp-tip-utc\">" + esc(utcTime(f.t)) + " UTC</span><br>" +
      "accuracy " + orDash(f.acc_m, function (v) { return v + " m"; }) +
      " · speed " + orDash(f.speed_mps, function (v) {
        return v.toFixed(1) + " m/s (" + (v * 3.6).toFixed(1) + " km/h)";
      }) +
      "<br><span class=\"vp-muted\">seq " + f.seq + "</span>";
  }

  var map = L.map(el, { zoomSnap: 0.5, maxZoom: 21 });
  L.control.scale({ imperial: false }).addTo(map);
  if (el.dataset.tileUrl) {
    var tiles = L.tileLayer(el.dataset.tileUrl, {
      maxZoom: 19, attribution: el.dataset.tileAttribution || ""
    }).addTo(map);
    // Without tiles the track still draws on the container's plain background.
    tiles.once("tileerror", function () { el.classList.add("vp-tiles-failed"); });
  }
  map.setView([0, 0], 2);

  function draw(data) {
    var fixes = data.fixes;
    fillTable(fixes);
    if (!fixes.length) {
      summary.textContent = "No verified fixes on " + data.date + ".";
      el.classList.add("vp-empty");
      return;
    }
    var pts = fixes.map(function (f) { return [f.lat, f.lon]; });
    var first = new Date(fixes[0].t), last = new Date(fixes[fixes.length - 1].t);
    summary.textContent = fixes.length + (fixes.length === 1 ? " fix" : " fixes") +
      " on " + data.date + ", first " + clock(first) + ", last " + clock(last) +
      " (" + data.tz + ").";

    // smoothFactor 0: every fix stays a vertex (evidence, not a sketch).
    var line = L.polyline(pts, { className: "vp-track", color: "#2563eb", weight: 3, smoothFactor: 0,
      opacity: 0.8, interactive: false }).addTo(map);
    // Rings under the fix markers so that hovering still reaches the fix itself.
    L.circleMarker(pts[0], { radius: 11, className: "vp-start", color: "#15803d", weight: 3,
      fill: false, interactive: false }).addTo(map)
      .bindTooltip("Start", { permanent: true, direction: "left", className: "vp-label" });
    if (fixes.length > 1) {
      L.circleMarker(pts[pts.length - 1], { radius: 11, className: "vp-end", color: "#b91c1c",
        weight: 3, fill: false, interactive: false }).addTo(map)
        .bindTooltip("End", { permanent: true, direction: "right", className: "vp-label" });
    }
    // The accuracy radius of the hovered fix only: early fixes can claim hundreds of metres
    // and would bury the track if all were drawn.
    var accCircle = null;
    fixes.forEach(function (f, i) {
      var label = i === 0 ? "Start" : (i === fixes.length - 1 ? "End" : "");
      var m = L.circleMarker(pts[i], { radius: 5, className: "vp-fix", color: "#1e3a8a", weight: 2,
        fillColor: "#ffffff", fillOpacity: 1 }).addTo(map)
        .bindTooltip(tooltip(f, new Date(f.t), label), { direction: "top", className: "vp-fix-tip" });
      m.on("mouseover", function () {
        if (accCircle) accCircle.remove();
        accCircle = f.acc_m ? L.circle(pts[i], { radius: f.acc_m, className: "vp-acc",
          interactive: false, weight: 1, color: "#2563eb", fillOpacity: 0.08 }).addTo(map).bringToBack() : null;
      });
      m.on("mouseout", function () { if (accCircle) { accCircle.remove(); accCircle = null; } });
    });
    if (fixes.length === 1) map.setView(pts[0], 18);
    else map.fitBounds(line.getBounds(), { padding: [40, 40], maxZoom: 20 });
  }

  function fillTable(fixes) {
    var body = document.querySelector("#fix-table tbody");
    body.innerHTML = fixes.map(function (f) {
      var d = new Date(f.t);
      return "<tr><td class=\"num\">" + f.seq + "</td><td>" + esc(localTime(d)) + "</td><td>" +
        esc(utcTime(f.t)) + "</td><td class=\"num\">" + f.lat.toFixed(6) + "</td><td class=\"num\">" +
        f.lon.toFixed(6) + "</td><td class=\"num\">" + orDash(f.acc_m, String) +
        "</td><td class=\"num\">" + orDash(f.speed_mps, function (v) { return v.toFixed(1); }) +
        "</td></tr>";
    }).join("");
  }

  fetch(el.dataset.api, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error((body.error && body.error.message) || ("HTTP " + r.status));
        return body;
      });
    })
    .then(draw)
    .catch(function (err) {
      summary.textContent = "Could not load the track: " + err.message;
      el.classList.add("vp-empty");
    });
})();

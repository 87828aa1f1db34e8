/* Draws each .incident-map from the GeoJSON embedded in the page, with vendored Leaflet and Mali's regions.
   No request leaves the site unless the reader picks the online tiles in the layer control. */
(function () {
  "use strict";

  var MALI = [[10.1, -12.3], [25.1, 4.3]];

  function readCollection(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : { type: "FeatureCollection", features: [] };
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (character) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[character];
    });
  }

  function link(url, text) {
    return '<a href="' + escapeHtml(url) + '">' + escapeHtml(text) + "</a>";
  }

  // Area, not radius, grows with the number killed: 12 px for none or not reported, about 40 px for 50.
  function diameter(killed) {
    return Math.round(12 + 4 * Math.sqrt(killed || 0));
  }

  // A count as the sources give it; null means no source reports a number, which is not 0.
  function count(value, outcome) {
    return value === null || value === undefined ? outcome + ": not reported" : value + " " + outcome;
  }

  function incidentMarker(feature, latlng) {
    var p = feature.properties;
    var size = diameter(p.killed);
    var killed = count(p.killed, "killed");
    var others = [count(p.wounded, "wounded"), count(p.abducted, "abducted")];
    // ACLED geo_precision: 1 the town itself (solid), 2 near a town or a cercle's point (dashed), 3 a larger region
    // or the country (hollow); a feature without one is drawn as the least precise.
    var precision = p.geo_precision === 1 || p.geo_precision === 2 ? p.geo_precision : 3;
    var marker = L.marker(latlng, {
      icon: L.divIcon({ className: "incident-marker precision-" + precision, iconSize: [size, size] }),
      title: p.title + " — " + p.date + ", " + killed + " (location: " + p.precision + ")",
      keyboard: true,
      riseOnHover: true
    });
    marker.bindPopup(
      link(p.url, p.title) + "<br>" + escapeHtml(p.date) + " · " + escapeHtml(p.incident_type_label) +
        "<br>" + escapeHtml(killed) + " · " + escapeHtml(others.join(" · ")) + "<br>" + link(p.place_url, p.place) +
        "<br><small>Location: " + escapeHtml(p.precision) + "</small>"
    );
    return marker;
  }

  function baseMarker(feature, latlng) {
    var p = feature.properties;
    var marker = L.marker(latlng, {
      icon: L.divIcon({ className: "base-marker", iconSize: [14, 14] }),
      title: "Base: " + p.name + " (" + p.contingents.length + " contingents)",
      keyboard: true
    });
    var items = p.contingents.map(function (contingent) {
      return "<li>" + link(contingent.url, contingent.name) + "</li>";
    });
    marker.bindPopup(link(p.url, p.name) + "<ul>" + items.join("") + "</ul>");
    return marker;
  }

  function draw(container) {
    container.hidden = false;
    var map = L.map(container, { keyboard: true, zoomSnap: 0.5, attributionControl: true });
    map.fitBounds(MALI);
    map.attributionControl.setPrefix(false);

    var regions = L.geoJSON(null, {
      interactive: false,
      style: { color: "#4a4a4a", weight: 1, fillColor: "#f4efe4", fillOpacity: 1 },
      attribution: "Regions: Natural Earth"
    }).addTo(map);
    fetch(container.dataset.regions)
      .then(function (response) { return response.json(); })
      .then(function (data) { regions.addData(data); regions.bringToBack(); });

    var incidents = L.geoJSON(readCollection(container.dataset.incidents), { pointToLayer: incidentMarker });
    var bases = L.geoJSON(readCollection(container.dataset.bases), { pointToLayer: baseMarker });
    bases.addTo(map);
    incidents.addTo(map);

    var overlays = { "Incidents (sized by people killed)": incidents, "Contingent bases": bases, "Regions": regions };
    var backgrounds = null;
    if (container.dataset.onlineTiles) {
      var offline = L.layerGroup().addTo(map);
      var tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 18,
        attribution: "&copy; OpenStreetMap contributors"
      });
      backgrounds = { "No background (offline)": offline, "OpenStreetMap tiles (online)": tiles };
    }
    L.control.layers(backgrounds, overlays, { collapsed: false }).addTo(map);
  }

  function start() {
    if (!window.L) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll(".incident-map"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

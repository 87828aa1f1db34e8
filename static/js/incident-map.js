/* Draws each .incident-map from the GeoJSON embedded in the page, with vendored Leaflet, leaflet.markercluster,
   Mali's regions and its neighbours' outlines. No request leaves the site unless the reader picks the online tiles
   in the layer control. */
(function () {
  "use strict";

  var MALI = [[10.1, -12.3], [25.1, 4.3]];
  // Below this width the layer control and the legend start folded, so they do not cover a phone's map.
  var SMALL_SCREEN = "(max-width: 40em)";
  // A place page frames its markers and its point, but never closer than a town's surroundings.
  var FIT_MAX_ZOOM = 9;

  function readJson(id, fallback) {
    var element = id && document.getElementById(id);
    return element ? JSON.parse(element.textContent) : fallback;
  }

  function readCollection(id) {
    return readJson(id, { type: "FeatureCollection", features: [] });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (character) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[character];
    });
  }

  function link(url, text) {
    return '<a href="' + escapeHtml(url) + '">' + escapeHtml(text) + "</a>";
  }

  var MIN_TARGET = 24;

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
    // The marker is a target of at least 24 px (WCAG 2.2's minimum) around the dot drawn at the incident's size.
    var dot = document.createElement("span");
    dot.className = "incident-dot precision-" + precision;
    dot.style.width = dot.style.height = size + "px";  // CSSOM, which the Content-Security-Policy allows
    var target = Math.max(size, MIN_TARGET);
    var marker = L.marker(latlng, {
      icon: L.divIcon({ className: "incident-marker precision-" + precision, iconSize: [target, target], html: dot }),
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
    var where = p.fallback ? " (drawn at " + p.located_at + ", as the base has no coordinates)" : "";
    var marker = L.marker(latlng, {
      icon: L.divIcon({
        className: "base-marker", iconSize: [MIN_TARGET, MIN_TARGET], html: '<span class="base-square"></span>'
      }),
      title: "Base: " + p.name + " (" + p.contingents.length + " contingents)" + where,
      keyboard: true
    });
    var items = p.contingents.map(function (contingent) {
      return "<li>" + link(contingent.url, contingent.name) + "</li>";
    });
    marker.bindPopup(
      link(p.url, p.name) + (where ? "<br><small>" + escapeHtml(where.trim()) + "</small>" : "") +
        "<ul>" + items.join("") + "</ul>"
    );
    return marker;
  }

  // Overlapping markers merge into one that counts them; selecting it zooms in (or fans them out at the last zoom).
  // Its name, for keyboards and screen readers, says what it holds.
  function clusterGroup(kind, noun) {
    return L.markerClusterGroup({
      maxClusterRadius: 48,  // wide enough that a lone marker does not overlap a cluster beside it
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      iconCreateFunction: function (cluster) {
        var number = cluster.getChildCount();
        var size = Math.round(24 + 4 * Math.sqrt(number));
        var html = '<span aria-hidden="true">' + number + '</span><span class="visually-hidden">' + number + " " +
          noun + " here: select to zoom in</span>";
        return L.divIcon({ className: kind, iconSize: [size, size], html: html });
      }
    });
  }

  // Names of our own places, each shown only between its min_zoom and max_zoom (events.geo.LABEL_ZOOMS).
  function labelLayer(map, collection) {
    var layer = L.layerGroup();
    var labels = collection.features.map(function (feature) {
      var p = feature.properties;
      var coordinates = feature.geometry.coordinates;
      var label = L.marker([coordinates[1], coordinates[0]], {
        icon: L.divIcon({ className: "place-label place-label-" + p.kind, iconSize: null, html: escapeHtml(p.name) }),
        pane: "labels",
        interactive: false,
        keyboard: false
      });
      return { marker: label, min: p.min_zoom, max: p.max_zoom === null ? Infinity : p.max_zoom };
    });
    function show() {
      var zoom = map.getZoom();
      labels.forEach(function (label) {
        var wanted = zoom >= label.min && zoom <= label.max;
        if (wanted && !layer.hasLayer(label.marker)) {
          layer.addLayer(label.marker);
        } else if (!wanted && layer.hasLayer(label.marker)) {
          layer.removeLayer(label.marker);
        }
      });
    }
    map.on("zoomend", show);
    show();
    return layer;
  }

  // The legend written in the page (templates/includes/incident_map.html), drawn on the map with its marker sizes.
  function legendControl(element, folded) {
    element.hidden = false;
    element.open = !folded;
    Array.prototype.forEach.call(element.querySelectorAll("[data-killed]"), function (swatch) {
      var size = diameter(Number(swatch.dataset.killed)) + "px";
      swatch.style.width = size;
      swatch.style.height = size;
    });
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      L.DomEvent.disableClickPropagation(element);
      L.DomEvent.disableScrollPropagation(element);
      return element;
    };
    return control;
  }

  function outlines(map, url, style, attribution) {
    var layer = L.geoJSON(null, { interactive: false, style: style, attribution: attribution });
    fetch(url)
      .then(function (response) { return response.json(); })
      .then(function (data) { layer.addData(data); layer.bringToBack(); });
    return layer;
  }

  function draw(container) {
    container.hidden = false;
    // With no tile layer to say it, the map needs its own zoom limits (the clusters split up to the last one).
    var map = L.map(container, { keyboard: true, zoomSnap: 0.5, attributionControl: true, minZoom: 3, maxZoom: 14 });
    var bounds = readJson(container.dataset.bounds, null);
    if (bounds) {
      map.fitBounds(bounds, { maxZoom: FIT_MAX_ZOOM, padding: [24, 24] });
    } else {
      map.fitBounds(MALI);
    }
    map.attributionControl.setPrefix(false);
    // Labels sit above the outlines and below the markers, and never take a click meant for a marker.
    map.createPane("labels");
    map.getPane("labels").classList.add("leaflet-labels-pane");

    var neighbours = outlines(
      map,
      container.dataset.neighbours,
      { className: "neighbour-outline", color: "#8a8a8a", weight: 1, fillColor: "#ebe8e1", fillOpacity: 1 },
      "Borders: Natural Earth"
    ).addTo(map);
    var regions = outlines(
      map,
      container.dataset.regions,
      { className: "region-outline", color: "#4a4a4a", weight: 1, fillColor: "#f4efe4", fillOpacity: 1 },
      "Regions: Natural Earth"
    ).addTo(map);

    var incidents = clusterGroup("incident-cluster", "incidents").addLayer(
      L.geoJSON(readCollection(container.dataset.incidents), { pointToLayer: incidentMarker })
    );
    var bases = clusterGroup("base-cluster", "bases").addLayer(
      L.geoJSON(readCollection(container.dataset.bases), { pointToLayer: baseMarker })
    );
    var labels = labelLayer(map, readCollection(container.dataset.labels));
    labels.addTo(map);
    bases.addTo(map);
    incidents.addTo(map);

    var overlays = {
      "Incidents (sized by people killed)": incidents,
      "Contingent bases": bases,
      "Place names": labels,
      "Regions": regions,
      "Neighbouring countries": neighbours
    };
    var backgrounds = null;
    if (container.dataset.onlineTiles) {
      var offline = L.layerGroup().addTo(map);
      var tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 18,
        attribution: "&copy; OpenStreetMap contributors"
      });
      backgrounds = { "No background (offline)": offline, "OpenStreetMap tiles (online)": tiles };
    }
    // Folded into their buttons on small screens and on the small maps of the home and place pages.
    var small = container.classList.contains("incident-map-small") || window.matchMedia(SMALL_SCREEN).matches;
    L.control.layers(backgrounds, overlays, { collapsed: small }).addTo(map);
    var legend = document.getElementById(container.dataset.legend);
    if (legend) {
      legendControl(legend, small).addTo(map);
    }
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

/*
 * The filter forms, with JavaScript:
 * - a box that takes a record's name (input[data-suggest]) becomes a combobox (GOV.UK's accessible-autocomplete,
 *   static/vendor/) suggesting names from the site's suggest endpoint as one types; choosing one submits its slug,
 *   and text typed without choosing is sent as it is, for the server to resolve as it does without JavaScript;
 * - a GET form sends only the controls that are filled, so that the address stays short enough to share.
 * Without JavaScript the boxes stay plain text boxes and the list pages drop empty parameters with a redirect.
 */
(function () {
  "use strict";

  var DELAY_MS = 200; // wait for a pause in typing before asking, so each name typed costs a request or two
  var MIN_LENGTH = 2;

  function escapeHtml(text) {
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  function suggestionsFrom(url) {
    var timer = null;
    var latest = 0;
    return function (query, populate) {
      var asked = ++latest;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
          .then(function (response) {
            return response.ok ? response.json() : { suggestions: [] };
          })
          .catch(function () {
            return { suggestions: [] };
          })
          .then(function (answer) {
            if (asked === latest) {
              populate(answer.suggestions);
            }
          });
      }, DELAY_MS);
    };
  }

  function enhance(input) {
    var field = document.createElement("div");
    field.className = "combobox";
    input.parentNode.insertBefore(field, input);
    // The box the person types in has no name; this hidden control is what the form sends.
    var sent = document.createElement("input");
    sent.type = "hidden";
    sent.name = input.name;
    sent.value = input.value;
    var chosen = null;
    var describedBy = input.getAttribute("aria-describedby");
    input.remove();

    window.accessibleAutocomplete({
      element: field,
      id: input.id,
      name: "",
      defaultValue: input.value,
      minLength: MIN_LENGTH,
      confirmOnBlur: false,
      showNoOptionsFound: false,
      source: suggestionsFrom(input.dataset.suggest),
      templates: {
        inputValue: function (suggestion) {
          return suggestion ? suggestion.label : "";
        },
        suggestion: function (suggestion) {
          return typeof suggestion === "string" ? escapeHtml(suggestion) : escapeHtml(suggestion.label);
        },
      },
      onConfirm: function (suggestion) {
        if (suggestion) {
          chosen = suggestion;
          sent.value = suggestion.value;
        }
      },
    });
    field.appendChild(sent);
    var box = field.querySelector("input");
    if (describedBy) {
      box.setAttribute("aria-describedby", (box.getAttribute("aria-describedby") || "") + " " + describedBy);
    }
    box.form.addEventListener("submit", function () {
      var typed = box.value.trim();
      sent.value = chosen && typed === chosen.label ? chosen.value : typed;
    });
  }

  function sendOnlyFilled(form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (control) {
        if (control.name && !control.disabled && control.value === "" && control.type !== "submit") {
          control.disabled = true;
          control.dataset.emptyOnSubmit = "";
        }
      });
    });
    // Coming Back to the page (from the browser's cache) finds the controls as they were left: usable again.
    window.addEventListener("pageshow", function () {
      form.querySelectorAll("[data-empty-on-submit]").forEach(function (control) {
        control.disabled = false;
        delete control.dataset.emptyOnSubmit;
      });
    });
  }

  function start() {
    if (window.accessibleAutocomplete) {
      document.querySelectorAll("input[data-suggest]").forEach(enhance);
    }
    // Registered after the comboboxes' own submit handlers, so that it sees the values they set.
    document.querySelectorAll("form[method='get'][data-send-filled]").forEach(sendOnlyFilled);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

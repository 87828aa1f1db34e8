// A list page's filters and facets sit behind a <details> disclosure, closed in the HTML so that a phone shows the
// rows first. On a screen wide enough to show them beside the table, open it once the page has loaded; the reader can
// still close it. Without JavaScript the disclosure works as it is.
(function () {
  "use strict";
  var controls = document.getElementById("list-controls");
  if (controls && window.matchMedia("(min-width: 48rem)").matches) {
    controls.open = true;
  }
})();

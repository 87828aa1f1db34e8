// Every admin page (templates/admin/base_site.html): Select2, behind Django's autocomplete widgets, draws a search box
// with no name; give it its field's label, whenever Select2 (re)draws one.
"use strict";
(function () {
  function labelSearchBoxes(root) {
    root.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (box) {
      var container = box.closest(".select2");
      var select = container && container.previousElementSibling;
      var label = select && select.id && document.querySelector('label[for="' + select.id + '"]');
      box.setAttribute("aria-label", "Search " + (label ? label.textContent.replace(/:\s*$/, "") : "choices"));
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    labelSearchBoxes(document);
    new MutationObserver(function () { labelSearchBoxes(document); })
      .observe(document.body, { childList: true, subtree: true });
  });
})();

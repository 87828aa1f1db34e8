// The Cite control (templates/includes/cite.html): a Copy button beside each citation box. Without JavaScript the
// boxes can still be selected and copied, and every format can be downloaded.
"use strict";

document.querySelectorAll("details.cite").forEach((control) => {
  const status = control.querySelector(".cite-status");
  control.querySelectorAll(".cite-format").forEach((format) => {
    const box = format.querySelector("textarea.cite-text");
    const label = format.querySelector("label").textContent.trim();
    const button = document.createElement("button");
    button.type = "button";
    button.className = "cite-copy";
    button.textContent = `Copy ${label}`;
    button.addEventListener("click", async () => {
      let copied = false;
      try {
        await navigator.clipboard.writeText(box.value);
        copied = true;
      } catch (error) {
        // No clipboard access (an insecure origin, a refused permission): select the text so a keystroke copies it.
        box.focus();
        box.select();
      }
      status.textContent = copied ? `${label} citation copied.` : `${label} citation selected: press Ctrl+C or ⌘C to copy.`;
    });
    format.querySelector(".cite-actions").prepend(button, " ");
  });
});

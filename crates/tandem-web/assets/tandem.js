// Marks the page as scripted and starts GOV.UK Frontend's components. It is a module file, not
// an inline script, because the Content-Security-Policy allows scripts from files only; browsers
// that run modules are the ones GOV.UK Frontend supports. The build replaces the import path
// with the hashed URL of the embedded GOV.UK Frontend script.
import { initAll } from "__GOVUK_FRONTEND_JS__";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// The figures under each chart are folded in a details component; a printed page (the board
// report on paper) shows them all. Without JavaScript they print as they are shown.
window.addEventListener("beforeprint", () => {
  for (const details of document.querySelectorAll("details.tandem-chart__figures")) {
    details.open = true;
  }
});

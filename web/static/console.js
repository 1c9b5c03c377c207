/* Reports page: ask before deleting a report. */
(function () {
  "use strict";
  document.querySelectorAll("form.confirm-delete").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();

// Application answers are saved by htmx, one question at a time. The server answers every save
// it receives with the question's save line; this says so when a save does not get that far
// (signed out, refused, the network down), so that no answer looks saved when it is not.
(function () {
  "use strict";

  function messageFor(form, status) {
    if (status === 401) return form.dataset.signedOut;
    if (status === 429) return form.dataset.tooOften;
    if (status === 0) return form.dataset.offline;
    return form.dataset.failed;
  }

  function markUnsaved(event, status) {
    var question = event.detail.elt.closest(".question");
    var form = question && question.closest("form.application-form");
    if (!form) return;
    var line = question.querySelector(".save-state");
    var text = messageFor(form, status);
    if (line) {
      line.classList.add("error");
      var strong = line.querySelector("strong.problem") || document.createElement("strong");
      strong.className = "problem";
      strong.textContent = text;
      line.appendChild(strong);
    }
    var announce = document.getElementById("save-status");
    if (announce) announce.textContent = text;
  }

  document.addEventListener("htmx:responseError", function (event) {
    markUnsaved(event, event.detail.xhr.status);
  });
  document.addEventListener("htmx:sendError", function (event) {
    markUnsaved(event, 0);
  });
})();

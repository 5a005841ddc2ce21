// Surveys: the character count under a long text, kept up to date as the person types
// (the page renders the count it starts with; without JavaScript it stays at that).
(function () {
  "use strict";

  function update(field) {
    var counter = document.getElementById(field.dataset.counter);
    if (!counter || !counter.dataset.format) return;
    counter.textContent = counter.dataset.format.replace("COUNT", String(field.value.length));
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field instanceof HTMLTextAreaElement && field.dataset.counter) update(field);
  });
})();

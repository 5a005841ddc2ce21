// The survey builder's question form: show only the groups of fields that apply to the chosen
// type, and only the answers of the question a condition is on. Without JavaScript every group
// is shown, each saying which types it is for.
(function () {
  "use strict";

  function update(form) {
    var kind = form.querySelector("select[name=kind]");
    if (kind) {
      form.querySelectorAll("[data-kinds]").forEach(function (group) {
        group.hidden = group.getAttribute("data-kinds").split(" ").indexOf(kind.value) === -1;
      });
    }
    var condition = form.querySelector("select[name=condition_question]");
    var options = form.querySelector("[data-condition-options]");
    if (condition && options) {
      options.hidden = condition.value === "";
      options.querySelectorAll("[data-condition-for]").forEach(function (group) {
        var shown = group.getAttribute("data-condition-for") === condition.value;
        group.hidden = !shown;
        if (!shown) {
          group.querySelectorAll("input[type=checkbox]").forEach(function (box) {
            box.checked = false;
          });
        }
      });
    }
  }

  function start() {
    document.querySelectorAll("form[data-question-form]").forEach(function (form) {
      update(form);
      form.addEventListener("change", function (event) {
        var name = event.target.name;
        if (name === "kind" || name === "condition_question") {
          update(form);
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

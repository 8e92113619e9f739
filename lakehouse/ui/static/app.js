// lakehouse UI: the few interactive bits; every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  // A checkbox with data-select-all="name" ticks every checkbox named `name`.
  document.querySelectorAll("input[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(`input[name="${box.dataset.selectAll}"]`)
        .forEach((other) => { other.checked = box.checked; });
    });
  });
  // A form with data-confirm asks before it is sent (alias rollback, other writes).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});

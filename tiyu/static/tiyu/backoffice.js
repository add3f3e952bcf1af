// Back office: add a row to a Django formset, print a page, keep the current tab in view.
document.addEventListener("click", (event) => {
  const add = event.target.closest("[data-add-row]");
  if (add) {
    const form = add.closest("form");
    const total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    const template = form.querySelector("template[data-empty-row]");
    const rows = form.querySelector("[data-rows]");
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, total.value));
    total.value = String(parseInt(total.value, 10) + 1);
    const first = rows.lastElementChild.querySelector("select, input");
    if (first) first.focus();
    return;
  }
  if (event.target.closest("[data-print]")) window.print();
});

document.addEventListener("DOMContentLoaded", () => {
  const tabs = document.querySelector(".bo-tabs");
  const active = tabs && tabs.querySelector(".active");
  if (active) tabs.scrollLeft = active.offsetLeft - (tabs.clientWidth - active.offsetWidth) / 2;
});

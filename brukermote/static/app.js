// Small progressive enhancements; every page works without JavaScript.
// A destructive form asks in a dialog (with the app's own words, not the browser's "OK"); without
// JavaScript the server asks on a page instead (core/confirm.py).
const confirmDialog = document.getElementById("confirm-dialog");
const submitConfirmed = (form, submitter) => {
  const field = form.querySelector('input[name="confirm"]');
  if (field) field.value = "yes";
  form.dataset.confirmed = "1";
  form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
};
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (!form || form.dataset.confirmed === "1") return;
  event.preventDefault();
  const submitter = event.submitter;
  if (!confirmDialog || typeof confirmDialog.showModal !== "function") {
    if (window.confirm(form.dataset.confirm)) submitConfirmed(form, submitter);
    return;
  }
  confirmDialog.querySelector("#confirm-dialog-q").textContent = form.dataset.confirm;
  confirmDialog.returnValue = "";
  confirmDialog.onclose = () => { if (confirmDialog.returnValue === "yes") submitConfirmed(form, submitter); };
  confirmDialog.showModal();
});
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select) select.form.requestSubmit();
});
// The main menu folds behind a button on narrow screens (the CSS decides when; see .menu-toggle).
document.querySelectorAll("header.top .menu-toggle").forEach((button) => {
  const header = button.closest("header.top");
  header.classList.add("foldable");
  button.hidden = false;
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    header.classList.toggle("menu-open", open);
  });
});
// The print page: a changed choice makes the preflight shown stale. The buttons print the new
// choice anyway (and the server checks a final print again), so the final button is offered.
document.querySelectorAll("form[data-print-choice]").forEach((form) => {
  form.addEventListener("change", (event) => {
    if (event.target.name === "document") return;
    const note = form.querySelector("[data-stale]");
    if (note) note.hidden = false;
    const final = form.querySelector("[data-final]");
    if (final) { final.disabled = false; final.removeAttribute("aria-disabled"); }
  });
});
// Background jobs: poll the status URL and update the progress bar until done.
document.querySelectorAll("[data-job-status]").forEach((box) => {
  const url = box.dataset.jobStatus;
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-job-text]");
  const link = box.querySelector("[data-job-download]");
  const tick = async () => {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const job = await response.json();
    if (bar) { bar.max = job.total || 1; bar.value = job.done; }
    if (text) text.textContent = job.message;
    if (job.state === "finished") { if (link && job.download) link.hidden = false; return; }
    if (job.state === "failed") { box.classList.add("failed"); return; }
    setTimeout(tick, 1000);
  };
  tick();
});

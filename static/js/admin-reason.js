// A curated form shown again because its reason is missing: when the reason is the only
// thing to correct, bring its box (with the message next to it) into view and focus it.
document.addEventListener("DOMContentLoaded", () => {
  if (!document.querySelector(".errornote.reason-missing")) return;
  const box = document.querySelector("fieldset.change-reason");
  const field = box && box.querySelector("textarea");
  if (!field) return;
  const errors = Array.from(document.querySelectorAll("ul.errorlist"));
  if (errors.some((list) => !box.contains(list))) return; // other errors come first
  box.scrollIntoView({ block: "center" });
  field.focus({ preventScroll: true });
});

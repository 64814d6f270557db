// The admin's "Import an RMP summary" page: the submit button says what it will do, preview
// one file or import several at once. The server decides by the number of files either way.
document.addEventListener("DOMContentLoaded", () => {
  const input = document.querySelector(".import-upload input[type=file][multiple]");
  const button = document.querySelector(".import-upload input[type=submit][data-several-label]");
  if (!input || !button) return;
  const single = button.value;
  const update = () => {
    const count = input.files ? input.files.length : 0;
    button.value = count > 1 ? button.dataset.severalLabel.replace("{count}", count) : single;
  };
  input.addEventListener("change", update);
  update();
});

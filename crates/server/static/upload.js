// Evidence upload with progress: a form marked data-upload sends its file with
// XMLHttpRequest, showing how much has gone, then follows the server's answer. Files can
// be dropped anywhere on the form. Without script, the form posts as usual.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-upload]")) {
    const bar = form.querySelector("progress");
    const input = form.querySelector("input[type=file]");
    form.addEventListener("dragover", (e) => { e.preventDefault(); form.classList.add("dropping"); });
    form.addEventListener("dragleave", () => form.classList.remove("dropping"));
    form.addEventListener("drop", (e) => {
      e.preventDefault();
      form.classList.remove("dropping");
      if (e.dataTransfer.files.length) { input.files = e.dataTransfer.files; }
    });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", (p) => {
        if (p.lengthComputable) { bar.hidden = false; bar.max = p.total; bar.value = p.loaded; }
      });
      xhr.addEventListener("load", () => {
        if (xhr.status < 400) { window.location.assign(xhr.responseURL); }
        else { document.open(); document.write(xhr.responseText); document.close(); }
      });
      xhr.send(new FormData(form));
    });
  }
});

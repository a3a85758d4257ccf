// Adds "Insert an image" under each rich-text editor on the story form: the file goes to the
// desk's upload endpoint (staff only, re-encoded on the server) and comes back as a figure.
(function () {
  "use strict";

  function csrfToken(element) {
    const form = element.closest("form");
    const input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function escapeAttribute(text) {
    return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  }

  function attach(editor, textarea) {
    const config = document.getElementById("editor-image-upload");
    if (!config || !config.dataset.uploadUrl || textarea.dataset.imageUpload) return;
    textarea.dataset.imageUpload = "1";

    const panel = document.createElement("div");
    panel.className = "editor-image-upload";
    const id = textarea.id + "-image";
    panel.innerHTML =
      '<label for="' + id + '-alt">Image alt text</label> ' +
      '<input type="text" id="' + id + '-alt" size="40"> ' +
      '<label for="' + id + '-file">Insert an image</label> ' +
      '<input type="file" id="' + id + '-file" accept="image/jpeg,image/png,image/webp,image/gif">' +
      '<p class="editor-image-upload__status" role="status" aria-live="polite"></p>';
    const holder = textarea.closest(".prose-editor") || textarea;
    holder.after(panel);

    const altInput = panel.querySelector('input[type="text"]');
    const fileInput = panel.querySelector('input[type="file"]');
    const status = panel.querySelector(".editor-image-upload__status");

    fileInput.addEventListener("change", function () {
      const file = fileInput.files[0];
      if (!file) return;
      const alt = altInput.value.trim();
      if (!alt) {
        status.textContent = "Describe the image in the alt text field first.";
        fileInput.value = "";
        altInput.focus();
        return;
      }
      const body = new FormData();
      body.append("image", file);
      status.textContent = "Uploading…";
      fetch(config.dataset.uploadUrl, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": csrfToken(textarea) },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (result) {
          if (!result.ok) throw new Error(result.data.error || "The upload failed.");
          const data = result.data;
          editor
            .chain()
            .focus()
            .insertContent(
              '<figure><img src="' + escapeAttribute(data.url) + '" alt="' + escapeAttribute(alt) +
                '" width="' + data.width + '" height="' + data.height + '"></figure>'
            )
            .run();
          status.textContent = "Image inserted.";
          altInput.value = "";
        })
        .catch(function (error) {
          status.textContent = error.message;
        })
        .finally(function () {
          fileInput.value = "";
        });
    });
  }

  document.addEventListener("prose-editor:ready", function (event) {
    attach(event.detail.editor, event.detail.textarea);
  });
})();

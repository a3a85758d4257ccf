// Keeps the soft edit lock alive while the story form is open, and says when someone else
// has the story (or has taken it over). Taking over stays on the page, so nothing typed is
// lost. Without JavaScript the lock simply lapses, and the button reloads the form.
// Loaded in the page's head (admin form media): start once the form is there.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const notice = document.getElementById("edit-lock");
  if (!notice) return;
  const text = notice.querySelector(".edit-lock__text");
  const takeOver = notice.querySelector("button");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  function post(url) {
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrf ? csrf.value : "", Accept: "application/json" },
      credentials: "same-origin",
    }).then((response) => (response.ok ? response.json() : null));
  }
  function show(lock) {
    if (!lock) return;
    if (lock.holder && !lock.yours) {
      text.textContent = `${lock.holder} has had this story open since ${lock.since}. ` +
        "Your save will be refused if they save first.";
      notice.hidden = false;
    } else {
      notice.hidden = true;
    }
  }
  function beat() {
    post(notice.dataset.lockUrl).then(show).catch(() => {});
  }
  if (takeOver) {
    takeOver.addEventListener("click", (event) => {
      event.preventDefault();
      post(takeOver.getAttribute("formaction")).then(show).catch(() => {});
    });
  }
  setInterval(beat, 60 * 1000);
  // Back from another tab or a sleeping laptop: say at once who has the story now.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") beat();
  });
});

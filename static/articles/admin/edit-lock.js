// Keeps the soft edit lock alive while the story form is open, and says when someone else
// has the story (or has taken it over). Without JavaScript the lock simply lapses.
(function () {
  "use strict";
  const notice = document.getElementById("edit-lock");
  if (!notice) return;
  const text = notice.querySelector(".edit-lock__text");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  function beat() {
    fetch(notice.dataset.lockUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((lock) => {
        if (!lock) return;
        if (lock.holder && !lock.yours) {
          text.textContent = `${lock.holder} has had this story open since ${lock.since}. ` +
            "Your save will be refused if they save first.";
          notice.hidden = false;
        } else {
          notice.hidden = true;
        }
      })
      .catch(() => {});
  }
  setInterval(beat, 60 * 1000);
})();

// Sends a subscribe form in place and says how it went; without this script the form posts
// and the server answers with a page (the form works either way).
(function () {
  "use strict";
  document.querySelectorAll("form[data-newsletter-form]").forEach(function (form) {
    var status = form.querySelector("[data-newsletter-status]");
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      status.textContent = "Sending…";
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json();
        })
        .then(function (answer) {
          status.textContent = answer.message;
          if (answer.ok) form.querySelector("input[type=email]").value = "";
        })
        .catch(function () {
          status.textContent = "The form could not be sent. Check your connection and try again.";
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  });
})();

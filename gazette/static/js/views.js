/* Counts a view of the article once the reader's browser shows it, and refreshes the
   number in the byline with the count the server answers (the page itself may come from a
   shared cache). Without JavaScript a <noscript> pixel counts the view instead. */
(function () {
  "use strict";

  var counter = document.querySelector("[data-views-endpoint]");
  if (!counter || !window.fetch) {
    return;
  }
  var sent = false;

  function show(views, display, unit) {
    var number = document.createElement("data");
    number.value = String(views);
    number.textContent = display;
    counter.replaceChildren(number, document.createTextNode(" " + unit));
    counter.hidden = false;
  }

  function send() {
    if (sent) {
      return;
    }
    sent = true;
    fetch(counter.getAttribute("data-views-endpoint"), {
      method: "POST",
      keepalive: true,
      credentials: "omit",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && answer.views > 0) {
          show(answer.views, answer.display, answer.unit);
        }
      })
      .catch(function () {
        /* Counting is best effort: the reader's page stays as it is. */
      });
  }

  // A prerendered or background page is not yet seen: wait until the reader sees it.
  function sendWhenSeen() {
    if (document.prerendering) {
      document.addEventListener("prerenderingchange", sendWhenSeen, { once: true });
    } else if (document.visibilityState === "hidden") {
      document.addEventListener("visibilitychange", sendWhenSeen, { once: true });
    } else {
      send();
    }
  }

  sendWhenSeen();
})();

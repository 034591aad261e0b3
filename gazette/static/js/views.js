/* Counts a view of the article once the reader's browser shows it, then refreshes the number
   in the byline with the article's count (the page itself may come from a shared cache).
   The beacon (POST) answers 204 and nothing else: in production nginx answers it and the
   view is counted from its log. The count comes from its own URL, the beacon's plus "count",
   which nginx keeps a few seconds. Without JavaScript a <noscript> pixel counts the view. */
(function () {
  "use strict";

  var counter = document.querySelector("[data-views-endpoint]");
  if (!counter || !window.fetch) {
    return;
  }
  var endpoint = counter.getAttribute("data-views-endpoint");
  var sent = false;

  function show(views, display, unit) {
    var number = document.createElement("data");
    number.value = String(views);
    number.textContent = display;
    counter.replaceChildren(number, document.createTextNode(" " + unit));
    counter.hidden = false;
  }

  function refresh() {
    return fetch(endpoint + "count", {
      credentials: "omit",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        // A count kept a few seconds by a shared cache may be older than the page's own
        // number: counts only grow, so the larger one stands.
        var shown = counter.querySelector("data");
        var current = shown ? Number(shown.value) : 0;
        if (answer && answer.views > 0 && answer.views > current) {
          show(answer.views, answer.display, answer.unit);
        }
      });
  }

  function send() {
    if (sent) {
      return;
    }
    sent = true;
    fetch(endpoint, { method: "POST", keepalive: true, credentials: "omit" })
      .then(function (response) {
        // 204: counted (or not a view to count); anything else: the article is gone, or
        // the beacon is refused for now (429), and the byline stays as it is.
        return response.ok ? refresh() : null;
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

/* Comments: a counter that counts down as the reader types, posting, replying and reporting in
   place. Without this script the forms post normally, "Reply" opens a page with its own form,
   and the server answers with a page.
   normalise() and count() mirror gazette/comments/rules.py: the counter and the server agree.
   Every word it writes comes from the form's data-comment-messages, in the page's language
   (gazette/comments/presentation.py, script_messages): the page is cached and shared, so the
   words come with it; numbers are written in the locale's digits. */
(function () {
  "use strict";

  var UNWANTED = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u200B\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;
  var NEWLINES = /\r\n|[\r\u2028\u2029]/g;
  var SPACE = "\\t \\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000";
  var TRAILING = new RegExp("[" + SPACE + "]+$", "gm");
  var BLANK_LINES = /\n{3,}/g;
  var EDGES = new RegExp("^[" + SPACE + "\\n]+|[" + SPACE + "\\n]+$", "g");
  var NEAR = 20;

  function normalise(raw) {
    var text = raw.replace(NEWLINES, "\n").replace(UNWANTED, "").replace(TRAILING, "");
    return text.replace(BLANK_LINES, "\n\n").replace(EDGES, "");
  }

  function count(text) {
    return Array.from(text).length; // code points, as Python's len()
  }

  function messagesOf(form) {
    try {
      return JSON.parse(form.getAttribute("data-comment-messages") || "{}");
    } catch (error) {
      return {};
    }
  }

  // Digits of the locale (Western or Arabic-Indic), as the server writes them.
  function localDigits(messages, n) {
    var digits = messages.digits || "0123456789";
    return String(n).replace(/[0-9]/g, function (d) { return digits.charAt(Number(d)); });
  }

  // A counted phrase in the form the language uses for n (CLDR plural categories).
  function counted(messages, key, n) {
    var forms = messages[key] || {};
    var category = "other";
    try {
      category = new Intl.PluralRules(messages.locale || undefined).select(n);
    } catch (error) {
      category = n === 1 ? "one" : "other";
    }
    var text = forms[category] || forms.other || "";
    return text.replace("{n}", localDigits(messages, n));
  }

  function setStatus(form, message, isError) {
    var status = form.querySelector("[data-comment-status]");
    status.textContent = message;
    status.classList.toggle("is-error", Boolean(isError));
  }

  function initForm(form) {
    var messages = messagesOf(form);
    var textarea = form.querySelector("textarea[name=text]");
    var limit = parseInt(textarea.getAttribute("data-limit"), 10);
    var counter = form.querySelector("[data-comment-counter]");
    var remainingEl = form.querySelector("[data-comment-remaining]");
    var labelEl = form.querySelector("[data-comment-counter-label]");
    var announce = form.querySelector("[data-comment-announce]");
    var button = form.querySelector("button[type=submit]");
    var lastZone = "";

    function remaining() {
      return limit - count(normalise(textarea.value));
    }

    function update() {
      var left = remaining();
      var zone = left < 0 ? "over" : left <= NEAR ? "near" : "";
      remainingEl.textContent = localDigits(messages, Math.abs(left));
      labelEl.textContent = left < 0
        ? counted(messages, "over", -left)
        : counted(messages, "left", left);
      counter.classList.toggle("is-near", zone === "near");
      counter.classList.toggle("is-over", zone === "over");
      if (zone !== lastZone) {
        // Tell screen readers when a threshold is crossed, not at every key.
        announce.textContent = zone === "over"
          ? messages.longer || ""
          : zone === "near" ? counted(messages, "near", left) : "";
        lastZone = zone;
      }
      textarea.setAttribute("aria-invalid", left < 0 ? "true" : "false");
    }

    textarea.addEventListener("input", update);
    update();

    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) return; // the plain form post still works
      event.preventDefault();
      var left = remaining();
      if (left < 0) {
        setStatus(form, counted(messages, "too_long", limit - left) + " " + messages.the_limit +
          " " + counted(messages, "shorten", -left), true);
        textarea.focus();
        return;
      }
      button.disabled = true;
      setStatus(form, messages.posting || "", false);
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (!data.ok) {
            setStatus(form, data.message + " " + messages.kept, true);
            textarea.focus();
            return;
          }
          setStatus(form, data.message, false);
          textarea.value = "";
          update();
          var section = form.closest("[data-comments]");
          if (data.html && section) {
            listFor(section, data.parent, messages).insertAdjacentHTML("beforeend", data.html);
            section.querySelector("[data-comment-count]").textContent =
              localDigits(messages, data.count);
          }
        })
        .catch(function () {
          setStatus(form, messages.failed || "", true);
        })
        .then(function () { button.disabled = false; });
    });
  }

  // Where a published comment goes: the list of threads, or its thread's list of replies.
  function listFor(section, parentId, messages) {
    if (!parentId) return section.querySelector("[data-comment-list]");
    var thread = section.querySelector("[data-thread][data-comment='" + parentId + "']");
    if (!thread) return section.querySelector("[data-comment-list]");
    var replies = thread.querySelector("[data-reply-list]");
    if (!replies) {
      replies = document.createElement("ol");
      replies.className = "comment__replies";
      replies.setAttribute("data-reply-list", "");
      replies.setAttribute("aria-label", messages.replies || "");
      thread.appendChild(replies);
    }
    return replies;
  }

  // "Reply" opens a copy of the article's form under the comment, its fields renamed so that
  // every id stays unique; posting it adds the reply to the thread.
  function openReply(link) {
    var section = link.closest("[data-comments]");
    var main = section && section.querySelector("[data-comment-form]:not([data-reply-form])");
    var comment = link.closest("[data-comment]");
    if (!main || !comment) return false;
    var open = comment.querySelector(":scope > [data-reply-form]");
    if (open) {
      open.querySelector("textarea").focus();
      return true;
    }
    var id = link.getAttribute("data-reply-to");
    var author = comment.querySelector(".comment__author").textContent;
    var form = main.cloneNode(true);
    var messages = messagesOf(form);
    form.setAttribute("data-reply-form", "");
    form.classList.add("comment-form--reply");
    form.querySelectorAll("[id]").forEach(function (el) { el.id = el.id + "-reply-" + id; });
    form.querySelectorAll("label[for]").forEach(function (label) {
      label.setAttribute("for", label.getAttribute("for") + "-reply-" + id);
    });
    form.querySelectorAll("[aria-describedby]").forEach(function (el) {
      el.setAttribute("aria-describedby", el.getAttribute("aria-describedby") + "-reply-" + id);
    });
    form.querySelector("[data-comment-parent]").value = id;
    var notify = form.querySelector("[data-comment-notify]");
    if (notify) notify.remove(); // replies go to threads: their authors hear of replies
    form.querySelector("textarea").value = "";
    form.querySelector("[data-comment-status]").textContent = "";
    form.querySelector("label[for^='comment-text']").textContent =
      (messages.reply_to || "{name}").replace("{name}", author);
    form.querySelector("[data-comment-submit]").textContent = messages.post_reply || "";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "comment-form__cancel";
    cancel.textContent = messages.cancel || "";
    cancel.addEventListener("click", function () {
      form.remove();
      link.focus();
    });
    form.appendChild(cancel);
    link.closest(".comment__actions").insertAdjacentElement("afterend", form);
    initForm(form);
    form.querySelector("textarea").focus();
    return true;
  }

  function report(form) {
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var note = document.createElement("p");
        note.className = "comment__reported";
        note.setAttribute("role", "status");
        note.textContent = data.message;
        form.replaceWith(note);
      })
      .catch(function () { button.disabled = false; });
  }

  document.querySelectorAll("[data-comment-form]").forEach(initForm);
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-reply-link]");
    if (link && openReply(link)) event.preventDefault();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("[data-report-form]") && window.fetch) {
      event.preventDefault();
      report(form);
    }
  });
})();

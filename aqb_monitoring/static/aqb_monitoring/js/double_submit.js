// A form is sent once, however often its button is clicked (issue 14). Loaded on every admin page
// (aqb_monitoring/wagtail_hooks.py), as a file: the Content-Security-Policy allows no inline script.
//
// After the first submit of a POST form its submit buttons are disabled (a moment later, so that
// the clicked button's name and value still go with the form) and a further submit is ignored.
// The server guards each create form too (lock, unique constraint, submission key); this only
// spares the second request. Forms that stay on the page (downloads, chooser dialogs) are usable
// again after a few seconds or when the page is shown again from the browser's history.
(function () {
  "use strict";

  var REENABLE_AFTER_MS = 8000;
  var BUTTONS = 'button[type="submit"], button:not([type]), input[type="submit"]';

  function buttonsOf(form) {
    var own = Array.prototype.slice.call(form.querySelectorAll(BUTTONS));
    if (form.id) {
      own = own.concat(Array.prototype.slice.call(document.querySelectorAll('[form="' + form.id + '"]')));
    }
    return own.filter(function (button) { return button.matches(BUTTONS); });
  }

  function release(form) {
    delete form.dataset.aqbSubmitted;
    buttonsOf(form).forEach(function (button) {
      if (button.dataset.aqbDisabled) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
        delete button.dataset.aqbDisabled;
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") {
      return;
    }
    if (event.defaultPrevented || form.hasAttribute("data-aqb-resubmit")) {
      return;  // sent by script (dialogs) or explicitly allowed to be sent again
    }
    if (form.dataset.aqbSubmitted) {
      event.preventDefault();
      return;
    }
    form.dataset.aqbSubmitted = "1";
    window.setTimeout(function () {
      buttonsOf(form).forEach(function (button) {
        if (!button.disabled) {
          button.disabled = true;
          button.setAttribute("aria-disabled", "true");
          button.dataset.aqbDisabled = "1";
        }
      });
    }, 0);
    window.setTimeout(function () { release(form); }, REENABLE_AFTER_MS);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      Array.prototype.forEach.call(document.querySelectorAll("form[data-aqb-submitted]"), release);
    }
  });
})();

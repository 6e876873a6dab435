/*
 * Participant form (handbook 5.1): show the question blocks that the TN-Ziel switches on,
 * and the Austrittsgrund fields only when the Verbleib and the reason ask for them; the three
 * steps as tabs; the status box follows what is typed; a warning before unsaved changes are left.
 * The mapping comes from the catalogue as data attributes (see aqb_monitoring/forms.py);
 * the server applies the same rules, so this only spares the user irrelevant fields.
 */
(function () {
  "use strict";

  function wrapperOf(element) {
    if (element.tagName === "FIELDSET") {
      return element;
    }
    return element.closest(".w-field__wrapper") || element.parentElement;
  }

  function selectedOption(select) {
    return select && select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
  }

  function blockApplies(element, goal) {
    if (element.dataset.aqbAlways === "true") {
      return true;
    }
    var goals = (element.dataset.aqbGoals || "").split(" ").filter(Boolean);
    return goal !== "" && goals.indexOf(goal) !== -1;
  }

  function updateBlocks(form) {
    var goalSelect = form.querySelector("[data-aqb-goal-select]");
    var goal = goalSelect ? goalSelect.value : "";
    form.querySelectorAll("[data-aqb-block]").forEach(function (element) {
      wrapperOf(element).hidden = !blockApplies(element, goal);
    });
    // A group ("Detailangaben bei Eintritt") with no visible block disappears too.
    form.querySelectorAll("[data-aqb-section], fieldset[data-section]").forEach(function (section) {
      var blocks = section.querySelectorAll("[data-aqb-block]");
      if (blocks.length === 0) {
        return;
      }
      var anyVisible = Array.prototype.some.call(blocks, function (element) {
        return !wrapperOf(element).hidden;
      });
      section.hidden = !anyVisible;
    });
  }

  function updateExitReason(form) {
    var destination = selectedOption(form.querySelector("[data-aqb-destination-select]"));
    var reasonSelect = form.querySelector("[data-aqb-exit-reason-select]");
    var otherInput = form.querySelector("[data-aqb-exit-reason-other]");
    var needsReason = Boolean(destination && destination.hasAttribute("data-requires-exit-reason"));
    if (reasonSelect) {
      wrapperOf(reasonSelect).hidden = !needsReason;
    }
    if (otherInput) {
      var reason = selectedOption(reasonSelect);
      var needsText = needsReason && Boolean(reason && reason.hasAttribute("data-requires-free-text"));
      wrapperOf(otherInput).hidden = !needsText;
    }
  }

  // -- Steps as tabs (issue 10 item 11): without JavaScript they stay sections one below the other.

  function setUpSteps(form) {
    var nav = form.querySelector("[data-aqb-steps]");
    var steps = Array.prototype.slice.call(form.querySelectorAll("[data-aqb-step]"));
    if (!nav || steps.length < 2) {
      return function () {};
    }
    var links = Array.prototype.slice.call(nav.querySelectorAll("[data-aqb-step-link]"));
    nav.classList.add("aqb-steps--tabs");
    nav.querySelector("ol").setAttribute("role", "tablist");
    links.forEach(function (link) {
      var key = link.dataset.aqbStepLink;
      link.setAttribute("role", "tab");
      link.id = "reiter-" + key;
      link.setAttribute("aria-controls", "schritt-" + key);
      link.parentElement.setAttribute("role", "presentation");
    });
    steps.forEach(function (step) {
      step.setAttribute("role", "tabpanel");
      step.setAttribute("aria-labelledby", "reiter-" + step.dataset.aqbStep);
    });

    function show(key, focus) {
      links.forEach(function (link) {
        var selected = link.dataset.aqbStepLink === key;
        link.setAttribute("aria-selected", selected ? "true" : "false");
        link.tabIndex = selected ? 0 : -1;
        if (selected && focus) {
          link.focus();
        }
      });
      steps.forEach(function (step) {
        step.classList.toggle("aqb-step--hidden", step.dataset.aqbStep !== key);
      });
    }

    function visibleLinks() {
      return links.filter(function (link) {
        return !link.parentElement.hidden;
      });
    }

    nav.addEventListener("click", function (event) {
      var link = event.target.closest("[data-aqb-step-link]");
      if (link) {
        event.preventDefault();
        show(link.dataset.aqbStepLink, true);
      }
    });
    nav.addEventListener("keydown", function (event) {
      var visible = visibleLinks();
      var index = visible.indexOf(document.activeElement);
      if (index === -1 || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) {
        return;
      }
      event.preventDefault();
      var next = visible[(index + (event.key === "ArrowRight" ? 1 : visible.length - 1)) % visible.length];
      show(next.dataset.aqbStepLink, true);
    });
    // A field reached otherwise (the browser's search, an error link) opens its step.
    form.addEventListener("focusin", function (event) {
      var step = event.target.closest("[data-aqb-step]");
      if (step && step.classList.contains("aqb-step--hidden")) {
        show(step.dataset.aqbStep, false);
      }
    });

    var withErrors = form.querySelector("[data-aqb-step-errors]");
    var fromAddress = window.location.hash.indexOf("#schritt-") === 0 ? window.location.hash.slice(9) : null;
    show(withErrors ? withErrors.dataset.aqbStep : (fromAddress || steps[0].dataset.aqbStep), false);

    // A step without any visible group (no question block applies) has no tab.
    return function () {
      steps.forEach(function (step) {
        var groups = step.querySelectorAll("[data-aqb-section]");
        var empty = groups.length > 0 && Array.prototype.every.call(groups, function (group) {
          return group.hidden;
        });
        var item = nav.querySelector("[data-aqb-step-item='" + step.dataset.aqbStep + "']");
        if (item) {
          item.hidden = empty;
        }
        if (empty && !step.classList.contains("aqb-step--hidden")) {
          show(steps[0].dataset.aqbStep, false);
        }
      });
    };
  }

  // -- "Es fehlt noch" follows what is typed (item 12): the server answers with the status box.

  function setUpLiveSummary(form) {
    var url = form.dataset.aqbSummaryUrl;
    if (!url || !window.fetch) {
      return function () {};
    }
    var timer = null;
    var running = null;
    function refresh() {
      if (running) {
        running.abort();
      }
      running = new AbortController();
      var body = new FormData(form);
      fetch(url, {method: "POST", body: body, credentials: "same-origin", signal: running.signal,
                  headers: {"X-Requested-With": "XMLHttpRequest"}})
        .then(function (response) {
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          var box = document.querySelector("[data-aqb-summary]");
          if (html && box) {
            var holder = document.createElement("div");
            holder.innerHTML = html.trim();
            var fresh = holder.querySelector("[data-aqb-summary]");
            if (fresh) {
              box.replaceWith(fresh);
            }
          }
        })
        .catch(function () { /* offline or superseded: the box keeps its last state */ });
    }
    return function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    };
  }

  // -- Nothing lost by accident (item 14): a warning before leaving with unsaved changes; Enter does not save.

  function setUpUnsavedWarning(form) {
    var warning = form.dataset.aqbUnsavedWarning;
    if (!warning) {
      return function () {};
    }
    var dirty = false;
    var submitting = false;
    form.addEventListener("submit", function () {
      submitting = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = warning;
        return warning;
      }
      return undefined;
    });
    var cancel = form.querySelector("[data-aqb-cancel]");
    if (cancel) {
      cancel.addEventListener("click", function (event) {
        if (dirty && !window.confirm(warning)) {
          event.preventDefault();
        } else {
          dirty = false;
        }
      });
    }
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === "Enter" && target.tagName === "INPUT" && target.type !== "submit" && target.type !== "button") {
        event.preventDefault();
      }
    });
    return function () {
      dirty = true;
    };
  }

  function setUp(form) {
    var updateSteps = setUpSteps(form);
    var refreshSummary = setUpLiveSummary(form);
    var markDirty = setUpUnsavedWarning(form);
    var update = function () {
      updateBlocks(form);
      updateExitReason(form);
      updateSteps();
    };
    form.addEventListener("input", function () {
      markDirty();
      refreshSummary();
    });
    form.addEventListener("change", function () {
      markDirty();
      refreshSummary();
    });
    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-aqb-goal-select], [data-aqb-destination-select], [data-aqb-exit-reason-select]")) {
        update();
      }
    });
    update();
  }

  function init() {
    var seen = [];
    document.querySelectorAll("[data-aqb-block], [data-aqb-destination-select]").forEach(function (element) {
      var form = element.closest("form") || document.body;
      if (seen.indexOf(form) === -1) {
        seen.push(form);
        setUp(form);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

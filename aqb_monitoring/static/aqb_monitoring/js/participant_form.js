/*
 * Participant form (handbook 5.1): show the question blocks that the TN-Ziel switches on,
 * and the Austrittsgrund fields only when the Verbleib and the reason ask for them.
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

  function setUp(form) {
    var update = function () {
      updateBlocks(form);
      updateExitReason(form);
    };
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

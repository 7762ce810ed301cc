// 逐条审核 on the review detail page (review/admin/sequence_nav.html):
//   J / K      下一条 / 上一条 (the links of the bar, filters kept)
//   1–4        choose the decision (the select's options in the page's order, skipping the
//              placeholder; a decision not available here stays unchosen)
//   Ctrl+Enter submit the decision form (also while typing the remark; not from another form)
//   ?          the 快捷键 popover (Escape closes it)
// Keys other than Ctrl+Enter do nothing while typing in a field.
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "textarea" || tag === "select" || tag === "input" || target.isContentEditable;
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (link && link.href) window.location.assign(link.href);
  }

  function choose(number) {
    var select = document.getElementById("decision");
    if (!select) return;
    var options = Array.prototype.filter.call(select.options, function (option) {
      return option.value !== "";
    });
    var option = options[number - 1];
    if (!option || option.disabled) return;
    select.value = option.value;
    // Alpine's x-model listens for change: the remark's required flag and 锁定分项 follow.
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function submitDecision() {
    var select = document.getElementById("decision");
    if (!select || !select.form) return;
    // requestSubmit runs the browser's checks and the form's own submit handler (审核不通过
    // asks for confirmation), as the 提交 button does.
    select.form.requestSubmit();
  }

  function setUp() {
    var button = document.getElementById("seq-help-button");
    var help = document.getElementById("seq-help");
    if (!button || !help) return;

    function toggleHelp(open) {
      var show = open === undefined ? help.hidden : open;
      help.hidden = !show;
      button.setAttribute("aria-expanded", show ? "true" : "false");
    }

    button.addEventListener("click", function () {
      toggleHelp();
    });
    document.addEventListener("click", function (event) {
      if (!help.hidden && !help.contains(event.target) && event.target !== button) {
        toggleHelp(false);
      }
    });

    document.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        // Not from another form of the page (现场确认, 人工认定): that one is not the decision.
        var decision = document.getElementById("decision");
        var within = event.target && event.target.closest ? event.target.closest("form") : null;
        if (within && (!decision || within !== decision.form)) return;
        event.preventDefault();
        submitDecision();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      if (typing(event.target)) return;
      var key = event.key;
      if (key === "Escape" && !help.hidden) {
        toggleHelp(false);
      } else if (key === "?") {
        event.preventDefault();
        toggleHelp();
      } else if (key === "j" || key === "J") {
        event.preventDefault();
        follow("seq-next");
      } else if (key === "k" || key === "K") {
        event.preventDefault();
        follow("seq-previous");
      } else if (key >= "1" && key <= "4") {
        event.preventDefault();
        choose(Number(key));
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();

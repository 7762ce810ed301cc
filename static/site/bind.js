// 绑定单位: show only the 类别(专业) of the chosen 申报级别. The server renders every option
// with data-level and checks the pair itself, so the page works without this script.
(function () {
  "use strict";
  document.querySelectorAll("select[data-filter-by]").forEach(function (select) {
    var level = document.getElementById(select.getAttribute("data-filter-by"));
    if (!level) return;
    var options = Array.prototype.slice.call(select.options);
    function apply() {
      var chosen = level.value;
      options.forEach(function (option) {
        var own = option.getAttribute("data-level");
        var show = !own || !chosen || own === chosen;
        option.hidden = !show;
        option.disabled = !show;
      });
      var current = select.options[select.selectedIndex];
      if (current && current.disabled) select.value = "";
    }
    level.addEventListener("change", apply);
    apply();
  });
})();

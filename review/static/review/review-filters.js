// 报名材料审核 filter panel: 类别(专业) chained to 申报级别. A new level clears 类别 and
// offers that level's specialties at once (before 搜索); no level, no specialties.
// The options come from the page (#specialty-options: level code → [[pk, label], …]).
(function () {
  "use strict";
  function chain() {
    var data = document.getElementById("specialty-options");
    var form = document.getElementById("filter-form");
    if (!data || !form) return;
    var level = form.querySelector("select[name=level]");
    var specialty = form.querySelector("select[name=specialty]");
    if (!level || !specialty) return;
    var options = JSON.parse(data.textContent);
    var $ = window.django && window.django.jQuery;

    function fill() {
      var chosen = options[level.value] || [];
      while (specialty.options.length) specialty.remove(0);
      specialty.add(new Option(level.value ? "全部" : "请先选择申报级别", ""));
      chosen.forEach(function (pair) {
        specialty.add(new Option(pair[1], pair[0]));
      });
      specialty.value = "";
      specialty.disabled = !level.value;
      if ($) $(specialty).trigger("change");  // select2 redraws from the <option>s
    }
    // select2 announces a choice through jQuery, not as a DOM event.
    if ($) $(level).on("change", fill);
    else level.addEventListener("change", fill);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", chain);
  else chain();
})();

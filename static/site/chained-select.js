// A <select data-chain-parent="id_of_parent_select"> shows only the options whose data-parent
// is the parent's value. Without this script every option stays visible; the server checks.
(function () {
  "use strict";
  function bind(child) {
    var parent = document.getElementById(child.getAttribute("data-chain-parent"));
    if (!parent) return;
    function filter() {
      var value = parent.value;
      Array.prototype.forEach.call(child.options, function (option) {
        var owner = option.getAttribute("data-parent");
        var show = !owner || !value || owner === value;
        option.hidden = !show;
        option.disabled = !show;
      });
      var chosen = child.options[child.selectedIndex];
      if (chosen && chosen.disabled) {
        child.value = "";
        child.dispatchEvent(new Event("change"));
      }
    }
    parent.addEventListener("change", filter);
    filter();
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-chain-parent]"), bind);
  });
})();

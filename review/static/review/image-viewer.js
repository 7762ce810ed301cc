// The review pages' image viewer (review/admin/image_viewer.html). A thumbnail link with
// data-viewer-src dispatches "mv-lightbox" with itself; the viewer opens the full file and
// zooms (buttons, wheel, + and -), pans (drag), rotates in 90° steps and closes on Esc.
// A rotation is POSTed to the link's data-viewer-rotate URL, so the next reviewer sees the
// certificate the same way; the page's thumbnail is fetched again (it is made upright too).
(function () {
  "use strict";
  var MIN = 0.1, MAX = 8, STEP = 1.25;

  function setup() {
    var root = document.getElementById("image-viewer");
    if (!root || root.dataset.ready) return;
    root.dataset.ready = "1";
    var stage = root.querySelector("[data-viewer-stage]");
    var image = root.querySelector("[data-viewer-image]");
    var zoomLabel = root.querySelector("[data-viewer-zoom]");
    var status = root.querySelector("[data-viewer-status]");
    var original = root.querySelector("[data-viewer-original]");
    var csrf = root.querySelector("[name=csrfmiddlewaretoken]").value;
    var state = { scale: 1, fit: 1, x: 0, y: 0, rotation: 0 };
    var trigger = null, drag = null, dragged = false, saving = Promise.resolve(), lastFocus = null;

    function render() {
      image.style.transform = "translate(-50%, -50%) translate(" + state.x + "px, " + state.y +
        "px) rotate(" + state.rotation + "deg) scale(" + state.scale + ")";
      zoomLabel.textContent = Math.round(state.scale * 100) + "%";
      root.dataset.rotation = String(state.rotation);
      root.dataset.scale = state.scale.toFixed(3);
    }

    function fit() {
      var w = image.naturalWidth || 1, h = image.naturalHeight || 1;
      if (state.rotation % 180) { var t = w; w = h; h = t; }
      var box = stage.getBoundingClientRect();
      state.fit = Math.min(1, (box.width - 32) / w, (box.height - 32) / h);
      state.scale = state.fit;
      state.x = 0; state.y = 0;
      render();
    }

    function zoom(factor, px, py) {
      var next = Math.max(MIN, Math.min(MAX, state.scale * factor));
      factor = next / state.scale;
      // Keep the point under the cursor (px, py: from the stage's centre) where it is.
      state.x = px - (px - state.x) * factor;
      state.y = py - (py - state.y) * factor;
      state.scale = next;
      render();
    }

    function say(text) { status.textContent = text; }

    function save() {
      var url = trigger && trigger.dataset.viewerRotate;
      if (!url) return;
      var rotation = state.rotation, link = trigger;
      link.dataset.viewerRotation = String(rotation);
      say("正在保存方向…");
      // One request after the other: the last rotation chosen is the one kept.
      saving = saving.then(function () {
        var body = new URLSearchParams({ rotation: String(rotation) });
        return fetch(url, {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "X-CSRFToken": csrf, "X-Requested-With": "XMLHttpRequest" },
        }).then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok) throw new Error(data.error || "保存失败");
            say("方向已保存，其他审核人员将看到相同方向");
            var thumb = link.querySelector("img");
            if (thumb) thumb.src = link.dataset.viewerSrc + "?thumb=1&r=" + data.rotation;
          });
        }).catch(function (error) {
          say("方向未能保存：" + (error && error.message ? error.message : "网络错误"));
        });
      });
    }

    function rotate(step) {
      state.rotation = (state.rotation + step + 360) % 360;
      fit();
      save();
    }

    function open(link) {
      trigger = link;
      lastFocus = document.activeElement;
      state.rotation = parseInt(link.dataset.viewerRotation || "0", 10) % 360 || 0;
      say("");
      original.href = link.dataset.viewerSrc;
      root.hidden = false;
      image.onload = fit;
      image.src = link.dataset.viewerSrc;
      if (image.complete && image.naturalWidth) fit();
      root.querySelector("[data-viewer-act=close]").focus();
    }

    function close() {
      if (root.hidden) return;
      root.hidden = true;
      image.removeAttribute("src");
      if (lastFocus && lastFocus.focus) lastFocus.focus();
    }

    var actions = {
      "zoom-in": function () { zoom(STEP, 0, 0); },
      "zoom-out": function () { zoom(1 / STEP, 0, 0); },
      fit: fit,
      "rotate-left": function () { rotate(-90); },
      "rotate-right": function () { rotate(90); },
      close: close,
    };
    root.addEventListener("click", function (event) {
      var button = event.target.closest("[data-viewer-act]");
      if (button) { actions[button.dataset.viewerAct](); return; }
      // A click on the dark background (not the picture, not the end of a drag) closes.
      if (event.target === stage && !dragged) close();
      dragged = false;
    });

    stage.addEventListener("wheel", function (event) {
      event.preventDefault();
      var box = stage.getBoundingClientRect();
      zoom(event.deltaY < 0 ? STEP : 1 / STEP,
        event.clientX - box.left - box.width / 2, event.clientY - box.top - box.height / 2);
    }, { passive: false });

    stage.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      drag = { id: event.pointerId, sx: event.clientX, sy: event.clientY, x: state.x, y: state.y, moved: false };
      stage.setPointerCapture(event.pointerId);
    });
    stage.addEventListener("pointermove", function (event) {
      if (!drag || drag.id !== event.pointerId) return;
      var dx = event.clientX - drag.sx, dy = event.clientY - drag.sy;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (!drag.moved) return;
      state.x = drag.x + dx; state.y = drag.y + dy;
      stage.classList.add("rv-viewer-dragging");
      render();
    });
    function endDrag(event) {
      if (!drag || drag.id !== event.pointerId) return;
      stage.classList.remove("rv-viewer-dragging");
      dragged = drag.moved;  // the click that ends a drag must not close the viewer
      drag = null;
    }
    stage.addEventListener("pointerup", endDrag);
    stage.addEventListener("pointercancel", endDrag);

    // While open, the viewer's keys are its own (the page's shortcuts wait).
    window.addEventListener("keydown", function (event) {
      if (root.hidden) return;
      if (event.key === "Escape") close();
      else if (event.ctrlKey || event.metaKey || event.altKey) return;
      else if (event.key === "+" || event.key === "=") actions["zoom-in"]();
      else if (event.key === "-") actions["zoom-out"]();
      else if (event.key === "0") fit();
      else if (event.key === "r" || event.key === "R") rotate(event.shiftKey ? -90 : 90);
      else if (event.key.length !== 1) return;  // Tab, Enter, arrows: as usual
      event.preventDefault();
      event.stopImmediatePropagation();
    }, true);

    window.addEventListener("resize", function () { if (!root.hidden) fit(); });

    window.addEventListener("mv-lightbox", function (event) {
      var link = event.detail;
      if (link && link.dataset && link.dataset.viewerSrc) open(link);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();

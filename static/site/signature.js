/* Hand-drawn signature (推荐医师/指导老师): draw with a finger, pen or mouse on a canvas;
   on submit the drawing goes as a PNG data URL into the hidden input named by the box's
   data-signature attribute. The server decodes and checks it. No framework. */
(function () {
  "use strict";

  function setUp(box) {
    var canvas = box.querySelector("canvas");
    var input = document.getElementById(box.getAttribute("data-signature"));
    var clear = box.querySelector("[data-signature-clear]");
    var form = box.closest("form");
    if (!canvas || !input || !form) return;
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    var last = null;

    function size() {
      var ratio = window.devicePixelRatio || 1;
      var rect = canvas.getBoundingClientRect();
      canvas.width = Math.round(rect.width * ratio);
      canvas.height = Math.round(rect.height * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      ctx.fillStyle = "#111";
    }

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fill();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var next = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(next.x, next.y);
      ctx.stroke();
      last = next;
    });
    function stop() { drawing = false; }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        input.value = "";
      });
    }

    form.addEventListener("submit", function () {
      input.value = drawn ? canvas.toDataURL("image/png") : "";
    });

    size();
    // After a form error the page comes back with the earlier drawing: show it again.
    if (input.value.indexOf("data:image/png;base64,") === 0) {
      var image = new Image();
      image.onload = function () {
        var rect = canvas.getBoundingClientRect();
        ctx.drawImage(image, 0, 0, rect.width, rect.height);
        drawn = true;
      };
      image.src = input.value;
    }
  }

  document.querySelectorAll("[data-signature]").forEach(setUp);
})();

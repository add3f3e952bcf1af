/* Booking pages: pick grid cells, count down a hold, refresh a cancellation quote.
 * The pages work without it (cells are checkboxes, forms post); this adds the
 * running total, the 8-slot cap, the live countdown and fewer clicks. */
(function () {
  "use strict";

  function yuan(fen) {
    return fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2);
  }

  /* The slot grid: selection count and total, the cap, the day in the address. */
  function initGrid(form) {
    var max = parseInt(form.getAttribute("data-max"), 10) || 8;
    var count = form.querySelector("[data-sel-count]");
    var total = form.querySelector("[data-sel-total]");
    var submit = form.querySelector("[data-sel-submit]");
    var clear = form.querySelector("[data-sel-clear]");
    var limit = form.querySelector("[data-sel-limit]");
    var dayInput = form.querySelector("[data-day-input]");
    var submitLabel = submit.innerHTML;

    function chosen() { return form.querySelectorAll("input[name=slot]:checked"); }

    function update() {
      var boxes = chosen();
      var sum = 0;
      boxes.forEach(function (b) { sum += parseInt(b.getAttribute("data-price"), 10) || 0; });
      form.querySelectorAll("label.slot").forEach(function (l) {
        l.classList.toggle("is-checked", l.querySelector("input").checked);
      });
      count.textContent = boxes.length;
      total.textContent = yuan(sum);
      submit.disabled = boxes.length === 0;
      clear.hidden = boxes.length === 0;
    }

    form.addEventListener("change", function (e) {
      var box = e.target;
      if (box.name !== "slot") return;
      if (box.checked && chosen().length > max) {
        box.checked = false;
        limit.hidden = false;
      } else {
        limit.hidden = true;
      }
      update();
    });
    clear.addEventListener("click", function () {
      chosen().forEach(function (b) { b.checked = false; });
      limit.hidden = true;
      update();
    });
    form.addEventListener("submit", function (e) {
      if (!chosen().length) { e.preventDefault(); return; }
      // One hold per tap: a second submit would only meet our own hold.
      window.setTimeout(function () {
        submit.disabled = true;
        submit.textContent = submit.getAttribute("data-busy");
      }, 0);
    });
    document.querySelectorAll("[data-day-tab]").forEach(function (tab) {
      tab.addEventListener("shown.bs.tab", function () {
        var day = tab.getAttribute("data-day-tab");
        dayInput.value = day;
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", "?day=" + day);
        }
      });
    });
    // Coming back with the browser's back button may restore boxes or the busy button.
    window.addEventListener("pageshow", function () {
      submit.innerHTML = submitLabel;
      update();
    });
    update();
  }

  /* A hold's countdown: seconds from the server, so the phone's clock does not matter. */
  function initCountdown(el) {
    var left = parseInt(el.getAttribute("data-seconds"), 10) || 0;
    var started = Date.now();
    var scope = el.closest("[data-countdown-scope]") || document;
    var timer = null;

    function show(seconds) {
      var m = Math.floor(seconds / 60);
      var s = seconds % 60;
      el.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    }

    function expire() {
      scope.querySelectorAll("[data-when-live]").forEach(function (n) { n.hidden = true; });
      scope.querySelectorAll("[data-when-expired]").forEach(function (n) { n.hidden = false; });
      scope.querySelectorAll("[data-pay]").forEach(function (n) { n.disabled = true; });
      var box = el.closest(".tiyu-countdown-box");
      if (box) box.classList.add("is-expired");
    }

    function tick() {
      var seconds = Math.max(0, left - Math.floor((Date.now() - started) / 1000));
      show(seconds);
      if (seconds === 0) {
        if (timer) window.clearInterval(timer);
        expire();
      }
    }
    tick();
    if (left > 0) timer = window.setInterval(tick, 1000);
  }

  /* Submit-once buttons (pay, cancel). */
  function initOnce(form) {
    form.addEventListener("submit", function () {
      var btn = form.querySelector("[type=submit]");
      if (!btn) return;
      window.setTimeout(function () {
        btn.disabled = true;
        if (btn.getAttribute("data-busy")) btn.textContent = btn.getAttribute("data-busy");
      }, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var grid = document.getElementById("book-form");
    if (grid) initGrid(grid);
    document.querySelectorAll("[data-countdown]").forEach(initCountdown);
    document.querySelectorAll("form[data-once]").forEach(initOnce);
    // The cancellation page: a changed choice fetches a fresh quote.
    document.querySelectorAll("form[data-autosubmit]").forEach(function (f) {
      f.addEventListener("change", function () { f.submit(); });
      f.querySelectorAll("[data-autosubmit-hide]").forEach(function (n) { n.hidden = true; });
    });
  });
})();

// 統計: while a long aggregation runs (the form was sent, the next page has not come yet),
// show a progress indication with the elapsed seconds.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-progress")) return;
    var box = document.getElementById("stats-progress");
    if (!box) return;
    box.hidden = false;
    var elapsed = box.querySelector("[data-elapsed]");
    var started = Date.now();
    window.setInterval(function () {
      if (elapsed) elapsed.textContent = String(Math.floor((Date.now() - started) / 1000));
    }, 500);
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
  });
})();

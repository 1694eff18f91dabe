/* jumin UI shell: keyboard-first operation (standard spec 2.3.2).
 * Any element with data-shortcut="F2" (or "Alt+M", "Escape" …) is activated by that key.
 * F1 opens a dialog listing every shortcut of the current page. No inline script (CSP). */
(function () {
  "use strict";

  function keyName(event) {
    var key = event.key.length === 1 ? event.key.toUpperCase() : event.key;
    var parts = [];
    if (event.ctrlKey) parts.push("Ctrl");
    if (event.altKey) parts.push("Alt");
    if (event.shiftKey && event.key.length > 1) parts.push("Shift");
    parts.push(key);
    return parts.join("+");
  }

  function activate(element) {
    if (element.matches("a, button, input[type=submit], input[type=button], summary")) {
      element.click();
    } else {
      element.focus();
    }
  }

  function fillHelp(dialog) {
    var body = dialog.querySelector("[data-help-page]");
    if (!body) return;
    body.textContent = "";
    document.querySelectorAll("[data-shortcut]").forEach(function (element) {
      if (dialog.contains(element) || element.hasAttribute("data-help-toggle")) return;
      var row = document.createElement("tr");
      var key = document.createElement("td");
      var kbd = document.createElement("kbd");
      kbd.textContent = element.getAttribute("data-shortcut");
      key.appendChild(kbd);
      var label = document.createElement("td");
      var clone = element.cloneNode(true);
      clone.querySelectorAll("kbd").forEach(function (k) { k.remove(); });
      label.textContent = clone.textContent.trim();
      row.appendChild(key);
      row.appendChild(label);
      body.appendChild(row);
    });
  }

  function toggleHelp() {
    var dialog = document.getElementById("help");
    if (!dialog) return;
    if (dialog.open) {
      dialog.close();
    } else {
      fillHelp(dialog);
      dialog.showModal();
    }
  }

  /* Idle screen lock: after the configured time without keyboard or mouse, lock the
   * screen (the server locks too, should this script not run). */
  function startIdleTimer() {
    var seconds = parseInt(document.body.getAttribute("data-idle-lock-seconds") || "0", 10);
    var form = document.getElementById("lock-form");
    if (!seconds || !form) return;
    var timer;
    function reset() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        form.querySelector("input[name=reason]").value = "無操作";
        form.submit();
      }, seconds * 1000);
    }
    ["keydown", "mousedown", "mousemove", "touchstart", "wheel"].forEach(function (name) {
      document.addEventListener(name, reset, { passive: true });
    });
    reset();
  }
  document.addEventListener("DOMContentLoaded", startIdleTimer);
  /* A form sent back with errors: the focus goes to the first item (or person) in error, so the
   * clerk corrects it without looking for it. */
  document.addEventListener("DOMContentLoaded", function () {
    var bad = document.querySelector(
      ".field.has-error input:not([type=hidden]), .field.has-error select, .field.has-error textarea"
    ) || document.querySelector("fieldset.has-error input:not([type=hidden]), fieldset.has-error select");
    if (bad) bad.focus();
  });
  /* A page opened after its print was logged prints itself. */
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-autoprint]")) window.print();
  });

  /* After a passkey is registered the session is verified: continue to the next page. */
  document.addEventListener("otp_webauthn.register_complete", function () {
    var next = document.querySelector("input[name=next]");
    window.location.assign(next && next.value ? next.value : "/");
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-help-toggle]")) toggleHelp();
    if (event.target.closest("[data-print]")) window.print();
  });

  /* A key pressed while the page is still being parsed waits for the page: its target
   * may not exist yet, and a lost key is a lost action at the counter. */
  var pending = [];
  document.addEventListener("DOMContentLoaded", function () {
    var names = pending;
    pending = [];
    names.forEach(handleKey);
  });

  document.addEventListener("keydown", function (event) {
    /* A key that confirms or moves an IME conversion (かな漢字変換) is the IME's, never a shortcut. */
    if (event.isComposing || event.keyCode === 229) return;
    var name = keyName(event);
    if (document.readyState === "loading") {
      var typing = event.target && event.target.closest && event.target.closest("input, select, textarea");
      var shortcut = name === "Escape" || name.indexOf("Alt+") === 0 || /^(Shift\+)?F\d+$/.test(name);
      if (shortcut || (name.length === 1 && !typing)) {
        event.preventDefault();
        pending.push(name);
      }
      return;
    }
    var editing = event.target && event.target.closest && event.target.closest("input, select, textarea");
    if (name.length === 1 && editing) return; /* a plain key typed into an item is text, never a shortcut */
    if (handleKey(name)) event.preventDefault();
  });

  /* Leaving a form with unsaved input (Esc, 取消, 戻る) asks first: a key pressed by habit
   * must not throw away a family's 転入 typed at the counter. */
  var dirty = false;
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("form[method=post], form[method=POST]")) dirty = true;
  });
  document.addEventListener("submit", function () { dirty = false; });
  document.addEventListener("click", function (event) {
    var leaving = event.target.closest && event.target.closest('[data-shortcut="Escape"], [data-discard]');
    if (!leaving || !dirty) return;
    if (!window.confirm("入力中の内容は保存されていません。破棄して移動しますか？")) {
      event.preventDefault();
      event.stopImmediatePropagation();
    } else {
      dirty = false;
    }
  }, true);

  /* ↑↓ move between the items of a list of results (links marked data-arrow-item), so the
   * clerk picks a hit without Tab and opens it with Enter. */
  document.addEventListener("keydown", function (event) {
    if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var current = event.target.closest && event.target.closest("[data-arrow-item]");
    if (!current) return;
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-arrow-item]"));
    var next = items[items.indexOf(current) + (event.key === "ArrowDown" ? 1 : -1)];
    if (next) {
      next.focus();
      event.preventDefault();
    }
  });

  /* Runs the shortcut called name; true when the key was ours. */
  function handleKey(name) {
    var dialog = document.getElementById("help");
    if (name === "F1") {
      toggleHelp();
      return true;
    }
    if (dialog && dialog.open) return false; /* the dialog handles Esc itself */
    if (name === "Alt+M") {
      var first = document.querySelector("#menu a, #menu button");
      if (first) first.focus();
      return Boolean(first);
    }
    if (name === "Alt+C") {
      var main = document.getElementById("main");
      if (main) main.focus();
      return Boolean(main);
    }
    var target = document.querySelector('[data-shortcut="' + name.replace(/"/g, '\\"') + '"]');
    if (target && !target.hasAttribute("data-help-toggle")) {
      activate(target);
      return true;
    }
    return false;
  }
})();

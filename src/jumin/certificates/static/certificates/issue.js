/* 証明書の交付: 見本 (Alt+P) and 交付 (Ctrl+Enter) are sent from this page, and only a PDF goes to
 * the new tab.  A refusal (支援措置, 請求者の確認, an item missing …) comes back as this page with
 * its reason: it replaces the form here, the new tab is closed, and the focus goes to the reason
 * (or to the item in error), so the clerk reads why and corrects it where she typed it.
 * Without script the buttons still send the form to a new tab (formtarget). No inline script (CSP). */
(function () {
  "use strict";

  var FORM_ID = "issue-form";

  function focusReason(main) {
    var bad = main.querySelector(
      ".field.has-error input:not([type=hidden]), .field.has-error select, .field.has-error textarea"
    );
    var reason = main.querySelector("[data-issue-refusal]");
    var target = bad || reason;
    if (target) target.focus();
  }

  function showPage(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var incoming = page.getElementById("main");
    var main = document.getElementById("main");
    if (!incoming || !main) {
      document.open();
      document.write(html); /* not our page (the login page after a time-out …): show it as it is */
      document.close();
      return;
    }
    main.innerHTML = incoming.innerHTML;
    focusReason(main);
  }

  function sayDone(text) {
    var main = document.getElementById("main");
    if (!main) return;
    var status = main.querySelector("[data-issue-status]");
    if (!status) {
      status = document.createElement("p");
      status.setAttribute("role", "status");
      status.setAttribute("data-issue-status", "");
      status.className = "message message-success";
      var form = document.getElementById(FORM_ID);
      main.insertBefore(status, form);
    }
    var refusal = main.querySelector("[data-issue-refusal]");
    if (refusal) refusal.remove();
    status.textContent = text;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== FORM_ID || !window.fetch) return;
    event.preventDefault();
    var button = event.submitter;
    var preview = Boolean(button && button.value === "preview");
    var tab = window.open("", "_blank"); /* now, in the key press: later a pop-up blocker refuses it */
    if (tab) tab.document.title = preview ? "見本を作成しています…" : "証明書を作成しています…";
    var body = new FormData(form);
    if (button && button.name) body.append(button.name, button.value);
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: body,
      credentials: "same-origin",
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/pdf") === 0) {
          return response.blob().then(function (pdf) {
            var url = URL.createObjectURL(pdf);
            if (tab) tab.location.href = url;
            else window.open(url, "_blank");
            window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
            sayDone(preview ? "見本を新しいタブに表示しました（交付していません）。" : "交付しました。PDFを新しいタブに表示しました。");
          });
        }
        if (tab) tab.close();
        return response.text().then(showPage);
      })
      .catch(function () {
        if (tab) tab.close();
        sayDone("サーバーと通信できませんでした。交付されたかを交付履歴（Alt+H）で確かめてください。");
      });
  });
})();

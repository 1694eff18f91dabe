/* Address entry help (spec 1.3.3): a 7-digit postcode fills the address in, and the
 * addresses of a shared postcode are offered as choices.  Keyboard only: type the postcode,
 * Tab to the address, which is already filled or offers its choices (arrow keys). */
(function () {
  "use strict";

  function addressFieldFor(postcode) {
    return document.getElementById(postcode.id.replace(/postcode$/, "address"));
  }

  function offer(target, entries) {
    var list = document.getElementById(target.id + "-choices");
    if (!list) {
      list = document.createElement("datalist");
      list.id = target.id + "-choices";
      document.body.appendChild(list);
      target.setAttribute("list", list.id);
    }
    list.textContent = "";
    entries.forEach(function (entry) {
      var option = document.createElement("option");
      option.value = entry.address;
      option.label = entry.kana;
      list.appendChild(option);
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-postcode-lookup]")) return;
    var code = input.value.replace(/[^0-9０-９]/g, "");
    code = code.replace(/[０-９]/g, function (d) { return String.fromCharCode(d.charCodeAt(0) - 0xfee0); });
    var target = addressFieldFor(input);
    if (code.length !== 7 || !target) return;
    input.value = code;
    if (sibling(target, "address_code")) {
      /* an entry form: our 町字 with their 丁目 (Town.chome_count) and the 住所コード */
      get("/api/v1/addresses/postcode/" + code + "/choices").then(function (choices) {
        if (choices.length === 1 && !target.value) {
          if (choices[0].address_code) apply(target, choices[0]);
          else target.value = choices[0].address;
        } else if (choices.length > 1) {
          chooseFrom(target, choices);
        }
      });
      return;
    }
    fetch("/api/v1/addresses/postcode/" + code, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (entries) {
        if (entries.length === 1 && !target.value) target.value = entries[0].address;
        offer(target, entries);
      });
  });

  /* Several addresses for one postcode (the 丁目 of a town, or towns sharing it): a list under
   * the 住所.  ↓ from the 住所 enters it, ↑↓ move, Enter chooses (住所, 住所コード; the cursor
   * goes on to the 番地), Esc closes it and goes back to the 住所. */
  function closeChoices(target) {
    var list = document.getElementById(target.id + "-chome");
    if (list) list.remove();
    target.removeAttribute("aria-controls");
  }

  function chooseFrom(target, choices) {
    closeChoices(target);
    var list = document.createElement("ul");
    list.id = target.id + "-chome";
    list.className = "choices";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "住所を選んでください（↓で選ぶ・Enterで決定・Escで閉じる）");
    list.setAttribute("data-testid", "address-choices");
    choices.forEach(function (choice, index) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.tabIndex = -1;
      item.textContent = choice.address;
      function pick() {
        closeChoices(target);
        if (choice.address_code) apply(target, choice);
        else target.value = choice.address;
        var next = sibling(target, "banchi") || target;
        next.focus();
      }
      item.addEventListener("click", pick);
      item.addEventListener("keydown", function (event) {
        if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
        var items = list.querySelectorAll("[role=option]");
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          var next = items[index + (event.key === "ArrowDown" ? 1 : -1)];
          if (next) next.focus();
        } else if (event.key === "Enter") {
          pick();
        } else if (event.key === "Escape") {
          closeChoices(target);
          target.focus();
        } else {
          return;
        }
        event.preventDefault();
        event.stopPropagation();
      });
      item.addEventListener("focus", function () { item.setAttribute("aria-selected", "true"); });
      item.addEventListener("blur", function () { item.removeAttribute("aria-selected"); });
      list.appendChild(item);
    });
    target.setAttribute("aria-controls", list.id);
    target.insertAdjacentElement("afterend", list);
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "ArrowDown" || event.isComposing || !target.getAttribute) return;
    var id = target.getAttribute("aria-controls");
    var list = id && /-chome$/.test(id) ? document.getElementById(id) : null;
    var first = list && list.querySelector("[role=option]");
    if (!first) return;
    first.focus();
    event.preventDefault();
  });

  /* 住所 typed as counters type it (issue 17): 「平塚4-7-11」 in the 住所 of an address fieldset
   * becomes 住所 「…平塚四丁目」, 番地 「7番11号」, the 住所コード and the 郵便番号 of our 町字;
   * then the 方書 of that 番地 are offered (4.0.7).  Several readings: offered as choices. */
  function sibling(input, name) {
    return document.getElementById(input.id.replace(/address$/, name));
  }

  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; });
  }

  function suggestKatagaki(input, composed) {
    var katagaki = sibling(input, "katagaki");
    if (!katagaki || !composed.banchi) return;
    var query = "town=" + composed.oaza_code + "&banchi=" + encodeURIComponent(composed.banchi) +
      (composed.chome ? "&chome=" + composed.chome : "");
    get("/api/v1/addresses/buildings?" + query).then(function (buildings) {
      offer(katagaki, buildings.map(function (b) { return { address: b.katagaki, kana: b.kana }; }));
    });
  }

  function apply(input, composed) {
    input.value = composed.address;
    var banchi = sibling(input, "banchi");
    var code = sibling(input, "address_code");
    var postcode = sibling(input, "postcode");
    if (banchi && composed.banchi) banchi.value = composed.banchi;
    if (code) code.value = composed.address_code;
    if (postcode && !postcode.value) postcode.value = composed.postcode;
    input.setAttribute("data-composed", composed.address_code);
    suggestKatagaki(input, composed);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.id || !/-address$/.test(input.id) || !sibling(input, "address_code")) return;
    var text = input.value.trim();
    if (!text) return;
    get("/api/v1/addresses/compose?text=" + encodeURIComponent(text)).then(function (readings) {
      if (readings.length === 1) {
        apply(input, readings[0]);
      } else if (readings.length > 1) {
        offer(input, readings.map(function (r) { return { address: r.address + r.banchi, kana: r.address_code }; }));
      }
    });
  });
})();

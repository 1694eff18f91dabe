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
    fetch("/api/v1/addresses/postcode/" + code, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (entries) {
        if (entries.length === 1 && !target.value) target.value = entries[0].address;
        offer(target, entries);
      });
  });
})();

/* Movement entry help (issue 17): a compact form for a family at the counter.
 * - Each person shows the items of their kind only: the foreign-resident items (30条の45) for a
 *   foreign resident, 本籍・筆頭者 for a Japanese one.  Hidden items take no Tab stop; an item
 *   the server found in error is always shown.  The server checks everything again.
 * - The 2nd and later persons take 氏, its 振り仮名, 本籍 and 筆頭者 from the person above when
 *   their 名 is typed and those are still empty: the clerk skips 氏 with Tab for the children.
 * No inline script (CSP); nothing here is needed to enter a movement. */
(function () {
  "use strict";

  var FOREIGN_ONLY = ["name_alphabet", "nationality", "residence_category", "residence_status",
    "period_of_stay", "stay_expires_on", "residence_card_no", "special_permanent_cert_no"];
  var JAPANESE_ONLY = ["honseki_kind", "honseki", "koseki_head"];
  var FAMILY = ["surname", "furigana_surname", "honseki", "koseki_head"];

  function item(fieldset, name) {
    return fieldset.querySelector('[name$="-' + name + '"]');
  }

  function show(fieldset) {
    var kind = item(fieldset, "nationality_kind");
    if (!kind) return;
    var foreign = kind.value === "foreign";
    fieldset.querySelectorAll(".field").forEach(function (field) {
      var input = field.querySelector("input, select, textarea");
      if (!input || !input.name) return;
      var name = input.name.replace(/^.*-/, "");
      var hide = (FOREIGN_ONLY.indexOf(name) >= 0 && !foreign) || (JAPANESE_ONLY.indexOf(name) >= 0 && foreign);
      var typed = input.tagName !== "SELECT" && input.type !== "checkbox" && input.value;
      field.hidden = hide && !field.classList.contains("has-error") && !typed;
    });
  }

  function copyFamily(fieldset) {
    var persons = Array.prototype.slice.call(document.querySelectorAll("fieldset.person"));
    var index = persons.indexOf(fieldset);
    if (index < 1) return;
    var above = persons[index - 1];
    FAMILY.forEach(function (name) {
      var to = item(fieldset, name);
      var from = item(above, name);
      if (to && from && !to.value && from.value) to.value = from.value;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("fieldset.person").forEach(show);
  });
  document.addEventListener("change", function (event) {
    var fieldset = event.target.closest && event.target.closest("fieldset.person");
    if (!fieldset) return;
    if (/-nationality_kind$/.test(event.target.name)) show(fieldset);
    if (/-given_name$/.test(event.target.name) && event.target.value) copyFamily(fieldset);
  });
})();

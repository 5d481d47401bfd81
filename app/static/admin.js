// The staff pages on a phone, and forms sent back with errors. Without JavaScript every
// page still works: the menu is a list of links, wide tables scroll sideways in a region
// the keyboard reaches, and the error summary is the first thing in the form.
(function () {
  "use strict";
  // As in admin.css: below this width the menu folds and table rows stack.
  var phone = window.matchMedia("(max-width: 40rem)");

  // The main menu as a disclosure: one "Menu" button on a phone, the list on a laptop.
  function foldMenu() {
    var button = document.querySelector(".menu-button");
    if (!button) { return; }
    var nav = button.parentNode;
    function open(expanded) { button.setAttribute("aria-expanded", expanded ? "true" : "false"); }
    button.hidden = false;  // admin.css shows it on a phone only
    nav.classList.add("folding");
    open(false);
    button.addEventListener("click", function () {
      open(button.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && phone.matches && button.getAttribute("aria-expanded") === "true") {
        open(false);
        button.focus();
      }
    });
  }

  // Each cell learns its column's header (data-label), which admin.css shows above the
  // cell when a phone stacks the rows. The roles keep the table a table for screen
  // readers where a browser drops them from cells that are no longer shown as cells.
  function labelCells() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (!table.tHead || !table.tHead.rows.length) { return; }
      var headers = [];
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
        var text = cell.textContent.replace(/\s+/g, " ").trim();
        for (var span = 0; span < cell.colSpan; span += 1) { headers.push(text); }
      });
      table.setAttribute("role", "table");
      Array.prototype.forEach.call(table.querySelectorAll("thead, tbody, tfoot"), function (group) {
        group.setAttribute("role", "rowgroup");
      });
      Array.prototype.forEach.call(table.rows, function (row) {
        row.setAttribute("role", "row");
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var header = cell.parentNode.parentNode === table.tHead;
          if (cell.tagName === "TH") {
            cell.setAttribute("role", header || cell.scope === "col" ? "columnheader" : "rowheader");
          } else {
            cell.setAttribute("role", "cell");
          }
          if (!header && headers[column] && cell.colSpan < headers.length) {
            cell.setAttribute("data-label", headers[column]);
          }
          column += cell.colSpan;
        });
      });
      table.classList.add("stacking");
    });
  }

  // A form sent back with errors: focus on the summary, which a screen reader then reads,
  // and each of its links takes focus to its field (a group: its first choice), with the
  // field's label or legend in view. A form sent back with something to check first (a
  // meeting with someone away, or outside the unit's hours) gets the same focus.
  function focusErrors() {
    var summary = document.getElementById("error-summary");
    var warnings = document.getElementById("meeting-warnings");
    if (!summary) {
      if (warnings) { warnings.focus(); }
      return;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var group = field.closest("fieldset");
      var label = (group && group.querySelector("legend")) ||
        document.querySelector("label[for='" + field.id + "']") || field;
      label.scrollIntoView();
      field.focus({preventScroll: true});
    });
  }

  foldMenu();
  labelCells();
  focusErrors();
}());

// Names Dash's own controls by their visible labels, and lets the keyboard open the file drop zones.
// Dash 4's dropdown names itself by its shown value (a placeholder such as "From the file's Cover sheet"), its date
// picker by its placeholder ("Today"), and the upload's file input by nothing; none takes an aria property from
// Python. So, whenever the page changes: a control that a <label for> points at is named by that label (with its
// value after it), a drop zone's file input by the zone's own words, and Enter on it opens the chooser as Space does.
(function () {
    "use strict";

    function labelFor(id) {
        return document.querySelector('label[for="' + CSS.escape(id) + '"]');
    }

    function labelId(label) {
        if (!label.id) { label.id = label.htmlFor + "-label"; }
        return label.id;
    }

    function setIfDifferent(element, attribute, value) {
        if (element.getAttribute(attribute) !== value) { element.setAttribute(attribute, value); }
    }

    function nameDropdowns() {
        document.querySelectorAll("button.dash-dropdown[id]").forEach(function (button) {
            const label = labelFor(button.id);
            if (!label) { return; }
            const value = document.getElementById(button.id + "-value");
            setIfDifferent(button, "aria-labelledby", labelId(label) + (value ? " " + value.id : ""));
        });
    }

    function nameDatePickers() {
        document.querySelectorAll("input.dash-datepicker-input[id]").forEach(function (input) {
            const label = labelFor(input.id);
            if (label) { setIfDifferent(input, "aria-label", label.textContent.trim()); }
        });
    }

    function nameDropZones() {
        document.querySelectorAll(".upload-drop").forEach(function (zone) {
            const input = zone.querySelector('input[type="file"]');
            if (!input) { return; }
            setIfDifferent(input, "aria-label", zone.textContent.trim());
            if (!input.dataset.enterOpens) {
                input.dataset.enterOpens = "1";
                input.addEventListener("keydown", function (event) {
                    if (event.key === "Enter") { event.preventDefault(); input.click(); }
                });
            }
        });
    }

    let scheduled = false;
    function update() {
        scheduled = false;
        nameDropdowns();
        nameDatePickers();
        nameDropZones();
    }

    new MutationObserver(function () {
        if (!scheduled) { scheduled = true; window.requestAnimationFrame(update); }
    }).observe(document.documentElement, {
        childList: true, subtree: true, attributes: true, attributeFilter: ["aria-labelledby", "aria-label"],
    });
})();

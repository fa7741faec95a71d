// Names Dash's own controls by their visible labels, and lets the keyboard open the file drop zones.
// Dash 4's dropdown names itself by its shown value (a placeholder such as "From the file's Cover sheet"), its date
// picker by its placeholder ("Today"), and the upload's file input by nothing; none takes an aria property from
// Python. So, whenever the page changes: a control that a <label for> points at is named by that label (with its
// value after it), a drop zone's file input by the zone's own words, and Enter on it opens the chooser as Space does.
// Two more of Dash's own: the dropdown's tab stop is a hidden input that hands the focus on to its button (a
// focusable element screen readers are told is not there), so the button itself takes the tab stop; and the date
// picker's wrapper div says aria-expanded, which a div may not, so that goes. And the plan picker (a dbc.Select) loses
// the blank, disabled placeholder dbc puts first (a browser that ignores `hidden` on an option lists it; the picker
// always names a plan), and shows the chosen plan's whole name on hover, as the select may be too narrow for it.
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
            if (!button.disabled) {
                setIfDifferent(button, "tabindex", "0");
                const stand_in = button.previousElementSibling;
                if (stand_in && stand_in.classList.contains("dash-dropdown-focus-target")) {
                    setIfDifferent(stand_in, "tabindex", "-1");
                }
            }
            const label = labelFor(button.id);
            if (!label) { return; }
            const value = document.getElementById(button.id + "-value");
            setIfDifferent(button, "aria-labelledby", labelId(label) + (value ? " " + value.id : ""));
        });
    }

    function tidyDatePickers() {
        document.querySelectorAll(".dash-datepicker-input-wrapper[aria-expanded]").forEach(function (wrapper) {
            wrapper.removeAttribute("aria-expanded");
            wrapper.removeAttribute("aria-haspopup");
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

    function tidyPlanPicker() {
        const picker = document.getElementById("plan-picker");
        if (!picker) { return; }
        // React never touches the placeholder again: the picker's options are drawn once, with the page.
        const placeholder = picker.querySelector('option[value=""][disabled]');
        if (placeholder && picker.value) { placeholder.remove(); }
        const chosen = picker.options[picker.selectedIndex];
        // On the picker's wrapper: the select's own title would be read out again after its value.
        if (chosen && picker.parentElement) { setIfDifferent(picker.parentElement, "title", chosen.text); }
    }

    document.addEventListener("change", function (event) {
        if (event.target && event.target.id === "plan-picker") { tidyPlanPicker(); }
    });

    let scheduled = false;
    function update() {
        scheduled = false;
        nameDropdowns();
        nameDatePickers();
        tidyDatePickers();
        nameDropZones();
        tidyPlanPicker();
    }

    new MutationObserver(function () {
        if (!scheduled) { scheduled = true; window.requestAnimationFrame(update); }
    }).observe(document.documentElement, {
        childList: true, subtree: true, attributes: true, attributeFilter: ["aria-labelledby", "aria-label", "aria-expanded", "tabindex"],
    });
})();

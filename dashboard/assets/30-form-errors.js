// Ties a form's error to its fields (WCAG 3.3.1, 1.3.1): a message area marked data-error-for="id id ..." makes
// those fields aria-invalid and described by it while it shows a warning or danger alert, and lets go of them
// when it shows anything else. Dash's own inputs take no aria property from Python, so it is done here.
(function () {
    "use strict";

    function tie(area) {
        var failed = area.querySelector(".alert-danger, .alert-warning") !== null;
        area.getAttribute("data-error-for").split(/\s+/).forEach(function (id) {
            var field = document.getElementById(id);
            if (!field) {
                return;
            }
            if (failed) {
                field.setAttribute("aria-invalid", "true");
                field.setAttribute("aria-describedby", area.id);
            } else if (field.getAttribute("aria-describedby") === area.id) {
                field.removeAttribute("aria-invalid");
                field.removeAttribute("aria-describedby");
            }
        });
    }

    function tieAll() {
        document.querySelectorAll("[data-error-for][id]").forEach(tie);
    }

    new MutationObserver(tieAll).observe(document.documentElement, { childList: true, subtree: true });
})();

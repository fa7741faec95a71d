// Every internal link keeps the plan the address names (?plan=), so the plan picker's choice holds across pages.
// Links are written without it (a page's links do not know the plan); a click on one, while the address names a
// plan, goes to the link's address with the plan added: a page of the dashboard through the pages router, as
// dcc.Link does, a download or any other address by the browser itself.
(function () {
    "use strict";
    // Addresses the server answers itself rather than the pages router.
    var SERVER_PATHS = /^\/(download|login|logout|assets|_dash|_reload|_favicon)/;

    function withPlan(anchor) {
        var plan = new URLSearchParams(window.location.search).get("plan");
        if (!plan || !anchor.getAttribute("href") || anchor.origin !== window.location.origin) { return null; }
        var target = new URL(anchor.href);
        if (target.searchParams.has("plan")) { return null; }
        target.searchParams.set("plan", plan);
        return target;
    }

    function follow(event) {
        var anchor = event.target.closest ? event.target.closest("a[href]") : null;
        if (!anchor) { return; }
        var target = withPlan(anchor);
        if (!target) { return; }
        var plain = event.type === "click" && event.button === 0 && !event.metaKey && !event.ctrlKey &&
            !event.shiftKey && !event.altKey && (!anchor.target || anchor.target === "_self") &&
            !anchor.hasAttribute("download") && !SERVER_PATHS.test(target.pathname);
        if (!plain) {
            // A new tab, a download or a server address: the browser follows the href, so it carries the plan.
            anchor.setAttribute("href", target.pathname + target.search + target.hash);
            return;
        }
        // Before the link's own handler (React listens below the document), which would go to its address as written.
        event.preventDefault();
        event.stopPropagation();
        window.history.pushState({}, "", target.pathname + target.search + target.hash);
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
        window.scrollTo(0, 0);
    }

    document.addEventListener("click", follow, true);
    document.addEventListener("auxclick", follow, true);
    document.addEventListener("contextmenu", follow, true);
})();

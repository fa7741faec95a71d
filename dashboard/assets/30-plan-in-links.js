// Every internal link keeps the plan and the as-of year the address names (?plan=, ?year=), so the plan picker's
// choice and the year filter hold across pages: a measure opened from the 2015 overview opens as of 2015.
// Links are written without them (a page's links do not know the plan or the year); a click on one, while the
// address names them, goes to the link's address with them added: a page of the dashboard through the pages router,
// as dcc.Link does, a download or any other address by the browser itself. A link that names its own plan or year
// keeps it, and a link to another plan gets no year. The year goes to pages only: a download's year means something
// of its own (a template's reporting year).
(function () {
    "use strict";
    // Addresses the server answers itself rather than the pages router.
    var SERVER_PATHS = /^\/(download|login|logout|assets|_dash|_reload|_favicon)/;

    function carried(target, here) {
        var otherPlan = target.searchParams.has("plan") && target.searchParams.get("plan") !== here.get("plan");
        // An as-of year of one plan means nothing in another (the plan picker drops it too).
        return SERVER_PATHS.test(target.pathname) || otherPlan ? ["plan"] : ["plan", "year"];
    }

    function withPlanAndYear(anchor) {
        // A blob: link (a grid's CSV, made in the page) shares the page's origin, yet is no address to add to.
        if (!anchor.getAttribute("href") || anchor.origin !== window.location.origin ||
            anchor.protocol !== window.location.protocol) { return null; }
        var here = new URLSearchParams(window.location.search);
        var target = new URL(anchor.href);
        var added = false;
        carried(target, here).forEach(function (name) {
            var value = here.get(name);
            if (value && !target.searchParams.has(name)) {
                target.searchParams.set(name, value);
                added = true;
            }
        });
        return added ? target : null;
    }

    function follow(event) {
        var anchor = event.target.closest ? event.target.closest("a[href]") : null;
        if (!anchor) { return; }
        var target = withPlanAndYear(anchor);
        if (!target) { return; }
        var plain = event.type === "click" && event.button === 0 && !event.metaKey && !event.ctrlKey &&
            !event.shiftKey && !event.altKey && (!anchor.target || anchor.target === "_self") &&
            !anchor.hasAttribute("download") && !SERVER_PATHS.test(target.pathname);
        if (!plain) {
            // A new tab, a download or a server address: the browser follows the href, so it carries them.
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

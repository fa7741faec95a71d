// Charts on a narrow screen (a phone, or 200% zoom): plotly neither wraps a title nor reflows subplots, so a figure
// carries in layout.meta.narrow the relayout updates of its narrow layout (dashboard/components/theme.py,
// with_narrow_layout): wrapped titles, fewer or shorter ticks, small multiples in one column. After each drawing
// this applies them when the chart is narrower than layout.meta.narrowWidth, and puts the figure's own values back
// when it is wide again (a phone turned, a window widened), WCAG 1.4.10.
(function () {
    "use strict";

    function read(layout, path) {
        // "annotations[2].text" or "xaxis.tickvals": the value at that attribute string, undefined if unset.
        return path.replace(/\[(\d+)\]/g, ".$1").split(".").reduce(function (node, key) {
            return node === undefined || node === null ? undefined : node[key];
        }, layout);
    }

    function copy(value) {
        return value === undefined ? null : JSON.parse(JSON.stringify(value));
    }

    function adapt(gd) {
        const meta = (gd.layout || {}).meta;
        const patch = meta && meta.narrow;
        if (!patch || !window.Plotly) { return; }
        if (gd.__narrowFor !== gd.layout) {
            // A new figure from the server: its own values are the wide ones, and it is not adapted yet.
            gd.__narrowFor = gd.layout;
            gd.__narrowOn = false;
            gd.__wide = null;
        }
        const width = gd.getBoundingClientRect().width;
        if (!width) { return; } // hidden: nothing to measure yet
        const narrow = width < (meta.narrowWidth || 576);
        if (narrow === gd.__narrowOn) { return; }
        if (!gd.__wide) {
            gd.__wide = {};
            Object.keys(patch).forEach(function (path) { gd.__wide[path] = copy(read(gd.layout, path)); });
        }
        gd.__narrowOn = narrow;
        window.Plotly.relayout(gd, narrow ? patch : gd.__wide).catch(function () { gd.__narrowOn = !narrow; });
    }

    function hook() {
        document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
            if (typeof gd.on !== "function") { return; }
            if (!gd.__narrowHooked) {
                gd.__narrowHooked = true;
                gd.on("plotly_afterplot", function () { adapt(gd); });
            }
            adapt(gd);
        });
    }

    window.afterRender.add(hook);  // 10-after-render.js
    window.addEventListener("resize", window.afterRender.soon);  // a chart narrowed or widened with the window
})();

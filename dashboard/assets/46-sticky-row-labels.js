// A wide matrix (the pillars x countries heatmap, in a .wide-chart box) scrolls sideways on a narrow screen or at
// 200% zoom; its row labels are part of plotly's drawing, so CSS cannot pin them as it would a table's first
// column. This keeps the y axis's labels (and the title) at the box's left edge while it scrolls, on a white band that hides the
// cells passing under them, so every cell can still be read against its row.
(function () {
    "use strict";

    const SVG = "http://www.w3.org/2000/svg";

    function pin(box) {
        const gd = box.querySelector(".js-plotly-plot");
        const layer = gd && gd.querySelector(".yaxislayer-above");
        const size = gd && gd._fullLayout && gd._fullLayout._size;
        if (!layer || !size) { return; }
        let band = layer.querySelector("rect.sticky-row-band");
        if (!band) {
            band = document.createElementNS(SVG, "rect");
            band.setAttribute("class", "sticky-row-band");
            band.setAttribute("fill", "#fff");
            layer.insertBefore(band, layer.firstChild);
        }
        // The band covers the left margin, where the labels are drawn, from the top of the figure (the names of
        // the columns scrolled past go under it too) to the plot's foot; the title is drawn above it.
        band.setAttribute("x", "0");
        band.setAttribute("y", "0");
        band.setAttribute("width", String(Math.max(0, size.l - 1)));
        band.setAttribute("height", String(size.t + size.h));
        const shift = "translate(" + box.scrollLeft + ",0)";
        layer.setAttribute("transform", shift);
        // The title too: it says what the cells are, and scrolled away it left them unexplained.
        const title = gd.querySelector(".g-gtitle");
        if (title) { title.setAttribute("transform", shift); }
    }

    function hook() {
        document.querySelectorAll(".wide-chart").forEach(function (box) {
            const gd = box.querySelector(".js-plotly-plot");
            if (!box.__stickyRows) {
                box.__stickyRows = true;
                box.addEventListener("scroll", function () { pin(box); }, {passive: true});
            }
            if (gd && typeof gd.on === "function" && gd.__stickyRows !== box) {
                gd.__stickyRows = box;
                gd.on("plotly_afterplot", function () { pin(box); });
            }
            pin(box);
        });
    }

    window.afterRender.add(hook);  // 10-after-render.js
})();

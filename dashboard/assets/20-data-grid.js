/* The data grids' browser side: the row count, the CSV button, the cell renderers (dashboard/components/tables.py)
   and Enter on a link cell.
   A script file, not inline code or eval'd strings, so it runs under the dashboard's content security policy. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    dataGrid: {
        rowCount: function (shown, all) {
            const total = (all || []).length;
            const visible = shown ? shown.length : total;
            const noun = total === 1 ? "row" : "rows";
            const count = (n) => n.toLocaleString("en-US");  // thousands grouped, as the page's other counts are
            return visible === total ? count(total) + " " + noun
                : count(visible) + " of " + count(total) + " " + noun + " (filtered)";
        },
        downloadCsv: function (clicks) {
            return clicks > 0;
        },
    },
});

window.dashAgGridComponentFunctions = Object.assign({}, window.dashAgGridComponentFunctions, {
    // A link to prefix + value, or to the value itself with a fixed label (a download column).
    PageLink: function (props) {
        const params = props.colDef.cellRendererParams || {};
        if (props.value === null || props.value === undefined || props.value === "") { return null; }
        const href = (params.prefix || "") + props.value;
        return React.createElement("a", { href: href }, params.label || String(props.value));
    },
    // A number with thousands separators and no decimals: 125,000.
    Amount: function (props) {
        if (typeof props.value !== "number") { return null; }
        return String(Math.round(props.value)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    },
    // The value in a class chosen by the value itself (errors in red, accepted in green).
    FlagText: function (props) {
        const classes = (props.colDef.cellRendererParams || {}).classes || {};
        if (props.value === null || props.value === undefined) { return null; }
        return React.createElement("span", { className: classes[props.value] || "" }, String(props.value));
    },
});

// The keyboard opens a grid's links (WCAG 2.1.1). The grid keeps the tab stops to itself: Tab and the arrows move
// from cell to cell, never into a link inside one, so Enter on a focused cell that holds a link follows it, as a
// click on the link does (with the plan and the year, assets/30-plan-in-links.js). Listening on the document, before
// the grid, so the grid takes no action of its own on that Enter.
(function () {
    "use strict";
    document.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
        const cell = event.target.closest ? event.target.closest(".ag-cell") : null;
        if (!cell || event.target !== cell) { return; }  // a focused link follows itself
        const links = cell.querySelectorAll("a[href]");
        if (links.length !== 1) { return; }
        event.preventDefault();
        event.stopPropagation();
        links[0].click();
    }, true);
})();

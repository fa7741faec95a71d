/* The data grids' browser side: the row count, the CSV button and two cell renderers (dashboard/components/tables.py).
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

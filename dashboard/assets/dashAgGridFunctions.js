/* Functions the data grids call by name (dash-ag-grid resolves {"function": "name(params)"} in
   window.dashAgGridFunctions). A script file, so it runs under the dashboard's content security policy. */
window.dashAgGridFunctions = Object.assign({}, window.dashAgGridFunctions, {
    // Every grid's "Download CSV" passes each cell through this (csvExportParams.processCellCallback in
    // dashboard/components/tables.py): a ' before every part of a text that a spreadsheet would run as a formula,
    // at its start and after each ; , tab or line break (where a spreadsheet with another list separator splits it). The same
    // rule as neutralise_csv in etl/spreadsheet_text.py; tests/test_formula_safety.py holds the two together.
    neutraliseCsvCell: function (params) {
        const value = params.value;
        if (typeof value !== "string") { return value; }
        return value.replace(/(?:^|(?<=[;,\t\r\n]))(?=[ "]*[=+\-@\t\r])/g, "'");
    },
});

// The traces the dashboard draws (dashboard/components/*): scatter comes with the core; add a trace here when a chart needs one.
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/heatmap'), require('plotly.js/lib/treemap')]);
module.exports = Plotly;

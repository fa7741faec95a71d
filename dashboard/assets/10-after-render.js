// One watch over the page for the scripts that finish what Dash and plotly draw (40-chart-text.js, 45-narrow-charts.js,
// 46-sticky-row-labels.js): each adds a hook, and every hook runs once in the frame after the page changed, however
// many nodes changed, instead of each script keeping a MutationObserver of its own over the whole document.
(function () {
    "use strict";
    const hooks = [];
    let scheduled = false;

    function run() {
        scheduled = false;
        hooks.forEach(function (hook) {
            try {
                hook();
            } catch (error) {
                // Reported as its own uncaught error, as it was from a frame of its own: the other hooks still run.
                window.setTimeout(function () { throw error; }, 0);
            }
        });
    }

    function soon() {
        if (!scheduled) {
            scheduled = true;
            window.requestAnimationFrame(run);
        }
    }

    new MutationObserver(soon).observe(document.documentElement, {childList: true, subtree: true});
    window.afterRender = {
        add: function (hook) { hooks.push(hook); },
        soon: soon,  // for a change no mutation shows (a window resized)
    };
})();

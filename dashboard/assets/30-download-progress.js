// Says in a status region that a slow download is being made, and when it has arrived (dashboard/download_progress.py).
(function () {
    "use strict";
    var COOKIE = "aptmon_download";
    var WAIT_MS = 300000;

    function arrived(token) {
        return document.cookie.split("; ").indexOf(COOKIE + "=" + token) >= 0;
    }

    document.addEventListener("click", function (event) {
        var link = event.target && event.target.closest ? event.target.closest("a[data-progress]") : null;
        if (!link || link.classList.contains("disabled")) { return; }
        var status = document.getElementById(link.getAttribute("data-progress-status"));
        if (!status) { return; }
        var token = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
        var url = new URL(link.getAttribute("href"), window.location.href);
        url.searchParams.set("progress", token);
        link.setAttribute("href", url.pathname + url.search);
        link.setAttribute("aria-busy", "true");
        status.textContent = link.getAttribute("data-progress");
        status.classList.add("download-progress-active");
        var started = Date.now();
        var timer = window.setInterval(function () {
            var done = arrived(token);
            if (!done && Date.now() - started < WAIT_MS) { return; }
            window.clearInterval(timer);
            link.removeAttribute("aria-busy");
            status.classList.remove("download-progress-active");
            status.textContent = done ? "Ready: your browser has the file (see its downloads)." : "";
        }, 250);
    });
})();

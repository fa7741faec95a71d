// The same file chosen or dropped again is checked again. Two things stood in the way: the file input fires no change
// when it is given the file it already holds, and Dash runs a callback only when a property changes (a drop zone's
// contents are the files' bytes, so the same file again changed nothing). The second try gave no new check and left
// the last result on screen. So when files come, the zone's contents are emptied first (before the zone reads them:
// the files read then are always a change, and its checking callback answers the empty contents with no update),
// and once the zone has taken the chosen files, the input lets go of them.
// dashboard/components/drop_zone.py names the zone's Upload in data-upload-id.
(function () {
    "use strict";

    function zoneOf(target) {
        return target && target.closest ? target.closest(".upload-zone[data-upload-id]") : null;
    }

    function filesCome(event) {
        var zone = zoneOf(event.target);
        var clientside = window.dash_clientside;
        var files = event.type === "change" ? event.target.files : event.dataTransfer && event.dataTransfer.files;
        if (!zone || !files || !files.length) {
            return;
        }
        if (clientside && typeof clientside.set_props === "function") {
            clientside.set_props(zone.getAttribute("data-upload-id"), {contents: null});
        }
        if (event.type === "change") {
            var input = event.target;
            // After this event: the zone copies the input's files while it handles the change.
            window.setTimeout(function () { input.value = ""; }, 0);
        }
    }

    document.addEventListener("drop", filesCome, true);
    document.addEventListener("change", filesCome, true);
})();

// The drop zones' browser side (dashboard/components/drop_zone.py gives each zone its limit, its line for a refusal,
// and its Upload's id). When files come to a zone, chosen or dropped:
// - A file over the upload limit never reaches the server: the zone refuses it before reading it (react-dropzone's
//   maxSize), silently. The zone's line says so, naming the file and the limit, and is cleared when the next files fit.
// - The same file chosen or dropped again is checked again. The file input fires no change when it is given the file
//   it already holds, and Dash runs a callback only when a property changes (a zone's contents are the files' bytes,
//   so the same file again changed nothing): the second try gave no new check and left the last result on screen.
//   So the zone's contents are emptied first (before the zone reads the files: what it reads then is always a
//   change, and its checking callback answers the empty contents with no update), and once the zone has taken the
//   chosen files, the input lets go of them.
(function () {
    "use strict";

    function megabytes(bytes) {
        return (bytes / 1048576).toFixed(1).replace(/\.0$/, "") + " MB";
    }

    function explain(zone, files) {
        var note = zone.querySelector(".upload-too-large");
        var limit = Number(zone.getAttribute("data-max-bytes"));
        if (!note || !limit) {
            return;
        }
        var over = Array.prototype.filter.call(files, function (file) { return file.size > limit; });
        note.textContent = over.map(function (file) {
            return file.name + " is " + megabytes(file.size) + ", over the " + megabytes(limit) +
                " limit: it was not uploaded. Split the return by reporting year, or remove attachments and images " +
                "from the workbook, and upload it again.";
        }).join(" ");
        note.classList.toggle("alert", over.length > 0);
        note.classList.toggle("alert-warning", over.length > 0);
    }

    function takeAgain(zone, input) {
        var clientside = window.dash_clientside;
        var upload = zone.getAttribute("data-upload-id");
        if (upload && clientside && typeof clientside.set_props === "function") {
            clientside.set_props(upload, {contents: null});
        }
        if (input) {
            // After this event: the zone copies the input's files while it handles the change.
            window.setTimeout(function () { input.value = ""; }, 0);
        }
    }

    function filesCome(event) {
        var zone = event.target && event.target.closest ? event.target.closest(".upload-zone") : null;
        var chosen = event.type === "change";
        var files = chosen ? event.target.files : event.dataTransfer && event.dataTransfer.files;
        if (!zone || !files) {
            return;
        }
        explain(zone, files);
        if (files.length) {
            takeAgain(zone, chosen ? event.target : null);
        }
    }

    document.addEventListener("drop", filesCome, true);
    document.addEventListener("change", filesCome, true);
})();

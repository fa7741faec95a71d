// A file over the upload limit never reaches the server: the drop zone refuses it before reading it (react-dropzone's
// maxSize), silently. This says so under the zone, naming the file and the limit, and clears the line when the next
// files fit (dashboard/components/drop_zone.py gives the zone its limit and the line).
(function () {
    "use strict";

    function megabytes(bytes) {
        return (bytes / 1048576).toFixed(1).replace(/\.0$/, "") + " MB";
    }

    function explain(zone, files) {
        var note = zone.querySelector(".upload-too-large");
        var limit = Number(zone.getAttribute("data-max-bytes"));
        if (!note || !limit || !files) {
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

    function zoneOf(target) {
        return target && target.closest ? target.closest(".upload-zone[data-max-bytes]") : null;
    }

    document.addEventListener("drop", function (event) {
        var zone = zoneOf(event.target);
        if (zone && event.dataTransfer) {
            explain(zone, event.dataTransfer.files);
        }
    }, true);
    document.addEventListener("change", function (event) {
        var zone = zoneOf(event.target);
        if (zone && event.target.files) {
            explain(zone, event.target.files);
        }
    }, true);
})();

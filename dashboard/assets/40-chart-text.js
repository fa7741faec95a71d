// The text equivalent of every chart (dashboard/components/accessible_chart.py): after plotly draws a chart, its
// caption gets a one-sentence summary and its "Show the numbers" disclosure a table, both read from the trace data
// plotly has just drawn, so they always agree with the chart. The drawing itself is hidden from screen readers, which
// would otherwise read its tick labels one by one.
(function () {
    "use strict";

    const MAX_CATEGORIES = 8; // a heatmap with at most this many different cell words is summed up by counting them
    const WORDED = /[a-z]{3}/i; // a cell that says something in words, not only a number ("3 of 27")

    function plain(value) {
        // A subtitle (a styled line under the title: its scope) reads as a clause of its own; any other line break
        // is a wrap, read through.
        return String(value === null || value === undefined ? "" : value)
            .replace(/<br\s*\/?>\s*(?=<span)/gi, ", ").replace(/<br\s*\/?>/gi, " ")
            .replace(/<[^>]*>/g, "").replace(/\s+/g, " ").trim();
    }

    function list(value) {
        return value === null || value === undefined ? [] : Array.from(value);
    }

    function levels(values) {
        // A multi-category axis holds [groups, names]: the names are what a reader needs.
        const items = list(values);
        if (items.length === 2 && Array.isArray(items[0]) && Array.isArray(items[1])) { return items[1].map(plain); }
        return items.map(plain);
    }

    function axisOf(layout, id) {
        if (!id) { return {}; }
        return layout[id.replace(/^([xy])/, "$1axis")] || {};
    }

    function axisTitle(axis, fallback) {
        // Only a title the figure gave (plotly fills an untitled axis with an editing prompt).
        const title = plain(axis.title && (axis.title.text !== undefined ? axis.title.text : axis.title));
        return title && !/^click to enter/i.test(title) ? title : fallback;
    }

    function panelTitle(gd, xId, yId) {
        // A small multiple's own title: the annotation centred above its plot area.
        const x = (gd._fullLayout[xId.replace(/^x/, "xaxis")] || {}).domain || [0, 1];
        const y = (gd._fullLayout[yId.replace(/^y/, "yaxis")] || {}).domain || [0, 1];
        const above = ((gd.layout || {}).annotations || []).filter(function (a) {
            return (a.xref || "").indexOf("paper") === 0 && a.x >= x[0] && a.x <= x[1] && a.y >= y[1] - 0.02 &&
                a.y <= y[1] + 0.12;
        });
        return above.length ? plain(above[0].text) : "";
    }

    function formatter(axis) {
        const format = (axis && axis.tickformat) || "";
        if (format.indexOf("%") >= 0) {
            const digits = (format.match(/\.(\d)%/) || [0, 0])[1];
            return function (v) { return typeof v === "number" ? (v * 100).toFixed(+digits) + "%" : plain(v); };
        }
        return function (v) {
            return typeof v === "number" ? v.toLocaleString("en", {maximumFractionDigits: 2}) : plain(v);
        };
    }

    function hasNumber(values) { return values.some(function (v) { return typeof v === "number" && isFinite(v); }); }

    function series(gd) {
        // Bars and lines: one series per trace with values, each point its category and the value as shown.
        const found = [];
        // Small multiples: each series is named by its panel, the first panel's as well.
        const panels = new Set(gd._fullData.map(function (t) { return t.xaxis; })).size > 1;
        gd._fullData.forEach(function (full, i) {
            if (full.type !== "bar" && full.type !== "scatter") { return; }
            // The full trace: plotly has decoded the arrays a figure may send packed (numpy's, as base64).
            const horizontal = full.orientation === "h";
            const categories = levels(horizontal ? full.y : full.x);
            const values = list(horizontal ? full.x : full.y);
            if (!hasNumber(values)) { return; } // a legend entry only (x = [null])
            const valueId = horizontal ? full.xaxis : full.yaxis, categoryId = horizontal ? full.yaxis : full.xaxis;
            const valueAxis = axisOf(gd._fullLayout, valueId);
            const categoryAxis = axisOf(gd._fullLayout, categoryId);
            // Small multiples format their first plot's axis only: the others read as it does.
            const format = formatter(valueAxis.tickformat ? valueAxis : axisOf(gd._fullLayout, valueId.charAt(0)));
            const texts = list(full.text).length === values.length ? list(full.text).map(plain) : [];
            found.push({
                name: plain(full.name), lines: (full.mode || "").indexOf("lines") >= 0,
                panel: panels ? panelTitle(gd, full.xaxis, full.yaxis) : "",
                categoryTitle: axisTitle(categoryAxis, "Category"), valueTitle: axisTitle(valueAxis, "Value"),
                points: categories.map(function (category, k) {
                    return {category: category, value: values[k], shown: texts[k] || format(values[k])};
                }).filter(function (p) { return p.value !== null && p.value !== undefined; }),
            });
        });
        return found;
    }

    function heatmapGrid(gd) {
        // Every heatmap trace of the figure on one grid: a cell shows its words, else its value.
        let grid = null;
        gd._fullData.forEach(function (full, i) {
            if (full.type !== "heatmap") { return; }
            const trace = gd.data[i] || {};
            const rows = levels(trace.y), columns = levels(trace.x);
            // A layer the figure named holds one category (the heatmap's one layer per status): its name is the
            // category's whole name, where the cell may break it over lines ("on<br>track").
            const layer = plain(trace.name);
            const z = list(full.z).map(list), text = list(full.text).map(list);
            const format = formatter(full.colorbar || {});
            if (!grid) { grid = {rows: rows, columns: columns, cells: rows.map(function () { return []; }), z: [], kinds: []}; }
            rows.forEach(function (row, r) {
                columns.forEach(function (column, c) {
                    const raw = String((text[r] || [])[c] || "");
                    const words = plain(raw);
                    const value = (z[r] || [])[c];
                    const shown = words || (typeof value === "number" && isFinite(value) ? format(value) : "");
                    if (shown && !grid.cells[r][c]) {
                        grid.cells[r][c] = shown;
                        if (WORDED.test(words)) {
                            grid.kinds.push(layer || plain(raw.split(/<br\s*\/?>/i)[0]));
                        } else if (typeof value === "number" && isFinite(value)) {
                            grid.z.push({row: row, column: column, value: value, shown: shown});
                        }
                    }
                });
            });
        });
        return grid;
    }

    function treemapRows(gd) {
        const full = gd._fullData.find(function (t) { return t.type === "treemap"; });
        if (!full) { return null; }
        const ids = list(full.ids), labels = list(full.labels).map(plain), parents = list(full.parents);
        const texts = list(full.text).map(plain), colours = list((full.marker || {}).colors);
        const nameOf = {};
        ids.forEach(function (id, k) { nameOf[id] = labels[k]; });
        const legend = {};
        gd._fullData.forEach(function (t) {
            if (t.type === "scatter" && t.marker && typeof t.marker.color === "string") { legend[t.marker.color] = plain(t.name); }
        });
        const isParent = new Set(parents);
        return ids.map(function (id, k) {
            return {label: labels[k], parent: nameOf[parents[k]] || "", text: texts[k] || "",
                    kind: isParent.has(id) ? "" : (legend[colours[k]] || "")};
        });
    }

    function counts(words) {
        const tally = new Map();
        words.forEach(function (w) { if (w) { tally.set(w, (tally.get(w) || 0) + 1); } });
        return tally;
    }

    function tallyText(tally) {
        return Array.from(tally.entries()).map(function (e) { return e[1] + " " + e[0]; }).join(", ");
    }

    function counted(n, noun) {
        return n.toLocaleString("en") + " " + noun + (n === 1 ? "" : "s");
    }

    function panelled(lines) {
        // Each series at its last point, and on small multiples every panel, not the first few: "at 2017, Expected
        // by the schedule and Delivered: I Political & Security 100% and 78%; II Economic & Financial 100% and 79%".
        const groups = new Map();
        lines.forEach(function (s) {
            if (!groups.has(s.panel)) { groups.set(s.panel, []); }
            groups.get(s.panel).push(s);
        });
        const lasts = lines.map(function (s) { return s.points[s.points.length - 1]; });
        const oneEnd = lasts.every(function (p) { return p.category === lasts[0].category; });
        const at = oneEnd ? "at " + lasts[0].category + ", " : "";
        function value(s) {
            const last = s.points[s.points.length - 1];
            return last.shown + (oneEnd ? "" : " at " + last.category);
        }
        const panels = Array.from(groups.entries());
        const names = function (group) { return group.map(function (s) { return s.name; }).join(" and "); };
        if (panels.length > 1 && panels.every(function (p) { return names(p[1]) === names(panels[0][1]); })) {
            // The same series in every panel: named once, then each panel's values in that order.
            return at + names(panels[0][1]) + ": " + panels.map(function (p) {
                return p[0] + " " + p[1].map(value).join(" and ");
            }).join("; ");
        }
        return at + panels.map(function (p) {
            return (p[0] ? p[0] + ": " : "") + p[1].map(function (s) { return s.name + " " + value(s); }).join(", ");
        }).join("; ");
    }

    function sharesACategory(one, all) {
        const mine = new Set(one.points.map(function (p) { return p.category; }));
        return all.some(function (other) {
            return other !== one && other.points.some(function (p) { return mine.has(p.category); });
        });
    }

    function summarise(gd, title) {
        const note = ((gd.layout || {}).annotations || []).map(function (a) { return plain(a.text); }).join(" ");
        const lines = series(gd), grid = heatmapGrid(gd), tiles = treemapRows(gd);
        let sentence = "";
        if (tiles) {
            const leaves = tiles.filter(function (t) { return t.kind; });
            sentence = leaves.length ? leaves.length + " tiles: " + tallyText(counts(leaves.map(function (t) { return t.kind; }))) : "";
        } else if (grid) {
            // Every category with its count: all the cells' words are counted, none left out for being short.
            const kinds = counts(grid.kinds);
            const tally = kinds.size && kinds.size <= MAX_CATEGORIES ? tallyText(kinds) : "";
            const size = counted(grid.rows.length, "row") + " by " + counted(grid.columns.length, "column");
            if (grid.z.length) {
                const sorted = grid.z.slice().sort(function (a, b) { return b.value - a.value; });
                const top = sorted[0], bottom = sorted[sorted.length - 1];
                sentence = size + "; highest " + top.row + ", " + top.column + " at " + top.shown + "; lowest " +
                    bottom.row + ", " + bottom.column + " at " + bottom.shown + (tally ? "; " + tally : "");
            } else {
                sentence = size + (tally ? ": " + tally : "");
            }
        } else if (lines.length) {
            if (lines.every(function (s) { return s.lines; })) {
                sentence = panelled(lines);
            } else {
                // The first series, with the series that only continue it (bars split into one trace per status).
                const parts = lines.filter(function (s) {
                    return s === lines[0] || (s.valueTitle === lines[0].valueTitle && !sharesACategory(s, lines));
                });
                const points = [].concat.apply([], parts.map(function (s) { return s.points; }));
                const sorted = points.slice().sort(function (a, b) { return b.value - a.value; });
                const top = sorted[0], bottom = sorted[sorted.length - 1];
                // Bars split by status: how many bars each status has, every status named.
                const split = parts.length < 2 ? "" : ": " + parts.map(function (s) {
                    return s.points.length + " " + s.name;
                }).join(", ");
                sentence = "highest " + top.category + " at " + top.shown + ", lowest " + bottom.category + " at " +
                    bottom.shown + " (" + counted(points.length, "bar") + split + ")";
            }
        }
        return (title ? title + ": " : "") + (sentence || note || "no data to show") + ".";
    }

    function cell(tag, text) {
        const element = document.createElement(tag);
        element.textContent = text;
        if (tag === "th") { element.scope = "col"; }
        return element;
    }

    function table(caption, header, rows) {
        const t = document.createElement("table");
        t.className = "table table-sm table-striped small mb-2";
        t.appendChild(cell("caption", caption));
        const head = t.createTHead().insertRow();
        header.forEach(function (h) { head.appendChild(cell("th", h)); });
        const body = t.createTBody();
        rows.forEach(function (row) {
            const tr = body.insertRow();
            row.forEach(function (value, k) {
                const c = cell(k === 0 ? "th" : "td", value);
                if (k === 0) { c.scope = "row"; }
                tr.appendChild(c);
            });
        });
        return t;
    }

    function numbers(gd, title) {
        const tiles = treemapRows(gd);
        if (tiles) {
            return table(title, ["Tile", "Within", "Shown", "Colour"], tiles.map(function (t) {
                return [t.label, t.parent, t.text, t.kind];
            }));
        }
        const grid = heatmapGrid(gd);
        if (grid) {
            return table(title, ["", ...grid.columns], grid.rows.map(function (row, r) {
                return [row].concat(grid.columns.map(function (_, c) { return grid.cells[r][c] || ""; }));
            }));
        }
        const lines = series(gd);
        if (!lines.length) { return null; }
        const categories = lines[0].points.map(function (p) { return p.category; });
        const names = lines.map(function (s) { return s.name; });
        const wide = new Set(names).size === names.length && lines.every(function (s) {
            return s.points.length === categories.length && s.points.every(function (p, k) { return p.category === categories[k]; });
        });
        if (wide) {
            return table(title, [lines[0].categoryTitle, ...names], categories.map(function (category, k) {
                return [category].concat(lines.map(function (s) { return s.points[k].shown; }));
            }));
        }
        const rows = [];
        lines.forEach(function (s) {
            s.points.forEach(function (p) { rows.push([(s.panel ? s.panel + ": " : "") + s.name, p.category, p.shown]); });
        });
        return table(title, ["Series", lines[0].categoryTitle, lines[0].valueTitle], rows);
    }

    function render(figure, gd) {
        if (!gd._fullData) { return; }
        gd.querySelectorAll("svg.main-svg").forEach(function (svg) { svg.setAttribute("aria-hidden", "true"); });
        const title = plain(((gd.layout || {}).title || {}).text);
        const summary = figure.querySelector(".chart-summary");
        const holder = figure.querySelector(".chart-table");
        const sentence = summarise(gd, title);
        if (summary && summary.textContent !== sentence) { summary.textContent = sentence; }
        if (holder) {
            const made = numbers(gd, title || figure.getAttribute("aria-label") || "");
            holder.replaceChildren(...(made ? [made] : [document.createTextNode("No numbers to show.")]));
        }
    }

    function hook() {
        document.querySelectorAll("figure.chart-figure").forEach(function (figure) {
            const gd = figure.querySelector(".js-plotly-plot");
            if (!gd || typeof gd.on !== "function") { return; }
            if (gd.__chartText !== figure) {
                gd.__chartText = figure;
                gd.on("plotly_afterplot", function () { render(figure, gd); });
            }
            if (gd.__chartTextDrawn !== gd._fullData) {
                gd.__chartTextDrawn = gd._fullData;
                render(figure, gd);
            }
        });
    }

    window.afterRender.add(hook);  // 10-after-render.js
})();

/// The fixed parts of the HTML report (style, script) and its SVG pictures. Nothing is fetched:
/// the page works from a file:// URL or an artifact store with no network.
enum HTMLAssets {
    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:16px 24px;color:#1b1b1b;background:#fff}
        h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
        h3{font-size:15px;margin:18px 0 6px}
        table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
        th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
        .verdict{font-size:17px;padding:10px 14px;border-radius:6px;margin:8px 0}.pass{background:#e3f4ea;border:1px solid #7bc59a}
        .fail{background:#fde8e4;border:1px solid #e48f7d}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;word-break:break-all}
        .dist{display:flex;align-items:center;gap:14px;margin:4px 0}.dist .label{width:180px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
        .worst{display:flex;flex-wrap:wrap;gap:12px}.worst figure{margin:0;width:220px}.worst img{width:220px;image-rendering:pixelated;border:1px solid #ccc;background:#5a5a5a}
        .worst figcaption{font-size:12px;word-break:break-all}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:-1px;border:1px solid #999}
        .heat td{text-align:right;min-width:42px;font-variant-numeric:tabular-nums}.note{color:#555}
        #pager button{margin:0 4px}#images th{cursor:pointer;user-select:none}pre{white-space:pre-wrap;background:#f6f6f6;padding:8px;border-radius:4px}
        """

    /// The per-image table: pages of 50 rows, sorted by a header click, filtered by key.
    static let script = """
        (function () {
          "use strict";
          var source = document.getElementById("image-data");
          var table = document.getElementById("images");
          if (!source || !table) { return; }
          var data = JSON.parse(source.textContent);
          var rows = data.rows, view = rows.slice(), page = 0, size = 50, sortColumn = -1, ascending = true;
          var body = table.tBodies[0], status = document.getElementById("pager-status");
          function cell(value, column) {
            var td = document.createElement("td");
            if (column === 0) { td.className = "mono"; td.textContent = value; }
            else { td.className = "n"; td.textContent = value === null ? "NaN" : value.toFixed(4); }
            return td;
          }
          function render() {
            var pages = Math.max(1, Math.ceil(view.length / size));
            page = Math.min(Math.max(page, 0), pages - 1);
            var fragment = document.createDocumentFragment();
            for (var i = page * size; i < Math.min(view.length, (page + 1) * size); i++) {
              var tr = document.createElement("tr");
              for (var c = 0; c < view[i].length; c++) { tr.appendChild(cell(view[i][c], c)); }
              fragment.appendChild(tr);
            }
            while (body.firstChild) { body.removeChild(body.firstChild); }
            body.appendChild(fragment);
            status.textContent = "page " + (page + 1) + " of " + pages + " (" + view.length + " of " + rows.length + " images)";
          }
          function compare(a, b) {
            var x = a[sortColumn], y = b[sortColumn];
            if (x === y) { return 0; }
            if (x === null) { return 1; }
            if (y === null) { return -1; }
            return (x < y ? -1 : 1) * (ascending ? 1 : -1);
          }
          var headers = table.tHead.rows[0].cells;
          for (var h = 0; h < headers.length; h++) {
            headers[h].addEventListener("click", (function (column) {
              return function () {
                ascending = sortColumn === column ? !ascending : true;
                sortColumn = column;
                view.sort(compare);
                page = 0;
                render();
              };
            })(h));
          }
          document.getElementById("filter").addEventListener("input", function (event) {
            var text = event.target.value.toLowerCase();
            view = rows.filter(function (row) { return row[0].toLowerCase().indexOf(text) >= 0; });
            if (sortColumn >= 0) { view.sort(compare); }
            page = 0;
            render();
          });
          document.getElementById("previous").addEventListener("click", function () { page -= 1; render(); });
          document.getElementById("next").addEventListener("click", function () { page += 1; render(); });
          render();
        })();
        """

    /// A box plot (whiskers p5–p95, box p25–p75, median line, min and max as dots) over a
    /// 20-bin histogram of the values, on a 0–1 axis (or min–max when values leave it).
    static func distribution(values: [Double], row: EvaluationReportValue.ClassRow) -> String {
        let width = 360.0
        let height = 64.0
        let lower = min(0, row.min.isFinite ? row.min : 0)
        let upper = max(1, row.max.isFinite ? row.max : 1)
        let span = upper - lower
        func x(_ v: Double) -> String { HTMLText.number(6 + (v - lower) / span * (width - 12)) }
        var bins = [Int](repeating: 0, count: 20)
        for v in values where v.isFinite {
            bins[Swift.min(19, Swift.max(0, Int((v - lower) / span * 20)))] += 1
        }
        let tallest = Double(bins.max() ?? 0)
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"distribution\">"
            + "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#fafafa\" stroke=\"#ddd\"/>"
        if tallest > 0 {
            let binWidth = (width - 12) / 20
            for (i, count) in bins.enumerated() where count > 0 {
                let h = Double(count) / tallest * 30
                svg +=
                    "<rect x=\"\(HTMLText.number(6 + Double(i) * binWidth))\" y=\"\(HTMLText.number(34 - h))\" width=\"\(HTMLText.number(binWidth - 1))\" height=\"\(HTMLText.number(h))\" fill=\"#b9cde5\"><title>\(count)</title></rect>"
            }
        }
        if let p = row.percentiles, row.n > 0, [p.p5, p.p25, row.median, p.p75, p.p95].allSatisfy(\.isFinite) {
            svg += "<line x1=\"\(x(p.p5))\" x2=\"\(x(p.p95))\" y1=\"48\" y2=\"48\" stroke=\"#333\"/>"
            svg +=
                "<rect x=\"\(x(p.p25))\" y=\"40\" width=\"\(HTMLText.number(max(1, (p.p75 - p.p25) / span * (width - 12))))\" height=\"16\" fill=\"#4c78a8\" fill-opacity=\"0.35\" stroke=\"#1f4e79\"/>"
            svg +=
                "<line x1=\"\(x(row.median))\" x2=\"\(x(row.median))\" y1=\"40\" y2=\"56\" stroke=\"#1f4e79\" stroke-width=\"2\"/>"
            for v in [row.min, row.max] where v.isFinite {
                svg += "<circle cx=\"\(x(v))\" cy=\"48\" r=\"2.5\" fill=\"#d55e00\"/>"
            }
        }
        for tick in [lower, (lower + upper) / 2, upper] {
            svg +=
                "<text x=\"\(x(tick))\" y=\"63\" font-size=\"8\" text-anchor=\"middle\" fill=\"#666\">\(NumberText.significant(tick))</text>"
        }
        return svg + "</svg>"
    }

    /// A heat-map cell colour for a fraction of its row (white to dark blue).
    static func heat(_ fraction: Double) -> String {
        let f = fraction.isFinite ? Swift.min(1, Swift.max(0, fraction)) : 0
        let r = Int(255 - f * (255 - 8))
        let g = Int(255 - f * (255 - 48))
        let b = Int(255 - f * (255 - 107))
        return "rgb(\(r),\(g),\(b))" + (f > 0.55 ? ";color:#fff" : "")
    }
}

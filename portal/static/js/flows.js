// The overview's Sankey (progressive enhancement: /flows has the same edges as a table).
// Reads /api/v1/flows, draws one unit at a time (a currency or an item, chosen in a select),
// and opens the transactions behind an edge when it is clicked. Names come from the chain:
// they are drawn on the canvas or escaped before any HTML tooltip.
(function () {
  "use strict";
  var box = document.getElementById("flows-chart");
  if (!box || !window.echarts || !window.fetch) return;

  function escape(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function unitOf(edge) {
    return edge.currency ? "currency:" + edge.currency : "item:" + edge.item_id;
  }

  // A made name (a pool's) is a sentence: the page gives its template in the visitor's
  // language (data-sentence-<kind>) and the words of codes (data-code-<enum>-<code>).
  function sentence(label) {
    var template = box.getAttribute("data-sentence-" + label.kind);
    if (!template) return null;
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      var value = label.values[key];
      if (value === undefined || value === null) return "";
      if (typeof value === "object" && "code" in value) {
        return box.getAttribute("data-code-" + value.enum + "-" + value.code) || value.code;
      }
      if (typeof value === "object" && "minor" in value) return money(value.minor, value.currency);
      if (typeof value === "number") return value.toLocaleString(document.documentElement.lang);
      return String(value);
    });
  }

  function nodeLabel(node) {
    return box.getAttribute("data-label-" + node.kind) ||
      (node.label && sentence(node.label)) || node.name;
  }

  function money(minor, currency) {
    var lang = document.documentElement.lang;
    var format = new Intl.NumberFormat(lang, { style: "currency", currency: currency });
    return format.format(minor / Math.pow(10, format.resolvedOptions().maximumFractionDigits));
  }

  function draw(chart, data, unit) {
    var edges = data.edges.filter(function (e) { return unitOf(e) === unit; });
    var used = {};
    edges.forEach(function (e) { used[e.source] = true; used[e.target] = true; });
    var names = {};
    data.nodes.forEach(function (n) { names[n.node_id] = nodeLabel(n); });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          if (p.dataType === "edge") {
            return escape(names[p.data.source]) + " → " + escape(names[p.data.target]) +
              ": " + escape(p.data.shown);
          }
          return escape(names[p.name] || p.name);
        },
      },
      series: [{
        type: "sankey",
        emphasis: { focus: "adjacency" },
        nodeAlign: "left",
        data: Object.keys(used).map(function (id) { return { name: id }; }),
        links: edges.map(function (e) {
          var shown = e.currency
            ? money(e.value, e.currency)
            : e.value.toLocaleString(document.documentElement.lang) + " " + (e.item || "");
          return { source: e.source, target: e.target, value: e.value, edge_id: e.edge_id, shown: shown };
        }),
        label: { formatter: function (p) { return names[p.name] || p.name; } },
        // "source", not "gradient": a gradient edge under the hover emphasis can throw inside
        // ECharts (apache/echarts#16753) as the pointer moves.
        lineStyle: { color: "source", opacity: 0.35, curveness: 0.5 },
      }],
    }, true);
  }

  fetch(box.dataset.flowsUrl, { headers: { accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (body) {
      var data = body.data;
      if (!data.edges.length) return;
      var units = [];
      data.edges.forEach(function (e) {
        var u = unitOf(e);
        if (units.indexOf(u) < 0) units.push(u);
      });
      var count = function (u) { return data.edges.filter(function (e) { return unitOf(e) === u; }).length; };
      units.sort(function (a, b) { return count(b) - count(a); });  // the richest picture first
      var label = document.createElement("label");
      label.htmlFor = "flows-unit";
      label.textContent = box.dataset.labelShow;
      var select = document.createElement("select");
      select.id = "flows-unit";
      units.forEach(function (u) {
        var edge = data.edges.filter(function (e) { return unitOf(e) === u; })[0];
        var option = document.createElement("option");
        option.value = u;
        option.textContent = edge.currency || (edge.item + " (" + box.dataset.labelUnits + ")");
        select.appendChild(option);
      });
      box.parentNode.insertBefore(label, box);
      box.parentNode.insertBefore(select, box);
      box.hidden = false;
      var chart = window.echarts.init(box);
      chart.on("click", function (p) {
        if (p.dataType === "edge") {
          var href = "/flows/events?edge=" + encodeURIComponent(p.data.edge_id);
          // Leave once ECharts has finished with this click, with the chart disposed, so no
          // hover work of the old page runs while the next one loads.
          window.setTimeout(function () { chart.dispose(); window.location.href = href; }, 0);
        }
      });
      select.addEventListener("change", function () { draw(chart, data, select.value); });
      window.addEventListener("resize", function () { chart.resize(); });
      draw(chart, data, units[0]);
      box.dataset.ready = "true";
    })
    .catch(function () {
      // No chart (the API did not answer, or the visitor left first): the table link stays.
    });
})();

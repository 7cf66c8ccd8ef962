// policy-kg network page: draws the embedded graph with vis-network, builds tooltips as text
// (never innerHTML: names and evidence come from report text), and handles focus and search.
// Expects KG_CONFIG, KG_NODES, KG_EDGES and KG_OPTIONS defined by the page before this script.
"use strict";

// pyvis's globals, kept so tests and the console can reach the vis objects.
var nodes;
var edges;
var network;
var container;
var data;
var options;

(function () {
  var cfg = KG_CONFIG;

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function row(parent, label, value) {
    if (value === undefined || value === null || value === "") return;
    var r = el("div", "kg-tip-row");
    r.appendChild(el("span", "kg-tip-label", label));
    r.appendChild(el("span", "kg-tip-value", value));
    parent.appendChild(r);
  }

  function typeLabel(t) {
    return cfg.typeLabels[t] || t;
  }

  function predicateLabel(p) {
    return cfg.predicateLabels[p] || p;
  }

  function reportNames(n) {
    return (n.docs || []).map(function (d) {
      return (cfg.reports && cfg.reports[d]) || d;
    });
  }

  // What the extractor's score reads as; a person's confirmation counts as 1.0 (graph/confidence.py).
  function confidenceText(x) {
    var c = x.confidence === undefined || x.confidence === null ? 1 : x.confidence;
    var text = c.toFixed(2);
    return x.confirmed ? text + " (人工确认 confirmed: 1.00)" : text;
  }

  function nodeInfo(n) {
    var box = el("div", "kg-tip");
    box.appendChild(el("div", "kg-tip-title", n.name));
    row(box, "类型 Type", typeLabel(n.kgType));
    row(box, "别名 Aliases", (n.aliases || []).join("、"));
    row(box, "置信度 Confidence", confidenceText(n));
    var names = reportNames(n);
    if (names.length) {
      var r = el("div", "kg-tip-row");
      r.appendChild(el("span", "kg-tip-label", "报告 Reports (" + names.length + ")"));
      var list = el("ul", "kg-reports");
      names.forEach(function (name) {
        list.appendChild(el("li", null, name));
      });
      r.appendChild(list);
      box.appendChild(r);
    }
    if (n.confirmed) row(box, "已确认 Confirmed", "✓ 人工确认 by a person");
    return box;
  }

  function periodText(e) {
    if (!e.periodText && !e.periodStart && !e.periodEnd) return "";
    var range = [e.periodStart || "", e.periodEnd || ""].join(" – ");
    var text = e.periodText ? e.periodText + " (" + range + ")" : range;
    return e.inherited ? text + " · 沿用报告期 the report's own period" : text;
  }

  function amountText(e) {
    if (!e.amount) return "";
    var notes = [];
    if (e.masked) notes.push("金额打码 masked");
    if (e.approx) notes.push("约 approx.");
    if (e.shared) notes.push("多方共享，只计一次 shared by several recipients, counted once");
    return notes.length ? e.amount + " (" + notes.join(", ") + ")" : e.amount;
  }

  function edgeInfo(e) {
    var box = el("div", "kg-tip");
    box.appendChild(el("div", "kg-tip-title", predicateLabel(e.predicate)));
    row(box, "主体 From", e.fromName);
    row(box, "客体 To", e.toName);
    row(box, "金额 Amount", amountText(e));
    row(box, "时间 Period", periodText(e));
    row(box, "动作 Action", e.action);
    row(box, "机构 Agency", e.agency);
    row(box, "证据 Evidence", e.evidence);
    row(box, "来源 Source", e.report);
    row(box, "置信度 Confidence", confidenceText(e));
    if (e.confirmed) row(box, "已确认 Confirmed", "✓ 人工确认 by a person");
    return box;
  }

  // vis-network shows an Element title as is; build one per item so no report text is parsed as HTML.
  KG_NODES.forEach(function (n) {
    n.title = nodeInfo(n);
  });
  KG_EDGES.forEach(function (e) {
    e.title = edgeInfo(e);
  });

  // The whole-graph page opens on what is connected: nodes without a fact on the page wait for the
  // "show isolated" switch, out of the layout too.
  var overview = !cfg.center;
  var isolatedBox = document.getElementById("kg-isolated");
  var showIsolated = function () {
    return !!(isolatedBox && isolatedBox.checked);
  };
  if (overview) {
    KG_NODES.forEach(function (n) {
      if (n.isolated) {
        n.hidden = true;
        n.physics = false;
      }
    });
  }

  // ---- confidence filter: hide nodes and edges below the slider (the centre always stays) ----------
  var confBox = document.getElementById("kg-confidence");
  var confOut = document.getElementById("kg-confidence-value");
  function minConfidence() {
    var v = confBox ? parseFloat(confBox.value) : cfg.minConfidence || 0;
    return v > 0 && v <= 1 ? v : 0;
  }
  function sure(x) {
    if (x.confirmed) return true;
    var c = x.confidence === undefined || x.confidence === null ? 1 : x.confidence;
    return c >= minConfidence() - 1e-9; // the slider's 0.45 is not always exactly 0.45
  }

  container = document.getElementById("mynetwork");
  nodes = new vis.DataSet(KG_NODES);
  edges = new vis.DataSet(KG_EDGES);
  data = { nodes: nodes, edges: edges };
  options = KG_OPTIONS;
  network = new vis.Network(container, data, options);

  var status = document.getElementById("kg-status");
  function setStatus(text) {
    if (status) status.textContent = text;
  }

  // ---- counts in the side panel follow what is shown ----------------------------------------
  var counts = document.getElementById("kg-counts");
  function updateCounts() {
    var shownNodes = nodes.get({ filter: function (n) { return !n.hidden; } }).length;
    var shownEdges = edges.get({ filter: function (e) { return !e.hidden; } }).length;
    var groups = Object.keys(clusters).length;
    if (counts) {
      counts.textContent = shownNodes + " 节点 nodes · " + shownEdges + " 关系 edges" +
        (groups ? " · " + groups + " 组 groups (点击展开 click to expand)" : "");
    }
    document.body.setAttribute("data-visible-nodes", String(shownNodes));
    document.body.setAttribute("data-visible-edges", String(shownEdges));
  }

  // ---- labels: the best connected nodes stay readable at any zoom ---------------------------
  var labelled = [];
  function pickLabelled() {
    var shown = KG_NODES.filter(function (n) {
      var cur = nodes.get(n.id);
      return cur && !cur.hidden;
    });
    shown.sort(function (a, b) { return (b.degree || 0) - (a.degree || 0) || (a.name < b.name ? -1 : 1); });
    labelled = shown.slice(0, cfg.labelTop || 0).map(function (n) { return n.id; });
  }
  var baseFont = (options.nodes && options.nodes.font && options.nodes.font.size) || 14;
  function sizeLabels() {
    if (!overview || !labelled.length) return;
    var scale = network.getScale() || 1;
    var size = Math.min(Math.max(baseFont, Math.round(baseFont / scale)), 200);
    nodes.update(labelled.map(function (id) { return { id: id, font: { size: size } }; }));
  }
  network.on("zoom", sizeLabels);

  // ---- large graphs open aggregated: one group per type, a click opens it -------------------
  var clusters = {};
  function aggregate() {
    var shown = nodes.get({ filter: function (n) { return !n.hidden; } });
    if (!overview || shown.length <= (cfg.aggregateOver || Infinity)) return;
    var perType = {};
    shown.forEach(function (n) { perType[n.kgType] = (perType[n.kgType] || 0) + 1; });
    Object.keys(perType).forEach(function (t) {
      var id = "kg-group:" + t;
      var sample = shown.filter(function (n) { return n.kgType === t; })[0];
      network.cluster({
        joinCondition: function (o) { return o.kgType === t && !o.hidden; },
        clusterNodeProperties: {
          id: id,
          label: typeLabel(t) + " (" + perType[t] + ")",
          shape: sample.shape,
          color: sample.color,
          size: 22 + Math.min(40, Math.sqrt(perType[t]) * 3),
          font: { size: 16 },
          kgGroup: t,
        },
      });
      clusters[id] = perType[t];
    });
  }

  function settle(then) {
    document.body.setAttribute("data-stable", "0");
    setStatus("布局中… laying out");
    network.once("stabilizationIterationsDone", function () {
      // stop the simulation for good: a settled graph must not keep the CPU busy
      network.setOptions({ physics: false });
      if (then) then();
      document.body.setAttribute("data-stable", "1");
      setStatus("");
    });
  }

  if (overview) {
    pickLabelled();
    aggregate();
  }
  var anyShown = KG_NODES.some(function (n) { return !n.hidden; });
  if (anyShown && options.physics && options.physics.enabled !== false) {
    settle(function () {
      network.fit({ animation: false });
      sizeLabels();
    });
  } else {
    document.body.setAttribute("data-stable", "1");
  }

  // Lay out again what a search or filter left shown (hidden nodes out of the simulation), then fit it.
  function relayout(shownIds) {
    if (!shownIds.length) {  // nothing to lay out: the simulation would never report back
      updateCounts();
      document.body.setAttribute("data-stable", "1");
      return;
    }
    var shown = {};
    shownIds.forEach(function (k) { shown[k] = true; });
    nodes.update(KG_NODES.map(function (n) { return { id: n.id, physics: !!shown[n.id] }; }));
    settle(function () {
      // nodes still inside a group are not on the canvas to fit to: then fit everything drawn
      if (Object.keys(clusters).length) network.fit({ animation: false });
      else network.fit({ nodes: shownIds, animation: false });
      pickLabelled();
      sizeLabels();
      updateCounts();
    });
    network.setOptions({ physics: { enabled: true } });
    network.stabilize(120);
  }

  // What stays shown once nodes and edges are filtered: around a centre, what the shown edges still
  // reach within the depth; on the whole graph, what a shown edge touches (the rest when asked for).
  function visibleNodes(center, depth, nodeOk, edgeOk) {
    var visible = {};
    var adjacency = {};
    KG_EDGES.forEach(function (e) {
      if (!edgeOk[e.id]) return;
      (adjacency[e.from] = adjacency[e.from] || []).push(e.to);
      (adjacency[e.to] = adjacency[e.to] || []).push(e.from);
    });
    if (center && nodes.get(center)) {
      var dist = {};
      dist[center] = 0;
      var queue = [center];
      while (queue.length) {
        var k = queue.shift();
        visible[k] = true;
        if (dist[k] >= depth) continue;
        (adjacency[k] || []).forEach(function (o) {
          if (dist[o] === undefined) {
            dist[o] = dist[k] + 1;
            queue.push(o);
          }
        });
      }
    } else {
      KG_EDGES.forEach(function (e) {
        if (edgeOk[e.id]) {
          visible[e.from] = true;
          visible[e.to] = true;
        }
      });
      if (showIsolated()) {
        KG_NODES.forEach(function (n) {
          if (nodeOk[n.id]) visible[n.id] = true;
        });
      }
    }
    return visible;
  }

  // The served page was focused by the server: here only the slider (and the isolated switch) hide.
  function applySureness() {
    var nodeOk = {};
    KG_NODES.forEach(function (n) { nodeOk[n.id] = n.id === cfg.center || sure(n); });
    var edgeOk = {};
    KG_EDGES.forEach(function (e) { edgeOk[e.id] = nodeOk[e.from] && nodeOk[e.to] && sure(e); });
    var visible = visibleNodes(cfg.center, cfg.depth, nodeOk, edgeOk);
    nodes.update(KG_NODES.map(function (n) { return { id: n.id, hidden: !visible[n.id] }; }));
    edges.update(KG_EDGES.map(function (e) {
      return { id: e.id, hidden: !(edgeOk[e.id] && visible[e.from] && visible[e.to]) };
    }));
    updateCounts();
  }

  if (isolatedBox) {
    isolatedBox.addEventListener("change", function () {
      if (cfg.mode === "served" || !form) {
        nodes.update(KG_NODES.filter(function (n) { return n.isolated; }).map(function (n) {
          return { id: n.id, physics: showIsolated() };
        }));
        applySureness();
        network.fit({ animation: false });
      } else {
        applyFocus(undefined, true);
      }
    });
  }

  // ---- details panel (click) -------------------------------------------------------------
  var details = document.getElementById("kg-details");
  function showDetails(box, extra) {
    if (!details) return;
    while (details.firstChild) details.removeChild(details.firstChild);
    details.appendChild(box);
    if (extra) details.appendChild(extra);
  }

  // ---- corrections (served, when the API takes writes): POST /api/corrections, then reload ----------
  function button(text, id, onClick) {
    var b = el("button", "kg-button", text);
    b.type = "button";
    b.id = id;
    b.addEventListener("click", onClick);
    return b;
  }

  function postCorrection(body, done) {
    var msg = document.getElementById("kg-fix-message");
    if (msg) msg.textContent = "提交中… saving";
    fetch(cfg.apiBase + "/api/corrections", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    })
      .then(function (r) {
        return r.json().then(function (j) {
          if (!r.ok) throw new Error(j.detail || "HTTP " + r.status);
          return j;
        });
      })
      .then(function (entry) {
        if (msg) msg.textContent = "#" + entry.seq + " " + entry.label + ": " + entry.summary;
        done(entry);
      })
      .catch(function (err) {
        if (msg) msg.textContent = "未完成 not done: " + err.message;
      });
  }

  function reloadAt(key) {
    var url = cfg.vizPath + (key ? "?center=" + encodeURIComponent(key) + "&depth=" + currentDepth() : "");
    window.location.assign(url);
  }

  function findEntity(text, type, then) {
    var msg = document.getElementById("kg-fix-message");
    fetch(cfg.apiBase + "/api/entities?q=" + encodeURIComponent(text) + "&type=" + encodeURIComponent(type) + "&limit=20")
      .then(function (r) {
        return r.json();
      })
      .then(function (page) {
        var items = page.items || [];
        var exact = items.filter(function (h) {
          return h.key === text || h.name === text || (h.aliases || []).indexOf(text) >= 0;
        });
        var hit = exact[0] || (items.length === 1 ? items[0] : null);
        if (hit) then(hit);
        else if (msg) msg.textContent = "未找到同类型实体 no " + typeLabel(type) + " named " + text;
      });
  }

  function nodeFixes(n) {
    var box = el("div", "kg-fix");
    box.id = "kg-fix";
    box.appendChild(el("h3", null, "修正 Fix"));
    var target = el("input", "kg-fix-input");
    target.id = "kg-merge-target";
    target.placeholder = "与…相同 same as (name)";
    box.appendChild(target);
    box.appendChild(
      button("合并 Merge", "kg-fix-merge", function () {
        var text = target.value.trim();
        if (!text) return;
        findEntity(text, n.kgType, function (hit) {
          postCorrection({ op: "merge", key: n.id, into: hit.key }, function () {
            reloadAt(cfg.center === n.id || !cfg.center ? hit.key : cfg.center);
          });
        });
      })
    );
    var types = el("select", "kg-fix-input");
    types.id = "kg-retype-type";
    Object.keys(cfg.typeLabels).forEach(function (t) {
      if (t === n.kgType) return;
      var o = el("option", null, cfg.typeLabels[t]);
      o.value = t;
      types.appendChild(o);
    });
    box.appendChild(types);
    box.appendChild(
      button("改类型 Retype", "kg-fix-retype", function () {
        var newKey = types.value + n.id.slice(n.id.indexOf(":"));
        postCorrection({ op: "retype", key: n.id, type: types.value }, function () {
          reloadAt(cfg.center === n.id || !cfg.center ? newKey : cfg.center);
        });
      })
    );
    box.appendChild(
      button("不是实体 Reject", "kg-fix-reject", function () {
        postCorrection({ op: "reject", key: n.id }, function () {
          reloadAt(cfg.center === n.id ? null : cfg.center);
        });
      })
    );
    box.appendChild(
      button("确认 Confirm", "kg-fix-confirm", function () {
        postCorrection({ op: "confirm", key: n.id }, function () {
          reloadAt(cfg.center || n.id);
        });
      })
    );
    var msg = el("p", "kg-fix-message");
    msg.id = "kg-fix-message";
    msg.setAttribute("role", "status");
    box.appendChild(msg);
    return box;
  }

  function edgeFixes(e) {
    var box = el("div", "kg-fix");
    box.id = "kg-fix";
    box.appendChild(el("h3", null, "修正 Fix"));
    box.appendChild(
      button("不是这条关系 Reject", "kg-fix-reject", function () {
        postCorrection({ op: "reject", fact: e.id }, function () {
          reloadAt(cfg.center);
        });
      })
    );
    box.appendChild(
      button("确认 Confirm", "kg-fix-confirm", function () {
        postCorrection({ op: "confirm", fact: e.id }, function () {
          reloadAt(cfg.center);
        });
      })
    );
    var msg = el("p", "kg-fix-message");
    msg.id = "kg-fix-message";
    msg.setAttribute("role", "status");
    box.appendChild(msg);
    return box;
  }

  network.on("click", function (params) {
    if (params.nodes.length && network.isCluster(params.nodes[0])) {
      var group = params.nodes[0];
      network.openCluster(group);
      delete clusters[group];
      updateCounts();
      relayout(nodes.getIds({ filter: function (n) { return !n.hidden; } }));
      return;
    }
    if (params.nodes.length) {
      var n = nodes.get(params.nodes[0]);
      var action;
      if (cfg.mode === "served") {
        action = el("a", "kg-button", "以此为中心 Centre here");
        action.href = cfg.vizPath + "?center=" + encodeURIComponent(n.id) + "&depth=" + currentDepth();
      } else {
        action = el("button", "kg-button", "以此为中心 Centre here");
        action.type = "button";
        action.addEventListener("click", function () {
          applyFocus(n.id);
        });
      }
      showDetails(nodeInfo(n), action);
      if (cfg.writes && details) details.appendChild(nodeFixes(n));
    } else if (params.edges.length) {
      var e = edges.get(params.edges[0]);
      showDetails(edgeInfo(e));
      if (cfg.writes && details) details.appendChild(edgeFixes(e));
    }
  });

  // ---- focus: centre, depth, type, predicate, period --------------------------------------
  var form = document.getElementById("kg-focus");
  var searchBox = document.getElementById("kg-search");
  var message = document.getElementById("kg-message");

  function setMessage(text) {
    if (message) message.textContent = text || "";
  }

  function currentDepth() {
    var d = form ? parseInt(form.elements["depth"].value, 10) : cfg.depth;
    return d >= 1 && d <= 3 ? d : 2;
  }

  function checkedValues(name) {
    var out = [];
    if (!form) return out;
    form.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
      if (box.checked) out.push(box.value);
    });
    return out;
  }

  function fold(s) {
    // full-width ASCII to half-width, lower case, no spaces or quotes: the store's own normalisation
    return String(s || "")
      .replace(/[\uff01-\uff5e]/g, function (c) {
        return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
      })
      .replace(/[\s"'“”‘’《》]/g, "")
      .toLowerCase();
  }

  var degree = {};
  KG_EDGES.forEach(function (e) {
    degree[e.from] = (degree[e.from] || 0) + 1;
    degree[e.to] = (degree[e.to] || 0) + 1;
  });

  // Exact name or alias first, then substring; the best connected wins a tie.
  function findNode(query) {
    var q = fold(query);
    if (!q) return null;
    var exact = null;
    var partial = null;
    KG_NODES.forEach(function (n) {
      var names = [n.name].concat(n.aliases || []).map(fold);
      var better = function (cur) {
        return !cur || (degree[n.id] || 0) > (degree[cur.id] || 0);
      };
      if (n.id === query || names.indexOf(q) >= 0) {
        if (better(exact)) exact = n;
      } else if (names.some(function (x) { return x.indexOf(q) >= 0; })) {
        if (better(partial)) partial = n;
      }
    });
    return exact || partial;
  }

  function inPeriod(e, start, end) {
    var s = e.periodStart || e.periodEnd;
    var t = e.periodEnd || e.periodStart;
    if (!s || !t) return true; // timeless facts stay
    if (start && t < start) return false;
    if (end && s > end) return false;
    return true;
  }

  function normDate(v, last) {
    v = (v || "").trim();
    if (!v) return "";
    if (/^\d{4}$/.test(v)) return last ? v + "-12-31" : v + "-01-01";
    if (/^\d{4}-\d{2}$/.test(v)) return last ? v + "-31" : v + "-01";
    return v;
  }

  var centerKey = cfg.center;

  // Client-side focus over the embedded data (the standalone file has no server to ask).
  function applyFocus(newCenter, again) {
    if (newCenter !== undefined) centerKey = newCenter;
    overview = !centerKey;
    var depth = currentDepth();
    var types = checkedValues("type");
    var preds = checkedValues("predicate");
    var start = normDate(form ? form.elements["start"].value : "", false);
    var end = normDate(form ? form.elements["end"].value : "", true);
    var typeOk = {};
    types.forEach(function (t) { typeOk[t] = true; });
    var predOk = {};
    preds.forEach(function (p) { predOk[p] = true; });

    var nodeOk = {};
    KG_NODES.forEach(function (n) {
      nodeOk[n.id] = n.id === centerKey || ((!types.length || typeOk[n.kgType] === true) && sure(n));
    });
    var edgeOk = {};
    KG_EDGES.forEach(function (e) {
      edgeOk[e.id] = nodeOk[e.from] && nodeOk[e.to] && sure(e) &&
        (!preds.length || predOk[e.predicate] === true) && inPeriod(e, start, end);
    });
    var visible = visibleNodes(centerKey, depth, nodeOk, edgeOk);

    var nodeUpdates = KG_NODES.map(function (n) {
      var isCenter = n.id === centerKey;
      return {
        id: n.id,
        hidden: !visible[n.id],
        size: isCenter ? cfg.centerSize : cfg.nodeSize,
        borderWidth: isCenter ? 4 : 1,
      };
    });
    nodes.update(nodeUpdates);
    edges.update(KG_EDGES.map(function (e) {
      return { id: e.id, hidden: !(edgeOk[e.id] && visible[e.from] && visible[e.to]) };
    }));
    var shown = Object.keys(visible);
    updateCounts();
    if (centerKey) {
      var c = nodes.get(centerKey);
      if (c && searchBox) searchBox.value = c.name;
    }
    if (again) relayout(shown);
    else network.fit({ nodes: shown, animation: false });
    return shown.length;
  }

  function submitServed(query) {
    // the server resolves names and aliases and applies every filter (and the node cap)
    var params = new URLSearchParams(new FormData(form));
    if (query !== undefined) params.set("center", query);
    window.location.href = cfg.vizPath + "?" + params.toString();
  }

  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var q = searchBox ? searchBox.value.trim() : "";
      if (cfg.mode === "served") {
        submitServed(q);
        return;
      }
      if (!q) {
        setMessage("");
        applyFocus(null, true);
        return;
      }
      var hit = findNode(q);
      if (!hit) {
        setMessage("未找到 Not found: " + q);
        return;
      }
      setMessage("");
      applyFocus(hit.id, true);
    });
  }

  // ---- served page: suggestions from the API, for entities not on this page ---------------
  var suggestions = document.getElementById("kg-suggestions");
  if (cfg.mode === "served" && searchBox && suggestions) {
    var timer = null;
    searchBox.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        var q = searchBox.value.trim();
        while (suggestions.firstChild) suggestions.removeChild(suggestions.firstChild);
        if (!q) return;
        fetch(cfg.apiBase + "/api/entities?q=" + encodeURIComponent(q) + "&limit=8")
          .then(function (r) {
            return r.ok ? r.json() : { items: [] };
          })
          .then(function (page) {
            (page.items || []).forEach(function (hit) {
              var n = hit.node || hit;
              var opt = el("option");
              opt.value = n.name;
              opt.label = n.name + " · " + typeLabel(n.type);
              suggestions.appendChild(opt);
            });
          })
          .catch(function () {
            setMessage("搜索失败 search failed");
          });
      }, 200);
    });
  }

  if (confBox) {
    confBox.addEventListener("input", function () {
      if (confOut) confOut.textContent = minConfidence().toFixed(2);
      if (cfg.mode === "served" || !form) applySureness();
      else applyFocus(undefined, false);
    });
  }

  window.kgApplyFocus = applyFocus;
  window.kgFindNode = findNode;
  window.kgLabelled = function () { return labelled.slice(); };
  if (cfg.mode !== "served" && !clusters_open()) applyFocus(cfg.center);
  else if (minConfidence() > 0) applySureness();
  else updateCounts();

  function clusters_open() {
    return Object.keys(clusters).length > 0;
  }
})();

// Statistics of the filtered trace, aggregated into time / value bins (cheap at any trace size).

const TIME_BINS = 50;
const LATENCY_BINS = 30;
const CHART = { width: 340, height: 150, left: 44, right: 18, top: 10, bottom: 22 };

function createStats(app, container) {
  const { data } = app;
  const panels = {};
  for (const [key, title] of [
    ['flow', 'Delivered / dropped over time'],
    ['latency', 'Latency, send → deliver'],
    ['links', 'Per-link load (top 10, frames)'],
    ['drops', 'Drops by reason'],
    ['topics', 'Pub/sub delivery per topic'],
  ]) {
    const panel = document.createElement('div');
    panel.className = 'stat';
    panel.dataset.stat = key;
    panel.innerHTML = `<h3>${title}</h3><div class="chart"></div>`;
    container.append(panel);
    panels[key] = panel.querySelector('.chart');
  }

  function update() {
    const totals = { delivered: 0, dropped: 0 };
    const span = Math.max(1e-9, data.endMs - data.startMs);
    const binOf = (t) => Math.min(TIME_BINS - 1, Math.floor(((t - data.startMs) / span) * TIME_BINS));
    const deliveredBins = new Float64Array(TIME_BINS);
    const droppedBins = new Float64Array(TIME_BINS);
    const latencies = [];
    const d = data.deliveries;
    for (let index = 0; index < d.t.length; index++) {
      if (app.masks.deliveries[index] !== 1) continue;
      totals.delivered++;
      deliveredBins[binOf(d.t[index])]++;
      if (!d.duplicate[index] && d.latency[index] >= 0) latencies.push(d.latency[index]);
    }
    const dropsByReason = new Float64Array(data.reasons.length);
    const k = data.markers;
    for (let index = 0; index < k.t.length; index++) {
      if (app.masks.markers[index] !== 1 || k.kind[index] !== 0) continue;
      totals.dropped++;
      droppedBins[binOf(k.t[index])]++;
      dropsByReason[k.reason[index]]++;
    }
    app.stats = totals;
    flowChart(panels.flow, data, deliveredBins, droppedBins);
    latencyChart(panels.latency, latencies);
    linkChart(panels.links, app);
    barChart(panels.drops, data.reasons.map((name, index) => [name, dropsByReason[index], reasonColour(index)]).filter((row) => row[1] > 0));
    topicTable(panels.topics, app);
  }
  return { update };
}

function chartSvg(element) {
  element.textContent = '';
  return d3.select(element).append('svg').attr('width', CHART.width).attr('height', CHART.height);
}

function flowChart(element, data, delivered, dropped) {
  const svg = chartSvg(element);
  const x = d3.scaleLinear().domain([data.startMs, data.endMs]).range([CHART.left, CHART.width - CHART.right]);
  const y = d3.scaleLinear().domain([0, 1.35 * Math.max(1, d3.max(delivered), d3.max(dropped))]).nice().range([CHART.height - CHART.bottom, CHART.top]);
  const binWidth = (data.endMs - data.startMs) / TIME_BINS;
  const line = d3.line().x((_, i) => x(data.startMs + (i + 0.5) * binWidth)).y((v) => y(v));
  const area = d3.area().x((_, i) => x(data.startMs + (i + 0.5) * binWidth)).y0(y(0)).y1((v) => y(v));
  svg.append('path').attr('d', area(Array.from(delivered))).attr('class', 'area delivered');
  svg.append('path').attr('d', line(Array.from(delivered))).attr('class', 'series delivered');
  svg.append('path').attr('d', line(Array.from(dropped))).attr('class', 'series dropped');
  axes(svg, d3.axisBottom(x).ticks(5).tickFormat(formatMs), d3.axisLeft(y).ticks(4), y);
  const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(${CHART.width - 130},${CHART.top + 4})`);
  legend.append('text').attr('class', 'delivered').text(`delivered ${formatCount(d3.sum(delivered))}`);
  legend.append('text').attr('class', 'dropped').attr('y', 14).text(`dropped ${formatCount(d3.sum(dropped))}`);
}

function latencyChart(element, latencies) {
  if (latencies.length === 0) {
    element.innerHTML = '<p class="empty">no deliveries with a known send time</p>';
    return;
  }
  const sorted = Float64Array.from(latencies).sort();
  const rank = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  const svg = chartSvg(element);
  const max = sorted[sorted.length - 1];
  const x = d3.scaleLinear().domain([0, max > 0 ? max : 1]).nice(LATENCY_BINS).range([CHART.left, CHART.width - CHART.right]);
  const bins = d3.bin().domain(x.domain()).thresholds(x.ticks(LATENCY_BINS))(latencies);
  const y = d3.scaleLinear().domain([0, d3.max(bins, (bin) => bin.length)]).nice().range([CHART.height - CHART.bottom, CHART.top]);
  svg
    .append('g')
    .selectAll('rect')
    .data(bins)
    .join('rect')
    .attr('class', 'bar')
    .attr('x', (bin) => x(bin.x0) + 0.5)
    .attr('width', (bin) => Math.max(1, x(bin.x1) - x(bin.x0) - 1))
    .attr('y', (bin) => y(bin.length))
    .attr('height', (bin) => y(0) - y(bin.length));
  axes(svg, d3.axisBottom(x).ticks(5).tickFormat(formatMs), d3.axisLeft(y).ticks(4), y);
  const p = document.createElement('p');
  p.className = 'percentiles';
  p.textContent = `n ${formatCount(sorted.length)} · p50 ${formatMs(rank(0.5))} · p90 ${formatMs(rank(0.9))} · p99 ${formatMs(rank(0.99))} · max ${formatMs(max)}`;
  element.append(p);
}

function linkChart(element, app) {
  const { data } = app;
  const f = data.flights;
  const loads = new Map();
  for (let index = 0; index < f.start.length; index++) {
    if (app.masks.flights[index] !== 1) continue;
    const a = Math.min(f.from[index], f.to[index]);
    const b = Math.max(f.from[index], f.to[index]);
    const key = a * data.nodes.length + b;
    const load = loads.get(key) || loads.set(key, { label: `${data.nodes[a]}–${data.nodes[b]}`, frames: 0, dropped: 0 }).get(key);
    load.frames++;
    if (f.status[index] === 1 || f.status[index] === 2) load.dropped++;
  }
  const rows = [...loads.values()].sort((x, y) => y.frames - x.frames).slice(0, 10);
  barChart(element, rows.map((row) => [row.label, row.frames, COLOUR_DELIVERED, row.dropped ? `${formatCount(row.frames)} (${formatCount(row.dropped)} dropped)` : undefined]));
}

/** Horizontal bars: rows of [label, value, colour, text?]. */
function barChart(element, rows) {
  if (rows.length === 0) {
    element.innerHTML = '<p class="empty">none</p>';
    return;
  }
  element.textContent = '';
  const rowHeight = 15;
  const svg = d3.select(element).append('svg').attr('width', CHART.width + 40).attr('height', rows.length * rowHeight + 6);
  const x = d3.scaleLinear().domain([0, d3.max(rows, (row) => row[1])]).range([0, 150]);
  const row = svg.selectAll('g').data(rows).join('g').attr('transform', (_, i) => `translate(0,${i * rowHeight + 3})`);
  row.append('text').attr('class', 'label').attr('x', 96).attr('y', 10).attr('text-anchor', 'end').text((r) => r[0]);
  row.append('rect').attr('x', 100).attr('height', rowHeight - 4).attr('width', (r) => Math.max(1, x(r[1]))).attr('fill', (r) => r[2]);
  row.append('text').attr('class', 'value').attr('x', (r) => 104 + x(r[1])).attr('y', 10).text((r) => r[3] || formatCount(r[1]));
}

function topicTable(element, app) {
  const { data } = app;
  if (data.topics.length === 0) {
    element.innerHTML = '<p class="empty">no pub/sub traffic in this trace</p>';
    return;
  }
  const m = data.messages;
  const rows = data.topics.map((name) => ({ name, published: 0, expected: 0, delivered: 0 }));
  for (let index = 0; index < m.id.length; index++) {
    if (m.topic[index] < 0 || m.kind[index] !== 2 || app.masks.messages[index] !== 1) continue;
    if (m.source[index] >= 0 && app.filters.state.node[m.source[index]] !== 1) continue;
    rows[m.topic[index]].published++;
    rows[m.topic[index]].expected += m.expected[index];
  }
  const d = data.deliveries;
  const router = data.engines.indexOf('router');
  for (let index = 0; index < d.t.length; index++) {
    const topic = m.topic[d.message[index]];
    const source = m.source[d.message[index]];
    if (topic < 0 || d.duplicate[index] || d.engine[index] === router || app.masks.messages[d.message[index]] !== 1) continue;
    if (source >= 0 && app.filters.state.node[source] !== 1) continue;
    rows[topic].delivered++;
  }
  element.innerHTML = `<table><thead><tr><th>topic</th><th>published</th><th>expected</th><th>delivered</th><th>ratio</th></tr></thead><tbody>${rows
    .map((row) => `<tr><td>${escapeHtml(row.name)}</td><td>${formatCount(row.published)}</td><td>${formatCount(row.expected)}</td><td>${formatCount(row.delivered)}</td><td>${row.expected ? ((100 * row.delivered) / row.expected).toFixed(1) + ' %' : '–'}</td></tr>`)
    .join('')}</tbody></table>`;
}

function axes(svg, xAxis, yAxis, y) {
  svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${y.range()[0]})`).call(xAxis);
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${CHART.left},0)`).call(yAxis);
}

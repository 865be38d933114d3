// Topology: SVG nodes and links (positions precomputed by d3-force at render time), link width by
// filtered traffic, the overlay's connections open at the current time (solid: both ends open,
// dashed: half-open, one end only), node colour by state at the current time, and a canvas layer of
// messages in flight.

const DOTS_MAX = 4000;

function createTopology(app, container) {
  const { data } = app;
  const nodeCount = data.nodes.length;
  const width = container.clientWidth || 600;
  const height = container.clientHeight || 420;
  const xs = data.layout.filter((_, index) => index % 2 === 0);
  const ys = data.layout.filter((_, index) => index % 2 === 1);
  const [x0, x1] = d3.extent(xs.length ? xs : [0]);
  const [y0, y1] = d3.extent(ys.length ? ys : [0]);
  const pad = 30;
  const scale = Math.min((width - 2 * pad) / Math.max(1, x1 - x0), (height - 2 * pad) / Math.max(1, y1 - y0), 6);
  const px = (node) => width / 2 + (data.layout[node * 2] - (x0 + x1) / 2) * scale;
  const py = (node) => height / 2 + (data.layout[node * 2 + 1] - (y0 + y1) / 2) * scale;
  const radius = nodeCount > 500 ? 3 : nodeCount > 60 ? 5 : 9;

  const svg = d3.select(container).append('svg').attr('width', width).attr('height', height).attr('class', 'topology-svg');
  /** One titled line per pair of `ends` ({a, b} node columns), in a group of class `className`. */
  const lines = (className, ends) => {
    const selection = svg
      .append('g')
      .attr('class', className)
      .selectAll('line')
      .data(d3.range(ends.a.length))
      .join('line')
      .attr('x1', (i) => px(ends.a[i]))
      .attr('y1', (i) => py(ends.a[i]))
      .attr('x2', (i) => px(ends.b[i]))
      .attr('y2', (i) => py(ends.b[i]));
    selection.append('title');
    return selection;
  };
  const linkCount = data.links.a.length;
  const linkSelection = lines('links', data.links);
  const pairCount = data.connectionPairs.a.length;
  const connectionSelection = lines('connections', data.connectionPairs).attr('data-pair', (i) => `${data.nodes[data.connectionPairs.a[i]]}|${data.nodes[data.connectionPairs.b[i]]}`);
  const canvas = d3.select(container).append('canvas').attr('class', 'overlay').node();
  const context = setupCanvas(canvas, width, height);
  const nodeSelection = svg
    .append('g')
    .attr('class', 'nodes')
    .selectAll('g')
    .data(d3.range(nodeCount))
    .join('g')
    .attr('class', 'node')
    .attr('data-node', (i) => data.nodes[i])
    .attr('transform', (i) => `translate(${px(i)},${py(i)})`)
    .on('click', (event, i) => app.filters.toggleNode(i));
  nodeSelection.append('circle').attr('r', radius);
  nodeSelection.append('title');
  if (nodeCount <= 80) nodeSelection.append('text').attr('dy', -radius - 4).attr('text-anchor', 'middle').text((i) => data.nodes[i]);

  const linkIndex = new Map();
  for (let i = 0; i < linkCount; i++) linkIndex.set(`${data.links.a[i]}|${data.links.b[i]}`, i);
  const linkOf = (a, b) => linkIndex.get(a < b ? `${a}|${b}` : `${b}|${a}`);
  let frameCounts = new Float64Array(linkCount);

  function updateFilter() {
    frameCounts = new Float64Array(linkCount);
    const drops = new Float64Array(linkCount);
    const f = data.flights;
    for (let index = 0; index < f.start.length; index++) {
      if (app.masks.flights[index] !== 1) continue;
      const link = linkOf(f.from[index], f.to[index]);
      if (link === undefined) continue;
      frameCounts[link]++;
      if (f.status[index] === 1 || f.status[index] === 2) drops[link]++;
    }
    const max = Math.max(1, d3.max(frameCounts) || 0);
    linkSelection.attr('stroke-width', (i) => 0.75 + 7 * Math.sqrt(frameCounts[i] / max)).classed('idle', (i) => frameCounts[i] === 0);
    linkSelection.select('title').text((i) => `${data.nodes[data.links.a[i]]} – ${data.nodes[data.links.b[i]]}: ${formatCount(frameCounts[i])} frames, ${formatCount(drops[i])} dropped`);
    nodeSelection.classed('dimmed', (i) => app.filters.state.node[i] !== 1);
    updateTime();
  }

  function updateTime() {
    const t = app.time;
    const ends = connectionsAt(data, t);
    const degree = new Uint32Array(nodeCount);
    for (let pair = 0; pair < pairCount; pair++) {
      if (ends[pair] === 0) continue;
      degree[data.connectionPairs.a[pair]]++;
      degree[data.connectionPairs.b[pair]]++;
    }
    connectionSelection.attr('data-state', (i) => CONNECTION_STATES[ends[i]]);
    connectionSelection
      .select('title')
      .text((i) => `${data.nodes[data.connectionPairs.a[i]]} – ${data.nodes[data.connectionPairs.b[i]]}: connection ${CONNECTION_STATES[ends[i]]} at ${formatMs(t)}`);
    app.counts.connectionsOpen = ends.reduce((sum, count) => sum + (count === 2 ? 1 : 0), 0);
    app.counts.connectionsHalfOpen = ends.reduce((sum, count) => sum + (count === 1 ? 1 : 0), 0);
    nodeSelection
      .attr('data-state', (i) => (stateAt(data, i, t)[1] === 1 ? 'up' : 'crashed'))
      .attr('data-group', (i) => stateAt(data, i, t)[2]);
    nodeSelection
      .select('circle')
      .attr('fill', (i) => (stateAt(data, i, t)[1] === 1 ? COLOUR_UP : COLOUR_CRASHED))
      .attr('stroke', (i) => {
        const group = stateAt(data, i, t)[2];
        return group < 0 ? '#fff' : GROUP_COLOURS[group % GROUP_COLOURS.length];
      })
      .attr('stroke-width', (i) => (stateAt(data, i, t)[2] < 0 ? 1.5 : 4));
    nodeSelection.select('title').text((i) => {
      const [, isUp, group] = stateAt(data, i, t);
      const connected = pairCount === 0 ? '' : `, ${degree[i]} connection${degree[i] === 1 ? '' : 's'}`;
      return `${data.nodes[i]}: ${isUp ? 'up' : 'crashed'}${group >= 0 ? `, partition group ${group + 1}` : ''}${connected} at ${formatMs(t)}`;
    });
    drawDots(t);
  }

  function drawDots(t) {
    context.clearRect(0, 0, width, height);
    context.strokeStyle = '#fff';
    context.lineWidth = 1;
    const f = data.flights;
    let drawn = 0;
    const first = lowerBound(f.start, t - data.maxFlightMs);
    for (let index = first; index < f.start.length && f.start[index] <= t && drawn < DOTS_MAX; index++) {
      const start = f.start[index];
      const end = Math.min(f.end[index], start + data.maxFlightMs);
      if (end < t || end <= start || app.masks.flights[index] !== 1) continue;
      const progress = (t - start) / (end - start);
      const a = f.from[index];
      const b = f.to[index];
      context.fillStyle = app.highlight && !app.highlight.has(f.message[index]) ? 'rgba(78,121,167,0.25)' : f.status[index] === 0 ? COLOUR_DELIVERED : reasonColour(f.reason[index]);
      context.beginPath();
      context.arc(px(a) + (px(b) - px(a)) * progress, py(a) + (py(b) - py(a)) * progress, 4, 0, 2 * Math.PI);
      context.fill();
      context.stroke();
      drawn++;
    }
    app.counts.dots = drawn;
  }

  app.counts.nodes = nodeSelection.size();
  app.counts.links = linkCount;
  app.counts.connectionPairs = pairCount;
  return { updateFilter, updateTime, updateHighlight: () => drawDots(app.time) };
}

/** Sizes a canvas for the device pixel ratio and returns its 2D context in CSS pixels. */
function setupCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const context = canvas.getContext('2d');
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}

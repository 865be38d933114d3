// Time-space (Lamport) diagram on canvas: one vertical lane per node, time downward, an arrow per
// frame. Canvas, not SVG: 100k arrows as DOM elements would not stay interactive. Above ARROWS_MAX
// arrows in view it draws an even sample and says so; zooming in shows every arrow.

const ARROWS_MAX = 20000;
const HEADS_MAX = 3000;
/** Above this many timers in view they are left out (they would hide the arrows). */
const TIMERS_MAX = 4000;
const MARGIN = { top: 34, right: 16, bottom: 12, left: 64 };

function createTimeSpace(app, container, notice) {
  const { data } = app;
  const f = data.flights;
  const k = data.markers;
  const width = container.clientWidth || 800;
  const height = container.clientHeight || 520;
  const base = document.createElement('canvas');
  const overlay = document.createElement('canvas');
  overlay.className = 'overlay interactive';
  container.append(base, overlay);
  const context = setupCanvas(base, width, height);
  const top = setupCanvas(overlay, width, height);
  const laneWidth = (width - MARGIN.left - MARGIN.right) / Math.max(1, data.nodes.length);
  const laneX = (node) => MARGIN.left + (node + 0.5) * laneWidth;
  const baseY = d3.scaleLinear().domain([data.startMs, data.endMs]).range([MARGIN.top, height - MARGIN.bottom]);
  let y = baseY;
  let drawnFlights = new Int32Array(0);
  let drawnMarkers = new Int32Array(0);
  let hovered = null;

  const zoom = d3
    .zoom()
    .scaleExtent([1, 1e7])
    .extent([[0, MARGIN.top], [width, height - MARGIN.bottom]])
    .translateExtent([[0, MARGIN.top], [width, height - MARGIN.bottom]])
    .on('zoom', (event) => {
      y = event.transform.rescaleY(baseY);
      draw();
    });
  d3.select(overlay).call(zoom).on('dblclick.zoom', null);

  /** Where a flight's arrow ends: at the receiver, or part-way for a drop at the sender. */
  function arrowEnd(index) {
    const x0 = laneX(f.from[index]);
    const x1 = laneX(f.to[index]);
    const isAtSender = f.status[index] === 1 && f.end[index] === f.start[index];
    return [isAtSender ? x0 + (x1 - x0) * 0.3 : x1, y(f.end[index])];
  }

  function draw() {
    context.clearRect(0, 0, width, height);
    const [t0, t1] = y.domain();
    drawBackground(t0, t1);
    drawFlights(t0, t1);
    drawMarkers(t0, t1);
    drawOverlay();
  }

  function drawBackground(t0, t1) {
    context.fillStyle = 'rgba(237,201,72,0.16)';
    for (const [start, end] of data.partitions) {
      if (end < t0 || start > t1) continue;
      context.fillRect(MARGIN.left, y(start), width - MARGIN.left - MARGIN.right, Math.max(1, y(end) - y(start)));
    }
    context.font = '11px system-ui, sans-serif';
    context.textAlign = 'center';
    const labelEvery = Math.ceil(40 / laneWidth);
    for (let node = 0; node < data.nodes.length; node++) {
      const x = laneX(node);
      const isOn = app.filters.state.node[node] === 1;
      context.strokeStyle = isOn ? '#c8ccd2' : '#eceef1';
      context.lineWidth = 1;
      context.beginPath();
      context.moveTo(x, MARGIN.top);
      context.lineTo(x, height - MARGIN.bottom);
      context.stroke();
      const states = data.states[node];
      context.strokeStyle = 'rgba(225,87,89,0.55)';
      context.lineWidth = Math.min(6, Math.max(2, laneWidth / 6));
      states.forEach(([start, isUp], index) => {
        if (isUp) return;
        const end = index + 1 < states.length ? states[index + 1][0] : data.endMs;
        if (end < t0 || start > t1) return;
        context.beginPath();
        context.moveTo(x, y(start));
        context.lineTo(x, y(end));
        context.stroke();
      });
      if (node % labelEvery === 0) {
        context.fillStyle = isOn ? '#333' : '#bbb';
        context.fillText(data.nodes[node], x, MARGIN.top - 10);
      }
    }
    context.textAlign = 'right';
    context.fillStyle = '#555';
    for (const tick of y.ticks(8)) {
      context.fillText(formatMs(tick), MARGIN.left - 8, y(tick) + 4);
      context.fillRect(MARGIN.left - 5, y(tick), 4, 1);
    }
  }

  function drawFlights(t0, t1) {
    const first = lowerBound(f.start, t0 - data.maxFlightMs);
    const last = lowerBound(f.start, t1 + 1e-9);
    let visible = 0;
    for (let index = first; index < last; index++) if (app.masks.flights[index] === 1 && f.end[index] >= t0) visible++;
    const stride = Math.max(1, Math.ceil(visible / ARROWS_MAX));
    const drawn = new Int32Array(Math.ceil(visible / stride));
    let count = 0;
    let seen = 0;
    for (let index = first; index < last; index++) {
      if (app.masks.flights[index] !== 1 || f.end[index] < t0) continue;
      if (seen++ % stride === 0) drawn[count++] = index;
    }
    drawnFlights = drawn.subarray(0, count);
    const highlight = app.highlight;
    const isHeads = count <= HEADS_MAX;
    const pass = (isHighlighted) => {
      for (let j = 0; j < count; j++) {
        const index = drawnFlights[j];
        const isOn = highlight === null || highlight.has(f.message[index]);
        if (isOn !== isHighlighted && highlight !== null) continue;
        const status = f.status[index];
        const colour = status === 0 ? COLOUR_DELIVERED : status === 3 ? '#9aa0a6' : reasonColour(f.reason[index]);
        context.globalAlpha = highlight !== null && !isOn ? 0.3 : stride > 1 && status === 0 ? 0.25 : 1;
        context.strokeStyle = highlight !== null && isOn ? COLOUR_HIGHLIGHT : colour;
        context.fillStyle = context.strokeStyle;
        context.lineWidth = highlight !== null && isOn ? 2.2 : 1;
        context.setLineDash(status === 3 ? [3, 3] : []);
        const x0 = laneX(f.from[index]);
        const y0 = y(f.start[index]);
        const [x1, y1] = arrowEnd(index);
        context.beginPath();
        context.moveTo(x0, y0);
        context.lineTo(x1, y1);
        context.stroke();
        if (status === 1 || status === 2) drawCross(x1, y1, 4);
        else if (isHeads && status === 0) drawHead(x0, y0, x1, y1);
      }
    };
    pass(false);
    if (highlight !== null) pass(true);
    context.globalAlpha = 1;
    context.setLineDash([]);
    app.counts.arrows = app.filteredFlights;
    app.counts.arrowsDrawn = count;
    app.counts.arrowsInView = visible;
    container.dataset.arrows = String(app.filteredFlights);
    container.dataset.arrowsDrawn = String(count);
    notice.textContent =
      stride > 1
        ? `Aggregated view: ${formatCount(visible)} arrows in view, drawing every ${stride}th (${formatCount(count)}); zoom in (wheel / drag) to see all. Statistics below count every event.`
        : `${formatCount(count)} arrows in view · wheel to zoom, drag to pan, click an arrow for its causal past and future.`;
  }

  function drawHead(x0, y0, x1, y1) {
    const angle = Math.atan2(y1 - y0, x1 - x0);
    context.beginPath();
    context.moveTo(x1, y1);
    context.lineTo(x1 - 7 * Math.cos(angle - 0.4), y1 - 7 * Math.sin(angle - 0.4));
    context.lineTo(x1 - 7 * Math.cos(angle + 0.4), y1 - 7 * Math.sin(angle + 0.4));
    context.closePath();
    context.fill();
  }

  function drawCross(x, yy, size) {
    context.lineWidth = 2;
    context.beginPath();
    context.moveTo(x - size, yy - size);
    context.lineTo(x + size, yy + size);
    context.moveTo(x + size, yy - size);
    context.lineTo(x - size, yy + size);
    context.stroke();
  }

  function drawMarkers(t0, t1) {
    const first = lowerBound(k.t, t0);
    const last = lowerBound(k.t, t1 + 1e-9);
    const timer = data.markerKinds.indexOf('timer');
    let timers = 0;
    let others = 0;
    for (let index = first; index < last; index++) {
      if (app.masks.markers[index] !== 1 || k.flight[index] >= 0) continue;
      if (k.kind[index] === timer) timers++;
      else others++;
    }
    const isTimers = timers <= TIMERS_MAX;
    const stride = Math.max(1, Math.ceil(others / ARROWS_MAX));
    const drawn = [];
    let seen = 0;
    for (let index = first; index < last; index++) {
      if (app.masks.markers[index] !== 1 || k.flight[index] >= 0) continue;
      if (k.kind[index] === timer ? !isTimers : seen++ % stride !== 0) continue;
      drawn.push(index);
      const x = laneX(k.node[index]);
      const yy = y(k.t[index]);
      const kind = data.markerKinds[k.kind[index]];
      if (kind === 'timer') {
        context.fillStyle = '#8a8f96';
        context.fillRect(x - 4, yy - 0.5, 8, 1.5);
      } else if (kind === 'drop' || kind === 'verify-fail') {
        context.strokeStyle = kind === 'drop' ? reasonColour(k.reason[index]) : '#7b3294';
        drawCross(x, yy, 4);
      } else {
        context.fillStyle = kind === 'crash' ? COLOUR_CRASHED : kind === 'restart' ? COLOUR_UP : '#555';
        context.beginPath();
        context.arc(x, yy, kind === 'crash' || kind === 'restart' ? 5 : 3, 0, 2 * Math.PI);
        context.fill();
      }
    }
    drawnMarkers = Int32Array.from(drawn);
    app.counts.markersDrawn = drawn.length;
    if (!isTimers) notice.textContent += ` ${formatCount(timers)} timers in view are hidden; zoom in to see them.`;
    if (stride > 1) notice.textContent += ` Drawing every ${stride}th of ${formatCount(others)} markers.`;
  }

  function drawOverlay() {
    top.clearRect(0, 0, width, height);
    const yy = y(app.time);
    if (yy >= MARGIN.top && yy <= height - MARGIN.bottom) {
      top.strokeStyle = COLOUR_HIGHLIGHT;
      top.setLineDash([5, 4]);
      top.beginPath();
      top.moveTo(MARGIN.left, yy);
      top.lineTo(width - MARGIN.right, yy);
      top.stroke();
      top.setLineDash([]);
    }
    if (hovered !== null && hovered.kind === 'flight') {
      const index = hovered.index;
      const [x1, y1] = arrowEnd(index);
      top.strokeStyle = '#111';
      top.lineWidth = 3;
      top.beginPath();
      top.moveTo(laneX(f.from[index]), y(f.start[index]));
      top.lineTo(x1, y1);
      top.stroke();
      top.lineWidth = 1;
    }
  }

  /** The drawn arrow or marker nearest to (mx, my) within 6 px, or null. */
  function pick(mx, my) {
    let best = null;
    let bestDistance = 6;
    for (const index of drawnFlights) {
      const x0 = laneX(f.from[index]);
      const y0 = y(f.start[index]);
      const [x1, y1] = arrowEnd(index);
      if (my < Math.min(y0, y1) - 6 || my > Math.max(y0, y1) + 6) continue;
      const distance = segmentDistance(mx, my, x0, y0, x1, y1);
      if (distance < bestDistance) [best, bestDistance] = [{ kind: 'flight', index }, distance];
    }
    for (const index of drawnMarkers) {
      const distance = Math.hypot(mx - laneX(k.node[index]), my - y(k.t[index]));
      if (distance < bestDistance) [best, bestDistance] = [{ kind: 'marker', index }, distance];
    }
    return best;
  }

  d3.select(overlay)
    .on('mousemove', (event) => {
      const [mx, my] = d3.pointer(event);
      hovered = pick(mx, my);
      drawOverlay();
      if (hovered === null) app.tooltip.hide();
      else app.tooltip.show(event, hovered.kind === 'flight' ? flightTooltip(data, hovered.index) : markerTooltip(data, hovered.index));
    })
    .on('mouseleave', () => {
      hovered = null;
      drawOverlay();
      app.tooltip.hide();
    })
    .on('click', (event) => {
      const [mx, my] = d3.pointer(event);
      const hit = pick(mx, my);
      const message = hit === null ? -1 : hit.kind === 'flight' ? f.message[hit.index] : k.message[hit.index];
      app.select(message);
    });

  /** Shows the time window [t0, t1] (ms). */
  function zoomTo(t0, t1) {
    const k = Math.max(1, (data.endMs - data.startMs) / Math.max(1e-9, t1 - t0));
    const transform = d3.zoomIdentity.translate(0, MARGIN.top - k * baseY(t0)).scale(k);
    d3.select(overlay).call(zoom.transform, transform);
  }

  return { draw, drawOverlay, zoomTo };
}

function segmentDistance(px, py, x0, y0, x1, y1) {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const length = dx * dx + dy * dy;
  const s = length === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / length));
  return Math.hypot(px - (x0 + s * dx), py - (y0 + s * dy));
}

function messageLines(data, message) {
  const m = data.messages;
  const kind = m.kind[message] < 0 ? 'unknown' : KIND_NAMES[m.kind[message]];
  const topic = m.topic[message] >= 0 ? `<br>topic <b>${escapeHtml(data.topics[m.topic[message]])}</b>` : '';
  return `<b>${escapeHtml(m.id[message])}</b> (${kind} message)<br>${escapeHtml(engineLabel(data, m.source[message], m.engine[message]))} → ${escapeHtml(data.toTable[m.to[message]] || '?')}${topic}<br>body ${formatCount(m.bytes[message])} B${m.sent[message] >= 0 ? `, sent at ${formatMs(m.sent[message])}` : ''}`;
}

function flightTooltip(data, index) {
  const f = data.flights;
  const status = data.statuses[f.status[index]];
  const reason = f.reason[index] >= 0 ? ` (${escapeHtml(data.reasons[f.reason[index]])})` : '';
  const latency = f.end[index] - f.start[index];
  return `${messageLines(data, f.message[index])}<br>frame ${escapeHtml(data.nodes[f.from[index]])} → ${escapeHtml(data.nodes[f.to[index]])}, ${formatCount(f.bytes[index])} B<br>${status}${reason}${f.duplicate[index] ? ', duplicate' : ''} · latency ${formatMs(latency)}<br>${formatMs(f.start[index])} → ${formatMs(f.end[index])}`;
}

function markerTooltip(data, index) {
  const k = data.markers;
  const kind = data.markerKinds[k.kind[index]];
  const parts = [`<b>${kind}</b> at ${escapeHtml(engineLabel(data, k.node[index], k.engine[index]))}, ${formatMs(k.t[index])}`];
  if (k.reason[index] >= 0) parts.push(`reason <b>${escapeHtml(data.reasons[k.reason[index]])}</b>`);
  if (k.peer[index] >= 0) parts.push(`peer ${escapeHtml(data.nodes[k.peer[index]])}`);
  if (k.text[index] >= 0) parts.push(escapeHtml(data.texts[k.text[index]]));
  if (k.message[index] >= 0) parts.push(messageLines(data, k.message[index]));
  return parts.join('<br>');
}

// Wires the views together: filters → masks → every view; the timeline → topology and time line;
// a click on a message → causal highlight. Exposes `window.__netmachine` for tests and benchmarks.

const SPEEDS = [0.1, 0.25, 1, 4, 16, 64, 256, 1024];

function createTooltip(element) {
  return {
    show(event, html) {
      element.innerHTML = html;
      element.hidden = false;
      const x = Math.min(event.clientX + 14, window.innerWidth - element.offsetWidth - 8);
      const y = Math.min(event.clientY + 14, window.innerHeight - element.offsetHeight - 8);
      element.style.left = `${x}px`;
      element.style.top = `${y}px`;
    },
    hide() {
      element.hidden = true;
    },
  };
}

function createTimeline(app, element) {
  const { data } = app;
  const duration = data.endMs - data.startMs;
  const preferred = duration / 20000; // the whole run in about 20 s
  const speed = SPEEDS.reduce((best, s) => (Math.abs(Math.log(s / preferred)) < Math.abs(Math.log(best / preferred)) ? s : best), SPEEDS[0]);
  element.innerHTML = `<button type="button" id="play" aria-label="play">▶ play</button>
    <label>speed <select id="speed">${SPEEDS.map((s) => `<option value="${s}"${s === speed ? ' selected' : ''}>${s}×</option>`).join('')}</select></label>
    <input type="range" id="scrub" min="${data.startMs}" max="${data.endMs}" step="any" value="${data.startMs}" aria-label="time">
    <output id="clock"></output>`;
  const play = element.querySelector('#play');
  const scrub = element.querySelector('#scrub');
  const clock = element.querySelector('#clock');
  const speedSelect = element.querySelector('#speed');
  let playing = false;
  let last = 0;
  const frame = (now) => {
    if (!playing) return;
    const next = app.time + ((now - last) * Number(speedSelect.value));
    last = now;
    app.setTime(next >= data.endMs ? data.endMs : next);
    if (next >= data.endMs) toggle(false);
    else requestAnimationFrame(frame);
  };
  function toggle(isPlaying) {
    playing = isPlaying;
    play.textContent = playing ? '❚❚ pause' : '▶ play';
    if (!playing) return;
    if (app.time >= data.endMs) app.setTime(data.startMs);
    last = performance.now();
    requestAnimationFrame(frame);
  }
  play.addEventListener('click', () => toggle(!playing));
  scrub.addEventListener('input', () => app.setTime(Number(scrub.value)));
  return {
    update(t) {
      scrub.value = String(t);
      clock.textContent = `t = ${formatMs(t)} of ${formatMs(data.endMs)}`;
    },
  };
}

function main() {
  const data = loadData();
  const app = {
    data,
    time: data.startMs,
    highlight: null,
    selected: -1,
    masks: null,
    filteredFlights: 0,
    counts: {},
    stats: {},
    tooltip: createTooltip(document.getElementById('tooltip')),
  };
  app.filters = createFilters(data, document.getElementById('filters'), applyFilters);
  app.masks = computeMasks(data, app.filters.state);
  const topology = createTopology(app, document.getElementById('topology'));
  const timeSpace = createTimeSpace(app, document.getElementById('timespace'), document.getElementById('timespace-notice'));
  const stats = createStats(app, document.getElementById('stats'));
  const timeline = createTimeline(app, document.getElementById('timeline'));
  const selection = document.getElementById('selection');

  function applyFilters() {
    app.masks = computeMasks(data, app.filters.state);
    app.filteredFlights = app.masks.flights.reduce((sum, on) => sum + on, 0);
    topology.updateFilter();
    timeSpace.draw();
    stats.update();
  }
  app.setTime = (t) => {
    app.time = Math.max(data.startMs, Math.min(data.endMs, t));
    timeline.update(app.time);
    topology.updateTime();
    timeSpace.drawOverlay();
  };
  app.select = (message) => {
    app.selected = message;
    app.highlight = message < 0 ? null : causalSet(data, message);
    selection.textContent =
      message < 0 ? '' : `Selected ${data.messages.id[message]}: it and the ${app.highlight.size - 1} message(s) in its causal past and future are highlighted (click empty space to clear).`;
    timeSpace.draw();
    topology.updateHighlight();
  };

  applyFilters();
  app.setTime(data.startMs);
  window.__netmachine = {
    app,
    get counts() {
      return { ...app.counts, arrows: app.filteredFlights };
    },
    get stats() {
      return { ...app.stats };
    },
    get time() {
      return app.time;
    },
    setTime: (t) => app.setTime(t),
    zoomTo: (t0, t1) => timeSpace.zoomTo(t0, t1),
    /** Highlights the causal past and future of the message with this trace id (-1: none). */
    select(id) {
      app.select(data.messages.id.lastIndexOf(id));
      return app.highlight === null ? 0 : app.highlight.size;
    },
    nodeState(name) {
      const node = data.nodes.indexOf(name);
      const [, isUp, group] = stateAt(data, node, app.time);
      return { state: isUp ? 'up' : 'crashed', group };
    },
    ready: true,
    readyAtMs: performance.now(),
  };
  document.body.dataset.ready = 'true';
}

try {
  main();
} catch (error) {
  document.getElementById('timespace-notice').textContent = `The report failed to start: ${error && error.message}`;
  throw error;
}

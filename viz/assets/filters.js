// Filters (node, engine, message kind, topic, drop reason, marker kind) and the masks they produce.
// The node filter keeps the traffic among the selected nodes: a flight passes when its message passes
// and both of its ends are selected. Every view and statistic reads the same masks.

function createFilters(data, container, onChange) {
  // Index 0 of engine / kind / topic / reason stands for "none" (value -1 in the data).
  const state = {
    node: new Uint8Array(data.nodes.length).fill(1),
    engine: new Uint8Array(data.engines.length + 1).fill(1),
    kind: new Uint8Array(KIND_NAMES.length + 1).fill(1),
    topic: new Uint8Array(data.topics.length + 1).fill(1),
    reason: new Uint8Array(data.reasons.length + 1).fill(1),
    marker: new Uint8Array(data.markerKinds.length).fill(1),
  };
  const groups = [
    ['node', 'Nodes', data.nodes.map((name, index) => [index, name])],
    ['engine', 'Engines', [[0, '(none)'], ...data.engines.map((name, index) => [index + 1, name])]],
    ['kind', 'Message kind (destination)', [[0, '(unknown)'], ...KIND_NAMES.map((name, index) => [index + 1, name])]],
    ['topic', 'Topics', [[0, '(no topic)'], ...data.topics.map((name, index) => [index + 1, name])]],
    ['reason', 'Drop reason', [[0, '(not dropped)'], ...data.reasons.map((name, index) => [index + 1, name])]],
    ['marker', 'Markers', data.markerKinds.map((name, index) => [index, name])],
  ];
  for (const [key, title, items] of groups) {
    const fieldset = document.createElement('fieldset');
    fieldset.dataset.filterGroup = key;
    fieldset.innerHTML = `<legend>${escapeHtml(title)} <button type="button" data-all="${key}">all</button><button type="button" data-none="${key}">none</button></legend>`;
    const list = document.createElement('div');
    list.className = 'filter-list';
    list.innerHTML = items
      .map(([index, name]) => {
        const swatch = key === 'reason' && index > 0 ? `<i class="swatch" style="background:${reasonColour(index - 1)}"></i>` : '';
        return `<label><input type="checkbox" data-filter="${key}" data-index="${index}" value="${escapeHtml(name)}" checked>${swatch}${escapeHtml(name)}</label>`;
      })
      .join('');
    fieldset.append(list);
    container.append(fieldset);
  }
  container.addEventListener('change', (event) => {
    const input = event.target;
    if (!input.dataset || !input.dataset.filter) return;
    state[input.dataset.filter][Number(input.dataset.index)] = input.checked ? 1 : 0;
    onChange();
  });
  container.addEventListener('click', (event) => {
    const key = event.target.dataset && (event.target.dataset.all || event.target.dataset.none);
    if (!key) return;
    const isOn = Boolean(event.target.dataset.all);
    state[key].fill(isOn ? 1 : 0);
    for (const input of container.querySelectorAll(`input[data-filter="${key}"]`)) input.checked = isOn;
    onChange();
  });
  return {
    state,
    /** Shows or hides one node, as its check box does. */
    toggleNode(index) {
      state.node[index] = state.node[index] === 1 ? 0 : 1;
      const input = container.querySelector(`input[data-filter="node"][data-index="${index}"]`);
      if (input) input.checked = state.node[index] === 1;
      onChange();
    },
  };
}

/** Per-row pass masks (Uint8Array) for messages, flights, markers and deliveries. */
function computeMasks(data, filter) {
  const m = data.messages;
  const messages = new Uint8Array(m.id.length);
  for (let index = 0; index < messages.length; index++) {
    const isEngine = filter.engine[m.engine[index] + 1] === 1 || (m.toEngine[index] >= 0 && filter.engine[m.toEngine[index] + 1] === 1);
    messages[index] = isEngine && filter.kind[m.kind[index] + 1] === 1 && filter.topic[m.topic[index] + 1] === 1 ? 1 : 0;
  }
  const f = data.flights;
  const flights = new Uint8Array(f.start.length);
  for (let index = 0; index < flights.length; index++) {
    const isNode = filter.node[f.from[index]] === 1 && filter.node[f.to[index]] === 1;
    flights[index] = isNode && messages[f.message[index]] === 1 && filter.reason[f.reason[index] + 1] === 1 ? 1 : 0;
  }
  const k = data.markers;
  const markers = new Uint8Array(k.t.length);
  for (let index = 0; index < markers.length; index++) {
    const message = k.message[index];
    const isReason = k.reason[index] < 0 || filter.reason[k.reason[index] + 1] === 1;
    const isMessage = message < 0 ? filter.engine[k.engine[index] + 1] === 1 : messages[message] === 1;
    markers[index] = filter.node[k.node[index]] === 1 && filter.marker[k.kind[index]] === 1 && isReason && isMessage ? 1 : 0;
  }
  const d = data.deliveries;
  const deliveries = new Uint8Array(d.t.length);
  for (let index = 0; index < deliveries.length; index++) {
    const message = d.message[index];
    const source = m.source[message];
    const isNode = filter.node[d.node[index]] === 1 && (source < 0 || filter.node[source] === 1);
    const isEngine = filter.engine[d.engine[index] + 1] === 1 || filter.engine[m.engine[message] + 1] === 1;
    deliveries[index] = isNode && isEngine && filter.kind[m.kind[message] + 1] === 1 && filter.topic[m.topic[message] + 1] === 1 && filter.reason[0] === 1 ? 1 : 0;
  }
  return { messages, flights, markers, deliveries };
}

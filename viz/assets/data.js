// Reads the embedded columns and derives the browser-side indexes (all plain arrays / typed arrays).
// Concatenated with the other assets inside one function scope by viz/render.ts.

const REASON_COLOURS = ['#e15759', '#f28e2b', '#b07aa1', '#edc948', '#ff9da7', '#9c755f', '#76b7b2', '#bab0ac'];
const GROUP_COLOURS = ['#f28e2b', '#76b7b2', '#b07aa1', '#edc948', '#ff9da7', '#9c755f'];
const COLOUR_DELIVERED = '#4e79a7';
const COLOUR_UP = '#59a14f';
const COLOUR_CRASHED = '#e15759';
const COLOUR_HIGHLIGHT = '#f28e2b';
const KIND_NAMES = ['engine', 'node', 'topic'];

function loadData() {
  const element = document.getElementById('netmachine-data');
  const data = JSON.parse(element.textContent);
  element.textContent = ''; // the parsed copy is all we need; let the browser drop the text
  const flights = data.flights;
  const count = flights.start.length;
  let maxDuration = 0;
  const inFlight = data.statuses.indexOf('in-flight');
  for (let index = 0; index < count; index++) {
    if (flights.status[index] !== inFlight) maxDuration = Math.max(maxDuration, flights.end[index] - flights.start[index]);
  }
  data.maxFlightMs = maxDuration;
  data.children = data.messages.parent.map(() => null);
  data.messages.parent.forEach((parent, index) => {
    if (parent < 0) return;
    (data.children[parent] ||= []).push(index);
  });
  return data;
}

function reasonColour(reason) {
  return reason < 0 ? '#999' : REASON_COLOURS[reason % REASON_COLOURS.length];
}

/** [isUp, group] of node `node` at time `t` (last change at or before t). */
function stateAt(data, node, t) {
  const changes = data.states[node];
  let low = 0;
  let high = changes.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (changes[middle][0] <= t) low = middle;
    else high = middle - 1;
  }
  return changes[low];
}

/** A connection pair's state by its number of open ends. */
const CONNECTION_STATES = ['closed', 'half-open', 'open'];

/** Per connection pair, how many of its ends are open at time `t` (spans sorted by start; end -1 = still open). */
function connectionsAt(data, t) {
  const spans = data.connections;
  const ends = new Uint8Array(data.connectionPairs.a.length);
  for (let index = 0; index < spans.start.length && spans.start[index] <= t; index++) {
    if (spans.end[index] < 0 || spans.end[index] > t) ends[spans.pair[index]]++;
  }
  return ends;
}

/** First index i of the sorted `values` with values[i] >= x. */
function lowerBound(values, x) {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle] < x) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Message indices in the causal past and future of `message`, plus itself. */
function causalSet(data, message) {
  const set = new Set([message]);
  for (let parent = data.messages.parent[message]; parent >= 0 && !set.has(parent); parent = data.messages.parent[parent]) set.add(parent);
  const queue = [message];
  for (let head = 0; head < queue.length; head++) {
    for (const child of data.children[queue[head]] || []) {
      if (set.has(child)) continue;
      set.add(child);
      queue.push(child);
    }
  }
  return set;
}

/** `12.5 ms`, `1.25 s`: at most three decimals, trailing zeros trimmed. */
function formatMs(t) {
  const trim = (value) => value.toFixed(3).replace(/\.?0+$/, '');
  return Math.abs(t) >= 1000 ? `${trim(t / 1000)} s` : `${trim(t)} ms`;
}

function formatCount(n) {
  return n.toLocaleString('en-US');
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function engineLabel(data, node, engine) {
  const nodeName = node < 0 ? '?' : data.nodes[node];
  return engine < 0 ? nodeName : `${nodeName}/${data.engines[engine]}`;
}

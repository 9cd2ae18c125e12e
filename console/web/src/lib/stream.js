// One connection per tab to the projection's stream of status changes (`GET /v1/stream`,
// Server-Sent Events), read with fetch so that it can carry the token and `Last-Event-ID`.
// Every view reads it: the graph redraws on a change, the live tail lists them.
//
// Pausing never drops a burst: changes that arrive while paused are held and counted, and shown on
// resume. Past HOLD_MAX held changes the connection is closed instead of holding more; resuming
// then reconnects with the `Last-Event-ID` of the last change held, and the projection sends the
// rest. A dropped connection is resumed the same way.
import { signal } from '@preact/signals';
import { headers } from './api.js';

/** The most changes the tail keeps on screen (older ones scroll away; the log keeps them all). */
export const SHOWN_MAX = 500;
/** The most changes held while paused before the connection is closed until resume. */
export const HOLD_MAX = 5000;

/** Changes shown, newest first: `{ id, change }`. */
export const shown = signal([]);
/** Changes received while paused, not yet shown. */
export const held = signal([]);
/** Whether the tail is paused. */
export const paused = signal(false);
/** `connecting`, `live`, `held` (closed while paused) or `error: …`. */
export const state = signal('connecting');
/** The last change received (paused or not): views that must follow the log watch it. */
export const latest = signal(null);

let lastId = null;
let controller = null;
let running = false;

/** Starts the connection (once). */
export function connectStream() {
  if (running) return;
  running = true;
  loop();
}

/** Pauses the tail: changes are held and counted. */
export function pause() {
  paused.value = true;
}

/** Shows what was held and follows again (reconnecting after `lastId` if it had to close). */
export function resume() {
  const buffered = held.value;
  held.value = [];
  paused.value = false;
  shown.value = [...buffered.reverse(), ...shown.value].slice(0, SHOWN_MAX);
  if (!running) {
    running = true;
    loop();
  }
}

async function loop() {
  while (running) {
    controller = new AbortController();
    try {
      await follow(controller.signal);
      if (running) state.value = 'connecting';
    } catch (e) {
      if (e.name !== 'AbortError') state.value = `error: ${e.message}`;
    }
    if (!running) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function follow(signal) {
  const extra = { Accept: 'text/event-stream' };
  if (lastId) extra['Last-Event-ID'] = lastId;
  const response = await fetch('/api/projection/v1/stream', { headers: headers(extra), signal });
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new Error(problem?.detail || `HTTP ${response.status}`);
  }
  state.value = 'live';
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      receive(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

/** One SSE block: `id:` and `data:` lines (comments and keep-alives are ignored). */
function receive(block) {
  let id = null;
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('id:')) id = line.slice(3).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (!data.length) return;
  let change;
  try {
    change = JSON.parse(data.join('\n'));
  } catch {
    return;
  }
  if (id) lastId = id;
  const item = { id, change };
  latest.value = item;
  if (paused.value) {
    held.value = [...held.value, item];
    if (held.value.length >= HOLD_MAX) {
      running = false;
      state.value = 'held';
      controller?.abort();
    }
  } else {
    shown.value = [item, ...shown.value].slice(0, SHOWN_MAX);
  }
}

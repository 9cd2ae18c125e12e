// One connection per tab to the projection's stream of status changes (`GET /v1/stream`,
// Server-Sent Events), read with fetch so that it can carry the token and `Last-Event-ID`.
// Every view reads it: the graph redraws on a change, the live tail lists them.
//
// Pausing never drops a burst: changes that arrive while paused are held and counted, and shown on
// resume. Past HOLD_MAX held changes the connection is closed instead of holding more; resuming
// then reconnects with the `Last-Event-ID` of the last change held, and the projection sends the
// rest. A dropped connection is resumed the same way.
import { signal } from '@preact/signals';
import { readEvents } from './sse.js';

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

function follow(signal) {
  return readEvents('/api/projection/v1/stream', {
    lastId,
    signal,
    onOpen: () => {
      state.value = 'live';
    },
    onEvent: receive,
  });
}

/** One change of the stream, in order. */
function receive(id, change) {
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

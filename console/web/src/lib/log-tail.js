// The live tail of the log's events (`GET /v1/log/stream`, Server-Sent Events whose id is the
// sequence), read with fetch so that it carries the token and `Last-Event-ID`. One tail per log
// view; `onEvent` gets each event in order. Pausing holds and counts what arrives; past HOLD_MAX
// held events the connection is closed and resumed after the last one held — the server reads
// the log from there, so no burst is ever dropped. A dropped connection resumes the same way.
import { signal } from '@preact/signals';
import { query } from './api.js';
import { readEvents } from './sse.js';

/** The most events held while paused before the connection is closed until resume. */
export const HOLD_MAX = 5000;

/** A tail with its own state signals. */
export function createTail({ filters, after, onEvent }) {
  const state = signal('connecting');
  const held = signal([]);
  const paused = signal(false);
  let last = after;
  let running = true;
  let controller = null;

  function follow(signal_) {
    return readEvents(`/api/projection/v1/log/stream${query(filters)}`, {
      lastId: last,
      signal: signal_,
      onOpen: () => {
        state.value = 'live';
      },
      onEvent: receive,
    });
  }

  function receive(id, event) {
    if (!id) return;
    last = Number(id);
    if (paused.value) {
      held.value = [...held.value, event];
      if (held.value.length >= HOLD_MAX) {
        state.value = 'held';
        controller?.abort();
      }
    } else {
      onEvent(event);
    }
  }

  async function loop() {
    while (running) {
      if (paused.value && held.value.length >= HOLD_MAX) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      controller = new AbortController();
      try {
        await follow(controller.signal);
        if (running) state.value = 'connecting';
      } catch (e) {
        if (e.name !== 'AbortError') state.value = `error: ${e.message}`;
      }
      if (!running) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  loop();

  return {
    state,
    held,
    paused,
    pause() {
      paused.value = true;
    },
    resume() {
      const events = held.value;
      held.value = [];
      paused.value = false;
      for (const event of events) onEvent(event);
    },
    stop() {
      running = false;
      controller?.abort();
    },
  };
}

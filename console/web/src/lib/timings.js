// Figures the browser test prints: when the graph's first frame was drawn (ms since the page
// started loading), when every edge was, and how long each time-slider step took from the input
// to the drawn frame. Kept on `window.__liaisonTimings`.
const timings = (window.__liaisonTimings = { firstFrame: null, allEdges: null, edges: 0, steps: [], parts: [] });

/** Records how long a part of a step took (`derive`, `draw`), for finding what is slow. */
export function part(name, ms) {
  timings.parts.push([name, Math.round(ms * 10) / 10]);
  if (timings.parts.length > 200) timings.parts.shift();
}

let stepStarted = null;

/** A slider step begins (an input event). */
export function stepStart() {
  stepStarted = performance.now();
}

/** The graph has drawn `count` edges of `loaded` (`done`: every edge is loaded). */
export function drawn(count, loaded, done) {
  // After the next frame is painted: a message posted from the frame's callback runs after it.
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => record(count, loaded, done);
    channel.port2.postMessage(0);
  });
}

function record(count, loaded, done) {
  {
    const now = performance.now();
    if (count && timings.firstFrame === null) timings.firstFrame = Math.round(now);
    if (done && timings.allEdges === null) {
      timings.allEdges = Math.round(now);
      timings.edges = loaded;
    }
    if (stepStarted !== null) {
      timings.steps.push(Math.round((now - stepStarted) * 10) / 10);
      if (timings.steps.length > 200) timings.steps.shift();
      stepStarted = null;
    }
  }
}

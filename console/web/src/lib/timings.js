// Figures the browser test prints: when the graph's first frame was drawn (ms since the page
// started loading), when every edge was, and how long each time-slider step took from the input
// to the drawn frame. Kept on `window.__liaisonTimings`.
const timings = (window.__liaisonTimings = { firstFrame: null, allEdges: null, edges: 0, steps: [] });

let stepStarted = null;

/** A slider step begins (an input event). */
export function stepStart() {
  stepStarted = performance.now();
}

/** The graph has drawn `count` edges of `loaded` (`done`: every edge is loaded). */
export function drawn(count, loaded, done) {
  requestAnimationFrame(() => {
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
  });
}

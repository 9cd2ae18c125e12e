// The dense graph drawn on a <canvas>: thousands of edges in a few milliseconds, batched by style
// (colour by status, dashed for signals only, wider with more facts). Organizations are dots,
// named when few or expanded. A click on an organization expands its neighbourhood; keyboard
// users have the table of the same edges and the neighbourhood's buttons.
import { useEffect, useRef } from 'preact/hooks';
import { COLORS } from '../lib/colors.js';
import { width } from '../lib/layout.js';
import { part } from '../lib/timings.js';

const SIZE = 640;
/** Organizations named on the canvas when there are at most this many. */
const NAMED = 60;

export function GraphCanvas({ edges, at, ids, named = [], onPick, onDrawn }) {
  const ref = useRef(null);
  useEffect(() => {
    const began = performance.now();
    const canvas = ref.current;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = SIZE * ratio;
    canvas.height = SIZE * ratio;
    // Opaque: the browser composites it without blending.
    const g = canvas.getContext('2d', { alpha: false });
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.fillStyle = '#fff';
    g.fillRect(0, 0, SIZE, SIZE);
    const dense = edges.length > 2000;
    const groups = new Map();
    for (const e of edges) {
      const style = `${e.status}|${e.signalsOnly ? 1 : 0}|${Math.min(8, Math.round(width(e.facts)))}`;
      let list = groups.get(style);
      if (!list) groups.set(style, (list = []));
      list.push(e);
    }
    g.globalAlpha = dense ? 0.35 : 0.8;
    g.lineCap = 'round';
    for (const [style, list] of groups) {
      const [status, dashed, w] = style.split('|');
      g.strokeStyle = COLORS[status] || COLORS.none;
      // Dense, the widths are halved (1.5 px for one fact, up to 4): thin lines draw fast.
      g.lineWidth = Number(w) * (dense ? 0.5 : 1);
      g.setLineDash(dashed === '1' ? [6, 5] : []);
      g.beginPath();
      for (const e of list) {
        const p = at[e.a];
        const q = at[e.b];
        g.moveTo(p.x, p.y);
        g.lineTo(q.x, q.y);
      }
      g.stroke();
    }
    g.globalAlpha = 1;
    g.setLineDash([]);
    g.fillStyle = '#1d232b';
    const r = ids.length > 300 ? 1.5 : 4;
    g.beginPath();
    for (const id of ids) {
      g.moveTo(at[id].x + r, at[id].y);
      g.arc(at[id].x, at[id].y, r, 0, 2 * Math.PI);
    }
    g.fill();
    g.font = '12px system-ui, sans-serif';
    g.textAlign = 'center';
    g.lineWidth = 3;
    g.strokeStyle = '#fff';
    for (const id of ids.length <= NAMED ? ids : named.filter((n) => at[n])) {
      g.strokeText(id, at[id].x, at[id].y - 10);
      g.fillText(id, at[id].x, at[id].y - 10);
    }
    part('draw', performance.now() - began);
    onDrawn?.();
  }, [edges, at]);
  const pick = (event) => {
    const box = ref.current.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * SIZE;
    const y = ((event.clientY - box.top) / box.height) * SIZE;
    let best = null;
    let bestD = 10 * 10;
    for (const id of ids) {
      const d = (at[id].x - x) ** 2 + (at[id].y - y) ** 2;
      if (d < bestD) [best, bestD] = [id, d];
    }
    if (best) onPick?.(best);
  };
  return (
    <canvas
      ref={ref}
      class="graph"
      width={SIZE}
      height={SIZE}
      data-edges={edges.length}
      data-nodes={ids.length}
      role="img"
      aria-label={`Graph of ${ids.length} organizations and ${edges.length} relationships; the table below lists them`}
      onClick={pick}
    />
  );
}

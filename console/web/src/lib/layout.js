// Where the graph's nodes go: on a circle, in name order, so that a node keeps its place while the
// time slider adds and removes edges around it.

/** Positions `{ id → {x, y} }` of `ids` in a `size`×`size` square. */
export function circle(ids, size) {
  const sorted = [...ids].sort();
  const centre = size / 2;
  const radius = sorted.length > 1 ? size / 2 - 70 : 0;
  const out = {};
  sorted.forEach((id, i) => {
    const angle = (2 * Math.PI * i) / sorted.length - Math.PI / 2;
    out[id] = { x: centre + radius * Math.cos(angle), y: centre + radius * Math.sin(angle) };
  });
  return out;
}

/** An edge's path between `p` and `q`, bent by `bend` (0 for a straight line) to tell apart the
 * topics of one pair. */
export function edgePath(p, q, bend) {
  if (!bend) return `M${p.x},${p.y} L${q.x},${q.y}`;
  const mx = (p.x + q.x) / 2;
  const my = (p.y + q.y) / 2;
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  const length = Math.hypot(dx, dy) || 1;
  const cx = mx - (dy / length) * bend;
  const cy = my + (dx / length) * bend;
  return `M${p.x},${p.y} Q${cx},${cy} ${q.x},${q.y}`;
}

/** The stroke width of an edge with `facts` facts: 1.5 for one, growing slowly. */
export function width(facts) {
  return 1.5 + Math.log2(Math.max(1, facts)) * 1.2;
}

/** Positions with the `centre` organizations (an expanded neighbourhood) on a small inner circle
 * (one alone in the middle) and the others around them, each circle in name order. */
export function focused(centre, ids, size) {
  const inner = centre.filter((id) => ids.includes(id));
  const outer = ids.filter((id) => !inner.includes(id));
  const out = circle(outer, size);
  const ring = circle(inner, size);
  const half = size / 2;
  const shrink = inner.length > 1 ? 0.3 : 0;
  for (const id of inner) {
    out[id] = { x: half + (ring[id].x - half) * shrink, y: half + (ring[id].y - half) * shrink };
  }
  return out;
}

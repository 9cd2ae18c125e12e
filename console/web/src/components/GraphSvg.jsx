// The graph drawn as SVG: organizations on a circle, one edge per pair and topic, coloured by
// status, dashed for signals only, wider with more facts. Each edge is a link (Tab, Enter) to
// its relationship, and carries its data as attributes for tools and tests; each organization is a
// link that expands its neighbourhood. Used while the graph is small (GraphCanvas beyond).
import { useEffect } from 'preact/hooks';
import { edgePath, width } from '../lib/layout.js';
import { href } from '../lib/route.js';

const SIZE = 640;

export function GraphSvg({ edges, asOf, at, ids, nodeHref, onDrawn }) {
  useEffect(() => onDrawn?.(), [edges, at]);
  const perPair = {};
  if (!edges.length) {
    return <p class="empty">No relationships {asOf ? `as of ${asOf}` : 'yet'} match.</p>;
  }
  return (
    <svg class="graph" viewBox={`0 0 ${SIZE} ${SIZE}`} role="group" aria-label="Graph">
      {edges.map((e) => {
        const pair = `${e.a}|${e.b}`;
        const index = (perPair[pair] = (perPair[pair] ?? -1) + 1);
        const bend = index === 0 ? 0 : (index % 2 ? 1 : -1) * Math.ceil(index / 2) * 28;
        const label = `${e.a} – ${e.b} on ${e.topic}: ${e.signalsOnly ? 'signals only' : e.status}`;
        return (
          <a
            href={href('relationship', [e.a, e.b], { topic: e.topic, as_of: asOf })}
            aria-label={label}
            class="edge-link"
          >
            <path
              class={`edge status-${e.status}${e.signalsOnly ? ' signals-only' : ''}`}
              d={edgePath(at[e.a], at[e.b], bend)}
              stroke-width={width(e.facts)}
              data-edge={e.key}
              data-a={e.a}
              data-b={e.b}
              data-topic={e.topic}
              data-status={e.status}
              data-facts={e.facts}
            >
              <title>{label}</title>
            </path>
          </a>
        );
      })}
      {ids.map((id) => (
        <a href={nodeHref(id)} aria-label={`${id}: expand its neighbourhood`} class="node-link">
          <g class="node" transform={`translate(${at[id].x},${at[id].y})`} data-node={id}>
            <circle r="7" />
            <text y="-12" text-anchor="middle">
              {id}
            </text>
          </g>
        </a>
      ))}
    </svg>
  );
}

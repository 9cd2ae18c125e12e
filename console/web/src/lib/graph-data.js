// The graph's data: every relationship as of a date, as edges. Relationships above `none` and the
// pairs with signals only (`status=none`) are paged in from the projection's
// `GET /v1/relationships`, up to MAX_EDGES.
import { api } from './api.js';

/** Relationships per page (the projection's largest page). */
const PAGE = 500;
/** Facts listed per relationship: counts up to this many give an edge its width. */
export const FACTS = 20;
/** The most edges loaded. */
export const MAX_EDGES = 10000;

/** One edge: a pair on a topic. */
export function edgeOf(view) {
  const [a, b] = view.organizations;
  const facts = (view.events?.length || 0) + (view.signals?.length || 0);
  return {
    key: `${a}|${b}|${view.topic}`,
    a,
    b,
    topic: view.topic,
    status: view.status,
    since: view.since || null,
    facts,
    signalsOnly: view.status === 'none',
    earliest: earliestTime(view),
  };
}

function earliestTime(view) {
  const times = [...(view.events || []), ...(view.signals || [])].map((f) => f.time);
  return times.sort()[0] || null;
}

/** Every edge as of `asOf` ('' for now); `truncated` when MAX_EDGES were reached. */
export async function loadEdges(asOf, signal) {
  const edges = [];
  let truncated = false;
  for (const status of [undefined, 'none']) {
    let cursor;
    do {
      const page = await api('projection', '/v1/relationships', {
        params: { status, as_of: asOf, limit: PAGE, facts: FACTS, cursor },
        signal,
      });
      edges.push(...page.relationships.map(edgeOf));
      cursor = page.next_cursor;
      if (edges.length >= MAX_EDGES) {
        truncated = Boolean(cursor);
        cursor = undefined;
      }
    } while (cursor);
  }
  return { edges: edges.slice(0, MAX_EDGES), truncated };
}

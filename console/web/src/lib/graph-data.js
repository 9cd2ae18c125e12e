// The graph's data: every relationship as it stands now, with its status ladder (which fact moved
// it, when), paged in from the projection's `GET /v1/relationships?ladder=true` — those above
// `none` and the pairs with signals only — up to MAX_EDGES. From the ladders the graph as of any
// earlier date is derived here, without asking again, so the time slider redraws at once.
import { api } from './api.js';

/** Relationships per page (the projection's largest page); the first is smaller, to draw sooner. */
const PAGE = 500;
const FIRST_PAGE = 150;
/** Facts listed per relationship: their factualities feed the filter. */
export const FACTS = 5;
/** The most edges loaded. */
export const MAX_EDGES = 20000;

const ms = (time) => Date.parse(time.length === 10 ? `${time}T00:00:00Z` : time);

/** One edge, as it stands now: a pair on a topic, with what it needs to be shown as of a date. */
export function edgeOf(view) {
  const [a, b] = view.organizations;
  const listed = [...(view.events || []), ...(view.signals || [])].map((f) => ({
    at: ms(f.time),
    factuality: f.factuality,
  }));
  listed.sort((x, y) => x.at - y.at);
  const earliest = view.earliest || listed[0]?.time;
  return {
    key: `${a}|${b}|${view.topic}`,
    a,
    b,
    topic: view.topic,
    ladder: (view.ladder || []).map((s) => ({ at: ms(s.time), status: s.after, since: s.time })),
    earliestAt: earliest ? ms(earliest) : listed[0]?.at ?? 0,
    earliest: view.earliest || null,
    count: view.fact_count ?? listed.length,
    listed,
    now: { status: view.status, since: view.since || null },
  };
}

/** The last instant `asOf` includes ('' is now; a date includes its whole day). */
export function boundOf(asOf) {
  if (!asOf) return Infinity;
  return asOf.length === 10 ? ms(`${asOf}T23:59:59.999Z`) : ms(asOf);
}

/** The edge as of `bound` (from boundOf): null when it had no fact yet. */
export function asOfEdge(edge, bound) {
  if (edge.earliestAt > bound) return null;
  let status = 'none';
  let since = null;
  if (bound === Infinity) {
    ({ status, since } = edge.now);
  } else {
    for (const step of edge.ladder) {
      if (step.at > bound) break;
      status = step.status;
      since = step.since;
    }
  }
  // Facts by then: the listed ones are the latest; the older unlisted ones count when the oldest
  // listed one had happened, and at least the earliest fact otherwise.
  const listed = edge.listed.filter((f) => f.at <= bound);
  const unlisted = edge.count - edge.listed.length;
  const facts = bound === Infinity ? edge.count : listed.length + (listed.length ? unlisted : Math.min(1, unlisted));
  return {
    key: edge.key,
    a: edge.a,
    b: edge.b,
    topic: edge.topic,
    status,
    since,
    facts: Math.max(facts, 1),
    signalsOnly: status === 'none',
    factualities: new Set(listed.map((f) => f.factuality)),
    earliest: edge.earliest,
  };
}

/** Loads every edge as it stands now, calling `onPage({ edges, done, truncated })` after each
 * page so that the graph draws while the rest arrives. */
export async function loadEdges(onPage, signal) {
  const edges = [];
  let truncated = false;
  for (const status of [undefined, 'none']) {
    let cursor;
    do {
      const page = await api('projection', '/v1/relationships', {
        params: { status, limit: edges.length ? PAGE : FIRST_PAGE, facts: FACTS, ladder: 'true', cursor },
        signal,
      });
      for (const view of page.relationships) edges.push(edgeOf(view));
      cursor = page.next_cursor;
      if (edges.length >= MAX_EDGES) {
        truncated = Boolean(cursor) || status === undefined;
        cursor = undefined;
      }
      if (cursor || status === undefined) onPage({ edges: edges.slice(0, MAX_EDGES), done: false, truncated });
    } while (cursor);
    if (edges.length >= MAX_EDGES) break;
  }
  onPage({ edges: edges.slice(0, MAX_EDGES), done: true, truncated });
}

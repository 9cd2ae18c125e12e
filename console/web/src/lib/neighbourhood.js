// Capped neighbourhood expansion: starting from one organization (`expand=meta` in the URL), its
// relationships up to a cap (`cap=`), "show more" raising it; expanding a neighbour adds it
// (`expand=meta,lg-electronics`). The strongest relationships come first.
import { STATUSES } from './statuses.js';

/** Relationships shown per expanded organization before "show more". */
export const CAP = 25;

const rank = (e) => (e.signalsOnly ? -1 : STATUSES.indexOf(e.status));

/** The edges of the neighbourhoods of `centres`, each capped at `cap`; per centre how many it
 * has and how many are shown. */
export function neighbourhood(edges, centres, cap) {
  const shown = new Map();
  const counts = {};
  for (const centre of centres) {
    const mine = edges.filter((e) => e.a === centre || e.b === centre);
    mine.sort((x, y) => rank(y) - rank(x) || x.key.localeCompare(y.key));
    counts[centre] = { total: mine.length, shown: Math.min(cap, mine.length) };
    for (const e of mine.slice(0, cap)) shown.set(e.key, e);
  }
  return { edges: [...shown.values()], counts };
}

/** `expand=` read from the URL. */
export function centresOf(params) {
  return (params.expand || '').split(',').filter(Boolean);
}

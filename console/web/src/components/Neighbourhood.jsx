// The expanded neighbourhoods: per expanded organization how many of its relationships are shown,
// "show more" to raise the cap, its neighbours to expand in turn, and a way back to the whole graph.
import { setParams } from '../lib/route.js';
import { CAP, centresOf } from '../lib/neighbourhood.js';

/** Neighbours offered for expansion, at most. */
const OFFERED = 30;

export function Neighbourhood({ params, counts, edges, cap }) {
  const centres = centresOf(params);
  const more = Object.values(counts).some((c) => c.shown < c.total);
  const neighbours = [...new Set(edges.flatMap((e) => [e.a, e.b]))].filter((id) => !centres.includes(id)).sort();
  const expand = (id) => setParams({ expand: [...centres, id].join(',') });
  return (
    <div class="neighbourhood" aria-label="Neighbourhood">
      <p>
        {centres.map((c) => (
          <span class="centre" data-centre={c} data-total={counts[c]?.total} data-shown={counts[c]?.shown}>
            <strong>{c}</strong>: {counts[c]?.shown} of {counts[c]?.total} relationships{' '}
          </span>
        ))}
        {more && (
          <button type="button" class="show-more" onClick={() => setParams({ cap: String(cap + CAP) })}>
            Show more
          </button>
        )}{' '}
        <button type="button" onClick={() => setParams({ expand: '', cap: '' })}>
          Whole graph
        </button>
      </p>
      {neighbours.length > 0 && (
        <p class="neighbours">
          Expand:{' '}
          {neighbours.slice(0, OFFERED).map((id) => (
            <button type="button" class="expand" data-org={id} onClick={() => expand(id)}>
              {id}
            </button>
          ))}
          {neighbours.length > OFFERED && <span class="note"> and {neighbours.length - OFFERED} more</span>}
        </p>
      )}
    </div>
  );
}

// The graph of organizations and their relationships as of a date, with its filters, its search,
// its neighbourhood expansion, its time slider and a table of the same edges. Everything it shows
// is in the URL: topic, status, factuality, org, expand, cap, as_of. The edges are loaded once (as
// they stand now, with their ladders) and shown as of any date without asking again.
import { useMemo } from 'preact/hooks';
import { asOfEdge, boundOf } from '../lib/graph-data.js';
import { circle, focused } from '../lib/layout.js';
import { CAP, centresOf, neighbourhood } from '../lib/neighbourhood.js';
import { href, setParams } from '../lib/route.js';
import { SIGNALS } from '../lib/statuses.js';
import { drawn, part } from '../lib/timings.js';
import { useEdges } from '../lib/use-edges.js';
import { ErrorNote } from './ErrorNote.jsx';
import { Filters } from './Filters.jsx';
import { Search } from './Search.jsx';
import { TimeSlider } from './TimeSlider.jsx';
import { GraphSvg } from './GraphSvg.jsx';
import { GraphCanvas } from './GraphCanvas.jsx';
import { EdgeTable } from './EdgeTable.jsx';
import { Neighbourhood } from './Neighbourhood.jsx';

/** Above this many edges the graph is drawn on a canvas instead of as SVG (`draw=svg` or
 * `draw=canvas` in the URL forces one, to compare them). */
const SVG_MAX = 400;
const SIZE = 640;

/** Whether an edge (as of the date) passes the filters that do not depend on the date's status. */
function passes(e, { topic, status, factuality, org }) {
  return (
    (!topic || e.topic === topic) &&
    (!org || e.a === org || e.b === org) &&
    (!status || (status === SIGNALS ? e.signalsOnly : e.status === status)) &&
    (!factuality || e.factualities.has(factuality))
  );
}

export function GraphView({ params }) {
  const asOf = params.as_of || '';
  const { edges: all, done, truncated, error, loading } = useEdges();
  const centres = centresOf(params);
  const cap = Number(params.cap) || CAP;
  const topics = useMemo(() => [...new Set((all || []).map((e) => e.topic))].sort(), [all]);
  const began = performance.now();
  const dated = useMemo(() => {
    const bound = boundOf(asOf);
    const out = [];
    for (const e of all || []) {
      const d = asOfEdge(e, bound);
      if (d) out.push(d);
    }
    return out;
  }, [all, asOf]);
  const matching = dated.filter((e) => passes(e, params));
  const near = centres.length ? neighbourhood(matching, centres, cap) : null;
  const edges = near ? near.edges : matching;
  // Positions: the expanded organizations in the middle; otherwise every organization of the
  // loaded edges on a circle, so that a node keeps its place while the slider moves.
  const placeKey = `${params.topic}|${params.org}|${centres.join(',')}`;
  const ids = [...new Set(edges.flatMap((e) => [e.a, e.b]))];
  const stable = useMemo(() => {
    if (centres.length) return null;
    const pool = (all || []).filter(
      (e) => (!params.topic || e.topic === params.topic) && (!params.org || e.a === params.org || e.b === params.org),
    );
    const poolIds = [...new Set(pool.flatMap((e) => [e.a, e.b]))];
    return circle(poolIds, SIZE);
  }, [all, placeKey]);
  const at = stable && ids.every((id) => stable[id]) ? stable : centres.length ? focused(centres, ids, SIZE) : circle(ids, SIZE);
  part('derive', performance.now() - began);
  const onDrawn = () => drawn(edges.length, all?.length || 0, done);
  const nodeHref = (id) => href('graph', [], { ...params, expand: id, cap: '' });
  const ready = all !== null && !loading;
  return (
    <section
      class="graph-view"
      aria-label="Relationship graph"
      data-state={ready ? 'ready' : 'loading'}
      data-loaded={all?.length || 0}
      data-shown={edges.length}
      data-as-of={asOf}
    >
      <div class="controls">
        <Search params={params} topics={topics} />
        <Filters params={params} topics={topics} />
        <TimeSlider asOf={asOf} edges={all || []} />
      </div>
      <ErrorNote error={error} />
      {truncated && <p class="note">Only the first {all.length} relationships are loaded.</p>}
      {!done && all && <p class="note">Loading relationships… {all.length} so far.</p>}
      {near && <Neighbourhood params={params} counts={near.counts} edges={edges} cap={cap} />}
      <div class="graph-body">
        {!edges.length ? (
          <p class="empty">{all ? `No relationships ${asOf ? `as of ${asOf}` : 'yet'} match.` : 'Loading…'}</p>
        ) : params.draw === 'svg' || (edges.length <= SVG_MAX && params.draw !== 'canvas') ? (
          <GraphSvg edges={edges} asOf={asOf} at={at} ids={ids} nodeHref={nodeHref} onDrawn={onDrawn} />
        ) : (
          <GraphCanvas
            edges={edges}
            at={at}
            ids={ids}
            named={centres}
            onPick={(id) => setParams({ expand: id, cap: '' })}
            onDrawn={onDrawn}
          />
        )}
        <EdgeTable edges={edges} asOf={asOf} />
      </div>
    </section>
  );
}

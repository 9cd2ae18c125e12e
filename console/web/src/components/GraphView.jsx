// The graph of organizations and their relationships as of a date, with its filters, its time
// slider and a table of the same edges. Everything it shows is in the URL: topic, status, as_of.
import { loadEdges } from '../lib/graph-data.js';
import { SIGNALS } from '../lib/statuses.js';
import { useLoad } from '../lib/use-load.js';
import { ErrorNote } from './ErrorNote.jsx';
import { Filters } from './Filters.jsx';
import { TimeSlider } from './TimeSlider.jsx';
import { GraphSvg } from './GraphSvg.jsx';
import { EdgeTable } from './EdgeTable.jsx';

/** The edges passing the topic and status filters. */
function filtered(edges, { topic, status }) {
  return edges.filter(
    (e) =>
      (!topic || e.topic === topic) &&
      (!status || (status === SIGNALS ? e.signalsOnly : e.status === status)),
  );
}

/** Every topic any load has shown, so the filter offers them while travelling back in time. */
const topicsSeen = new Set();

export function GraphView({ params }) {
  const asOf = params.as_of || '';
  const { data, error, loading } = useLoad((signal) => loadEdges(asOf, signal), [asOf]);
  const edges = data ? filtered(data.edges, params) : [];
  for (const e of data?.edges || []) topicsSeen.add(e.topic);
  const topics = [...topicsSeen].sort();
  return (
    <section
      class="graph-view"
      aria-label="Relationship graph"
      data-state={loading || !data ? 'loading' : 'ready'}
      data-as-of={asOf}
    >
      <div class="controls">
        <Filters params={params} topics={topics} />
        <TimeSlider asOf={asOf} edges={data?.edges || []} />
      </div>
      <ErrorNote error={error} />
      {data?.truncated && <p class="note">Only the first {data.edges.length} relationships are shown.</p>}
      <div class="graph-body">
        <GraphSvg edges={edges} asOf={asOf} />
        <EdgeTable edges={edges} asOf={asOf} />
      </div>
    </section>
  );
}

// One relationship: a pair on a topic as of a date — its status and since when, its status history
// as a ladder (which fact moved it, when), its facts and signals apart, each with its evidence (in
// the projection's answer), and earlier facts a page at a time. Without a topic, the topics of the
// pair to choose from.
import { useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { href } from '../lib/route.js';
import { useLoad } from '../lib/use-load.js';
import { ErrorNote } from './ErrorNote.jsx';
import { FactList } from './FactList.jsx';
import { PairTopics } from './PairTopics.jsx';
import { StatusLadder } from './StatusLadder.jsx';

/** Facts per page. */
const PAGE = 20;

async function loadPage(a, b, topic, asOf, before, signal) {
  const view = await api('projection', `/v1/relationships/${encodeURIComponent(a)}/${encodeURIComponent(b)}`, {
    params: { topic, as_of: asOf, limit: PAGE, before },
    signal,
  });
  return { view };
}

export function RelationshipView({ args, params }) {
  const [a, b] = args;
  const { topic } = params;
  const asOf = params.as_of || '';
  if (!a || !b) return <p class="error">A relationship needs two organizations.</p>;
  if (!topic) return <PairTopics a={a} b={b} asOf={asOf} />;
  return <TopicRelationship a={a} b={b} topic={topic} asOf={asOf} />;
}

function TopicRelationship({ a, b, topic, asOf }) {
  const { data, error, loading } = useLoad(
    (signal) => loadPage(a, b, topic, asOf, undefined, signal),
    [a, b, topic, asOf],
  );
  const [earlier, setEarlier] = useState({ key: '', pages: [], error: null });
  const key = `${a}|${b}|${topic}|${asOf}`;
  const pages = earlier.key === key ? earlier.pages : [];
  const last = pages.length ? pages[pages.length - 1].view : data?.view;
  const more = async () => {
    try {
      const page = await loadPage(a, b, topic, asOf, last.earlier_cursor);
      setEarlier({ key, pages: [...pages, page], error: null });
    } catch (e) {
      setEarlier({ key, pages, error: e });
    }
  };
  const view = data?.view;
  const all = data ? [data, ...pages] : [];
  return (
    <article class="relationship" data-state={loading || !data ? 'loading' : 'ready'} data-status={view?.status}>
      <p>
        <a href={href('graph', [], { topic, as_of: asOf })}>← Graph</a>
      </p>
      <h1>
        {a} – {b} <span class="topic">on {topic}</span>
      </h1>
      <ErrorNote error={error} />
      {view && (
        <p class="summary">
          <span class={`badge status-${view.status}`} data-status={view.status}>
            {view.status}
          </span>{' '}
          {view.since ? `since ${view.since}` : 'no fact moved it yet'}
          {asOf ? ` (as of ${asOf})` : ''}
        </p>
      )}
      <h2>Status history</h2>
      {view && <StatusLadder ladder={view.ladder} />}
      <h2>Facts</h2>
      <FactList facts={all.flatMap((p) => p.view.events)} />
      <h2>Signals</h2>
      <p class="note">Planned, possible, reported or denied: they do not move the status.</p>
      <FactList facts={all.flatMap((p) => p.view.signals)} />
      <ErrorNote error={earlier.error} />
      {last?.earlier_cursor && (
        <button type="button" onClick={more}>
          Earlier facts
        </button>
      )}
    </article>
  );
}

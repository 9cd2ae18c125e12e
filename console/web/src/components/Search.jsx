// The search box: organizations by id, name or alias (the projection's `GET /v1/organizations?q=`),
// the topics of the graph, and an event by its id (`GET /v1/events/{id}/relationships`). Each
// result is a link: an organization expands its neighbourhood, a topic filters, an event opens
// its relationship on its date.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { href } from '../lib/route.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Results of each kind, at most. */
const SHOWN = 8;

async function find(q, topics, signal) {
  const out = [];
  if (UUID.test(q)) {
    try {
      const found = await api('projection', `/v1/events/${q.toLowerCase()}/relationships`, { signal });
      const day = found.time.slice(0, 10);
      for (const r of found.relationships) {
        out.push({
          kind: 'event',
          id: found.id,
          label: `event #${found.sequence} · ${r.organizations.join(' – ')} on ${r.topic} · ${day}`,
          href: href('relationship', r.organizations, { topic: r.topic, as_of: day }),
        });
      }
    } catch (e) {
      if (e.status !== 404) throw e;
    }
    return out;
  }
  const lower = q.toLowerCase();
  for (const t of topics.filter((t) => t.includes(lower)).slice(0, SHOWN)) {
    out.push({ kind: 'topic', id: t, label: `topic ${t}`, href: href('graph', [], { topic: t }) });
  }
  const page = await api('projection', '/v1/organizations', { params: { q, limit: SHOWN }, signal });
  for (const o of page.organizations) {
    const aliases = o.aliases?.length ? ` (${o.aliases.join(', ')})` : '';
    out.push({ kind: 'organization', id: o.id, label: `${o.name}${aliases}`, href: href('graph', [], { expand: o.id }) });
  }
  return out;
}

export function Search({ topics }) {
  const [q, setQ] = useState('');
  const [state, setState] = useState({ q: '', results: [], error: null });
  useEffect(() => {
    const text = q.trim();
    if (!text) return setState({ q: '', results: [], error: null });
    const controller = new AbortController();
    const timer = setTimeout(() => {
      find(text, topics, controller.signal)
        .then((results) => setState({ q: text, results, error: null }))
        .catch((error) => error.name !== 'AbortError' && setState({ q: text, results: [], error }));
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);
  const done = state.q === q.trim();
  return (
    <div class="search" role="search">
      <label>
        Search{' '}
        <input
          type="search"
          name="q"
          placeholder="organization, alias, topic or event id"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
      </label>
      {q.trim() && (
        <ul class="results" data-state={done ? 'ready' : 'loading'} aria-live="polite">
          {state.error && <li class="error">{state.error.message}</li>}
          {done && !state.results.length && !state.error && <li class="empty">Nothing found.</li>}
          {state.results.map((r) => (
            <li data-kind={r.kind} data-id={r.id}>
              <a href={r.href} onClick={() => setQ('')}>
                {r.label}
              </a>{' '}
              <span class="note">{r.kind}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

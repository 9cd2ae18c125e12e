// The topics of a pair, each with its status, to open one.
import { api } from '../lib/api.js';
import { href } from '../lib/route.js';
import { useLoad } from '../lib/use-load.js';
import { ErrorNote } from './ErrorNote.jsx';

export function PairTopics({ a, b, asOf }) {
  const { data, error } = useLoad(
    (signal) =>
      api('projection', `/v1/relationships/${encodeURIComponent(a)}/${encodeURIComponent(b)}`, {
        params: { as_of: asOf, limit: 1 },
        signal,
      }),
    [a, b, asOf],
  );
  return (
    <article class="relationship">
      <h1>
        {a} – {b}
      </h1>
      <ErrorNote error={error} />
      <ul class="topics">
        {(data?.topics || []).map((t) => (
          <li>
            <a href={href('relationship', [a, b], { topic: t.topic, as_of: asOf })}>{t.topic}</a>{' '}
            <span class={`badge status-${t.status}`}>{t.status}</span>
          </li>
        ))}
      </ul>
    </article>
  );
}

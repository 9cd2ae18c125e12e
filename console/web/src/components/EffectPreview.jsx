// What accepting the candidate would change, before it is accepted: for each pair-topic its
// status now → after (the projection's preview, nothing stored) and the alert rules that would
// fire (the notifier's preview).
import { href } from '../lib/route.js';
import { useLoad } from '../lib/use-load.js';
import { effectOf } from '../lib/review.js';
import { ErrorNote } from './ErrorNote.jsx';

function Status({ at }) {
  return (
    <span class={`badge status-${at.status}`}>
      {at.status}
      {at.since ? ` since ${at.since}` : ''}
    </span>
  );
}

export function EffectPreview({ event }) {
  const { data, error, loading } = useLoad((signal) => effectOf(event, signal), [event]);
  const effects = data?.preview.effects || [];
  const firings = data?.rules.firings || [];
  return (
    <aside class="effect" data-state={loading ? 'loading' : 'ready'} aria-label="Effect preview">
      <h2>If accepted</h2>
      <ErrorNote error={error} />
      {data?.preview.already_applied && <p class="note">Its event is in the log already.</p>}
      {data && !effects.length && <p class="empty">It concerns no relationship.</p>}
      {effects.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Pair</th>
              <th>Topic</th>
              <th>Now → after</th>
            </tr>
          </thead>
          <tbody>
            {effects.map((e) => (
              <tr
                data-pair={`${e.a}|${e.b}|${e.topic}`}
                data-now={e.now.status}
                data-after={e.after.status}
                class={e.changed ? 'changed' : ''}
              >
                <td>
                  <a href={href('relationship', [e.a, e.b], { topic: e.topic })}>
                    {e.a} – {e.b}
                  </a>
                </td>
                <td>{e.topic}</td>
                <td>
                  <Status at={e.now} /> → <Status at={e.after} />
                  {!e.changed && <span class="note"> (no change)</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && effects.length > 0 && (
        <>
          <h3>Alert rules that would fire</h3>
          {data.rulesError ? (
            <ErrorNote error={data.rulesError} />
          ) : firings.length ? (
            <ul class="firings">
              {firings.map((f) => {
                const e = effects[f.transition];
                return (
                  <li class="firing" data-rule={f.rule}>
                    <strong>{f.name || f.rule}</strong>
                    {f.builtin ? ' (built-in)' : ''} for {e.a} – {e.b} on {e.topic}
                  </li>
                );
              })}
            </ul>
          ) : (
            <p class="empty" data-firings="0">None.</p>
          )}
        </>
      )}
    </aside>
  );
}

// Health: each service's readiness checks (connected, following the log, lag) and the entries it
// quarantined; reloaded as the log moves on.
import { loadHealth } from '../lib/health.js';
import { useLoad } from '../lib/use-load.js';
import { ErrorNote } from './ErrorNote.jsx';

export function HealthView() {
  const { data, error } = useLoad((signal) => loadHealth(signal), []);
  return (
    <section class="health" aria-label="Health">
      <h1>Health</h1>
      <ErrorNote error={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Ready</th>
            <th scope="col">Checks</th>
            <th scope="col">Quarantined</th>
          </tr>
        </thead>
        <tbody>
          {(data || []).map((s) => (
            <tr data-service={s.service} data-ready={String(s.ready)}>
              <td>{s.service}</td>
              <td>
                <span class={`badge ${s.ready ? 'status-active' : 'status-ended'}`}>
                  {s.ready ? 'ready' : 'not ready'}
                </span>
              </td>
              <td>
                {s.error ? (
                  <span class="note">{s.error}</span>
                ) : (
                  <ul class="checks">
                    {Object.entries(s.checks).map(([name, check]) => (
                      <li>
                        <strong>{name}</strong>: {check.detail}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                <Quarantine held={s.quarantine} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Quarantine({ held }) {
  if (!held) return <span class="note">—</span>;
  if (held.locked) return <span class="note">sign in to see</span>;
  if (!held.total) return <span>none</span>;
  return (
    <details>
      <summary>{held.total}</summary>
      <ul>
        {held.entries.map((e) => (
          <li>
            #{e.sequence} {e.subject}: {e.reasons.join('; ')}
          </li>
        ))}
      </ul>
    </details>
  );
}

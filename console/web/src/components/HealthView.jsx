// Health: each service's readiness checks (connected, following the log, lag), each follower's
// checkpoint against the head of its stream with its apply rate, and the entries it quarantined;
// the projection's rebuild. Reloaded as the log moves on, and every POLL_MS.
import { useEffect, useState } from 'preact/hooks';
import { loadHealth } from '../lib/health.js';
import { useLoad } from '../lib/use-load.js';
import { ErrorNote } from './ErrorNote.jsx';
import { Followers } from './Followers.jsx';
import { RebuildPanel } from './RebuildPanel.jsx';

/** How often the view reads the services again (the apply rate moves without status changes). */
const POLL_MS = 2000;

export function HealthView() {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), POLL_MS);
    return () => clearInterval(timer);
  }, []);
  const { data, error } = useLoad((signal) => loadHealth(signal), [tick]);
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
            <th scope="col">Followers</th>
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
                <Followers status={s.status} />
              </td>
              <td>
                <Quarantine held={s.quarantine} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <RebuildPanel />
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

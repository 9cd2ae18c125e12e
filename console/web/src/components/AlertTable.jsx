// Alerts, newest first, each with the pair and topic that moved (linking to the organizations
// and the relationship), its state, and every delivery attempt per target (when, ok or the class
// of failure); redeliver starts a new round (the write token).
import { useState } from 'preact/hooks';
import { describeWrite, redeliver } from '../lib/alerts.js';
import { href } from '../lib/route.js';

function Attempts({ delivery }) {
  return (
    <li data-kind={delivery.kind} data-attempts={delivery.attempts.length}>
      <strong>{delivery.kind}</strong> <span class={`badge state-${delivery.state}`}>{delivery.state}</span>
      <ol class="attempts">
        {delivery.attempts.map((a) => (
          <li class="attempt" data-ok={String(a.ok)}>
            <time dateTime={a.at}>{a.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time> {a.ok ? 'ok' : 'failed'}:{' '}
            {a.detail}
          </li>
        ))}
      </ol>
    </li>
  );
}

function AlertRow({ alert, onChange }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [a, b] = alert.organizations;
  const again = async () => {
    setBusy(true);
    setError(null);
    try {
      await redeliver(alert.id);
      onChange();
    } catch (e) {
      setError(describeWrite(e));
    } finally {
      setBusy(false);
    }
  };
  const attempts = alert.deliveries.reduce((n, d) => n + d.attempts.length, 0);
  return (
    <tr data-alert={alert.id} data-rule={alert.rule} data-attempts={attempts}>
      <td>
        <strong>{alert.rule}</strong>
        <div class="note">{alert.time}</div>
      </td>
      <td>
        <a href={href('org', [a])}>{a}</a> – <a href={href('org', [b])}>{b}</a> on{' '}
        <a href={href('relationship', [a, b], { topic: alert.topic })}>{alert.topic}</a>: {alert.previous_status} → <span class={`badge status-${alert.status}`}>{alert.status}</span>
      </td>
      <td>
        <span class={`badge state-${alert.state}`}>{alert.state}</span>
        <ul class="deliveries">
          {alert.deliveries.map((d) => (
            <Attempts delivery={d} />
          ))}
        </ul>
      </td>
      <td>
        <button type="button" onClick={again} disabled={busy}>
          Redeliver
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

export function AlertTable({ alerts, onChange }) {
  if (!alerts.length) return <p class="empty">No alerts.</p>;
  return (
    <table class="alerts">
      <thead>
        <tr>
          <th scope="col">Rule</th>
          <th scope="col">Change</th>
          <th scope="col">Delivery</th>
          <th scope="col"></th>
        </tr>
      </thead>
      <tbody>
        {[...alerts].reverse().map((alert) => (
          <AlertRow alert={alert} onChange={onChange} />
        ))}
      </tbody>
    </table>
  );
}

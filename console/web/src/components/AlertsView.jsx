// Alerts: the notifier's rules (create from a form, delete) and its alerts with every delivery
// attempt (redeliver). Reads need a token whenever one is configured; writes the write token.
// `#/alerts?rule=&state=` filters the alerts.
import { useState } from 'preact/hooks';
import { listAlerts, listRules } from '../lib/alerts.js';
import { setParams } from '../lib/route.js';
import { token } from '../lib/token.js';
import { useLoad } from '../lib/use-load.js';
import { AlertTable } from './AlertTable.jsx';
import { ErrorNote } from './ErrorNote.jsx';
import { RuleForm } from './RuleForm.jsx';
import { RuleTable } from './RuleTable.jsx';

const STATES = ['pending', 'delivered', 'failed'];

export function AlertsView({ params }) {
  const rule = params.rule || '';
  const state = params.state || '';
  // Bumped after a write, so that the lists are read again at once.
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  const signedIn = token.value;
  const rules = useLoad((signal) => listRules(undefined, signal), [version, signedIn]);
  const alerts = useLoad((signal) => listAlerts({ rule, state }, signal), [rule, state, version, signedIn]);
  // Later pages (the notifier lists alerts in log order, oldest first), for the current filters.
  const key = `${rule}|${state}|${version}|${signedIn}`;
  const [later, setLater] = useState({ key: '', pages: [], error: null });
  const pages = later.key === key ? later.pages : [];
  const all = alerts.data ? [alerts.data, ...pages] : [];
  const next = all.length ? all[all.length - 1].next_cursor : null;
  const more = async () => {
    try {
      const page = await listAlerts({ rule, state, cursor: next });
      setLater({ key, pages: [...pages, page], error: null });
    } catch (e) {
      setLater({ key, pages, error: e });
    }
  };
  const ready = !rules.loading && !alerts.loading;
  return (
    <section class="alerts-view" aria-label="Alerts" data-state={ready ? 'ready' : 'loading'}>
      <h1>Alerts and rules</h1>
      {!signedIn && (
        <p class="note">Rules and alerts need a token when one is configured: sign in (top right).</p>
      )}
      <h2>Alerts</h2>
      <div class="filters">
        <label>
          Rule{' '}
          <select name="rule" value={rule} onChange={(e) => setParams({ rule: e.currentTarget.value })}>
            <option value="">any</option>
            {(rules.data?.rules || []).map((r) => (
              <option value={r.id}>{r.id}</option>
            ))}
          </select>
        </label>
        <label>
          State{' '}
          <select name="state" value={state} onChange={(e) => setParams({ state: e.currentTarget.value })}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={alerts.error || later.error} />
      <AlertTable alerts={all.flatMap((p) => p.alerts)} onChange={changed} />
      {next && (
        <button type="button" onClick={more}>
          Later alerts
        </button>
      )}
      <h2>Rules</h2>
      <ErrorNote error={rules.error} />
      <RuleTable rules={rules.data?.rules || []} onChange={changed} />
      {rules.data?.next_cursor && <p class="note">More rules than shown (the first {rules.data.rules.length}).</p>}
      <RuleForm onCreated={changed} />
    </section>
  );
}

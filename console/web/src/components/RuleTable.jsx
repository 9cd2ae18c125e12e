// The rules in force: what each matches and where its alerts go (a webhook secret only as
// `sealed:<key id>`); a rule that is not built in can be deleted (the write token).
import { useState } from 'preact/hooks';
import { deleteRule, describeWrite } from '../lib/alerts.js';

function matchText(m) {
  const parts = [];
  if (m.organizations?.length) parts.push(`${m.organizations_mode || 'any'} of ${m.organizations.join(', ')}`);
  if (m.topics?.length) parts.push(`topics ${m.topics.join(', ')}`);
  if (m.event_types?.length) parts.push(`types ${m.event_types.join(', ')}`);
  if (m.factuality?.length) parts.push(`factuality ${m.factuality.join(', ')}`);
  if (m.status?.length) parts.push(`into ${m.status.join(', ')}`);
  return parts.join('; ') || 'everything';
}

function deliverText(rule) {
  const out = [rule.subject];
  if (rule.deliver?.nats_subject) out.push(rule.deliver.nats_subject);
  if (rule.deliver?.webhook) out.push(`${rule.deliver.webhook.url} (secret ${rule.deliver.webhook.secret})`);
  return out.join(', ');
}

export function RuleTable({ rules, onChange }) {
  const [error, setError] = useState(null);
  const remove = async (id) => {
    setError(null);
    try {
      await deleteRule(id);
      onChange();
    } catch (e) {
      setError(describeWrite(e));
    }
  };
  return (
    <>
      {error && (
        <p class="error" role="alert" id="rule-error">
          {error}
        </p>
      )}
      <table class="rules">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Matches</th>
            <th scope="col">Delivers to</th>
            <th scope="col"></th>
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr data-rule={r.id}>
              <td>
                <strong>{r.id}</strong>
                {r.name && r.name !== r.id ? <div class="note">{r.name}</div> : null}
              </td>
              <td>{matchText(r.match)}</td>
              <td>
                <code>{deliverText(r)}</code>
              </td>
              <td>
                {r.builtin ? (
                  <span class="note">built in</span>
                ) : (
                  <button type="button" onClick={() => remove(r.id)} aria-label={`Delete rule ${r.id}`}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

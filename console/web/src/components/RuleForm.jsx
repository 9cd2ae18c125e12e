// A new alert rule: what it matches (organizations, topics, event types, factualities, the
// statuses it fires on entering) and where it delivers (a NATS subject, a webhook with its secret,
// sealed by the notifier and never shown back). Needs the write token.
import { useState } from 'preact/hooks';
import { createRule, describeWrite, EVENT_TYPES, FACTUALITIES, ruleOf } from '../lib/alerts.js';
import { STATUSES } from '../lib/statuses.js';

const EMPTY = {
  id: '',
  name: '',
  organizations: '',
  organizations_mode: 'any',
  topics: '',
  event_types: [],
  factuality: [],
  status: [],
  nats_subject: '',
  webhook_url: '',
  webhook_secret: '',
};

/** A group of checkboxes for `field`, one per value of `values`. */
function Choices({ legend, field, values, fields, toggle }) {
  return (
    <fieldset class="choices">
      <legend>{legend}</legend>
      {values.map((v) => (
        <label>
          <input
            type="checkbox"
            name={field}
            value={v}
            checked={fields[field].includes(v)}
            onChange={() => toggle(field, v)}
          />{' '}
          {v}
        </label>
      ))}
    </fieldset>
  );
}

export function RuleForm({ onCreated }) {
  const [fields, setFields] = useState(EMPTY);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => setFields({ ...fields, [name]: e.currentTarget.value });
  const toggle = (name, value) => {
    const now = fields[name];
    setFields({ ...fields, [name]: now.includes(value) ? now.filter((v) => v !== value) : [...now, value] });
  };
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const rule = await createRule(ruleOf(fields));
      setDone(`Rule ${rule.id} created; its alerts go to ${rule.subject}.`);
      setFields(EMPTY);
      onCreated();
    } catch (e) {
      setError(describeWrite(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="rule-form" onSubmit={submit} aria-label="New rule">
      <h3>New rule</h3>
      <div class="row">
        <label>
          Id <input name="id" required pattern="[a-z0-9][a-z0-9-]*" value={fields.id} onInput={set('id')} />
        </label>
        <label>
          Name <input name="name" value={fields.name} onInput={set('name')} />
        </label>
      </div>
      <div class="row">
        <label>
          Organizations <input name="organizations" placeholder="meta, lg-electronics" value={fields.organizations} onInput={set('organizations')} />
        </label>
        <label>
          named{' '}
          <select name="organizations_mode" value={fields.organizations_mode} onChange={set('organizations_mode')}>
            <option value="any">any of them</option>
            <option value="all">all of them</option>
          </select>
        </label>
        <label>
          Topics <input name="topics" placeholder="xr, chips" value={fields.topics} onInput={set('topics')} />
        </label>
      </div>
      <Choices legend="Fires on entering status" field="status" values={STATUSES} fields={fields} toggle={toggle} />
      <Choices legend="Event types" field="event_types" values={EVENT_TYPES} fields={fields} toggle={toggle} />
      <Choices legend="Factuality" field="factuality" values={FACTUALITIES} fields={fields} toggle={toggle} />
      <div class="row">
        <label>
          NATS subject <input name="nats_subject" placeholder="alerts.team" value={fields.nats_subject} onInput={set('nats_subject')} />
        </label>
        <label>
          Webhook URL <input name="webhook_url" type="url" placeholder="https://…" value={fields.webhook_url} onInput={set('webhook_url')} />
        </label>
        <label>
          Webhook secret{' '}
          <input
            name="webhook_secret"
            type="password"
            autocomplete="off"
            required={Boolean(fields.webhook_url.trim())}
            value={fields.webhook_secret}
            onInput={set('webhook_secret')}
          />
        </label>
      </div>
      <p class="note">Empty lists match anything. The secret is sealed by the notifier and never shown again.</p>
      <button type="submit" disabled={busy}>
        Create rule
      </button>
      {error && (
        <p class="error" role="alert" id="rule-form-error">
          {error}
        </p>
      )}
      {done && (
        <p class="note" role="status">
          {done}
        </p>
      )}
    </form>
  );
}

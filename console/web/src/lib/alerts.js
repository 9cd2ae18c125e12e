// The notifier's rules and alerts (`/api/notifier/v1/rules`, `/v1/alerts`): both need a token
// whenever one is configured (webhook URLs are often credentials); creating, deleting and
// redelivering need the write token. A webhook secret goes in clear only in the request that
// creates its rule; the notifier seals it and shows it back as `sealed:<key id>`.
import { api, ApiError } from './api.js';

/** Rules or alerts per page (the notifier's largest is 1000). */
export const PAGE = 100;

/** The event types a rule may match (CONTRACT.md, "Events"). */
export const EVENT_TYPES = [
  'meeting.held',
  'meeting.scheduled',
  'cooperation.discussed',
  'interest.expressed',
  'negotiation.reported',
  'agreement.signed',
  'partnership.announced',
  'partnership.ended',
  'procurement.planned',
  'product.launched',
  'competition.noted',
  'event.retracted',
];

/** The factualities a rule may match. */
export const FACTUALITIES = ['asserted', 'planned', 'possible', 'reported', 'negated'];

/** A page of rules: `{ rules, next_cursor }`. */
export function listRules(cursor, signal) {
  return api('notifier', '/v1/rules', { params: { limit: PAGE, cursor }, signal });
}

/** A page of alerts, newest last: `{ alerts, next_cursor }`. */
export function listAlerts({ rule, state, cursor }, signal) {
  return api('notifier', '/v1/alerts', { params: { rule, state, limit: PAGE, cursor }, signal });
}

/** Creates `rule` (`{ id, name?, match, deliver }`); the rule as the notifier answers it. */
export function createRule(rule) {
  return api('notifier', '/v1/rules', { method: 'POST', body: rule });
}

/** Deletes the rule `id`. */
export function deleteRule(id) {
  return api('notifier', `/v1/rules/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Asks for a new round of delivery of the alert `id`; the alert as it stands after. */
export function redeliver(id) {
  return api('notifier', `/v1/alerts/${encodeURIComponent(id)}/redeliver`, { method: 'POST' });
}

/** A failed write, for a person: a refused token says to sign in again. */
export function describeWrite(error) {
  const text = error.describe ? error.describe() : String(error.message || error);
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    return `The write token was refused (${text}). Sign out, then sign in with the write token (LIAISON_API_TOKEN).`;
  }
  return text;
}

/** `a, b ,c` → `['a', 'b', 'c']`. */
export function list(text) {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The rule the form's `fields` describe, as `POST /v1/rules` takes it. */
export function ruleOf(fields) {
  const match = {};
  const organizations = list(fields.organizations);
  if (organizations.length) {
    match.organizations = organizations;
    match.organizations_mode = fields.organizations_mode;
  }
  const topics = list(fields.topics);
  if (topics.length) match.topics = topics;
  if (fields.event_types.length) match.event_types = fields.event_types;
  if (fields.factuality.length) match.factuality = fields.factuality;
  if (fields.status.length) match.status = fields.status;
  const deliver = {};
  if (fields.nats_subject.trim()) deliver.nats_subject = fields.nats_subject.trim();
  if (fields.webhook_url.trim()) {
    deliver.webhook = { url: fields.webhook_url.trim(), secret: fields.webhook_secret };
  }
  const rule = { id: fields.id.trim(), match, deliver };
  if (fields.name.trim()) rule.name = fields.name.trim();
  return rule;
}

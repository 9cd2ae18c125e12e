// The review queue's calls: the reader's candidates and articles, the projection's and the
// notifier's effect previews, ingest's event schemas; and the highlighting of a sentence.
import { api } from './api.js';

/** A page of candidates (`state`, `article` as the reader filters them). */
export function listCandidates({ state, article }, signal) {
  return api('reader', '/v1/candidates', { params: { state, article, limit: 1000 }, signal });
}

/** One candidate. */
export function getCandidate(id, signal) {
  return api('reader', `/v1/candidates/${encodeURIComponent(id)}`, { signal });
}

/** An article with its candidates. */
export function getArticle(id, signal) {
  return api('reader', `/v1/articles/${encodeURIComponent(id)}`, { signal });
}

/** Accepts a candidate, as proposed or as `edited` (the whole event). */
export function accept(id, edited) {
  return api('reader', `/v1/candidates/${encodeURIComponent(id)}/accept`, {
    method: 'POST',
    body: edited,
  });
}

/** Rejects a candidate with a reason. */
export function reject(id, reason) {
  return api('reader', `/v1/candidates/${encodeURIComponent(id)}/reject`, {
    method: 'POST',
    body: { reason },
  });
}

/** Retracts an appended event through ingest (what undoing an acceptance takes). */
export function retract(eventId, reason) {
  return api('ingest', '/v1/events', {
    method: 'POST',
    body: {
      type: 'event.retracted',
      time: new Date().toISOString().slice(0, 10),
      data: { event_id: eventId, reason },
    },
  });
}

/** Posts an article to the reader; its answer (`{article, candidates}`). */
export function postArticle(body) {
  return api('reader', '/v1/articles', { method: 'POST', body });
}

/** What `event` would change: the projection's preview, then the rules it would fire. */
export async function effectOf(event, signal) {
  const preview = await api('projection', '/v1/preview', { method: 'POST', body: event, signal });
  const changed = preview.effects.filter((e) => e.changed);
  let rules = { firings: [] };
  let rulesError = null;
  if (preview.effects.length) {
    try {
      rules = await api('notifier', '/v1/rules/preview', {
        method: 'POST',
        signal,
        body: {
          event_type: preview.event_type,
          factuality: preview.factuality,
          transitions: preview.effects.map((e) => ({
            a: e.a,
            b: e.b,
            topic: e.topic,
            before: e.now.status,
            after: e.after.status,
          })),
        },
      });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      rulesError = e;
    }
  }
  return { preview, changed, rules, rulesError };
}

const schemas = new Map();

/** The JSON Schema of `data` of events of `type`, from ingest (kept for the tab's life). */
export function schemaOf(type) {
  if (!schemas.has(type)) {
    const p = api('ingest', `/v1/schemas/events/${encodeURIComponent(type)}`);
    p.catch(() => schemas.delete(type));
    schemas.set(type, p);
  }
  return schemas.get(type);
}

/**
 * `text` cut into `[{text, kind}]`: `kind` is 'org' for a mention, 'trigger' for the trigger,
 * null for the rest. Case-insensitive; the earliest and then longest match wins.
 */
export function highlight(text, mentions = [], trigger = '') {
  const terms = [
    ...mentions.filter(Boolean).map((t) => ({ t, kind: 'org' })),
    ...(trigger ? [{ t: trigger, kind: 'trigger' }] : []),
  ];
  const lower = text.toLowerCase();
  const out = [];
  let at = 0;
  while (at < text.length) {
    let best = null;
    for (const { t, kind } of terms) {
      const i = lower.indexOf(t.toLowerCase(), at);
      if (i >= 0 && (!best || i < best.i || (i === best.i && t.length > best.len))) {
        best = { i, len: t.length, kind };
      }
    }
    if (!best) break;
    if (best.i > at) out.push({ text: text.slice(at, best.i), kind: null });
    out.push({ text: text.slice(best.i, best.i + best.len), kind: best.kind });
    at = best.i + best.len;
  }
  if (at < text.length) out.push({ text: text.slice(at), kind: null });
  return out;
}

/** The sentence of `article` text that holds `trigger` (the evidence quote when there is none). */
export function sentenceOf(text, trigger) {
  if (!text || !trigger) return null;
  const i = text.toLowerCase().indexOf(trigger.toLowerCase());
  if (i < 0) return null;
  const start = Math.max(text.lastIndexOf('. ', i), text.lastIndexOf('\n', i));
  const ends = ['. ', '\n'].map((s) => text.indexOf(s, i)).filter((e) => e >= 0);
  const end = ends.length ? Math.min(...ends) + 1 : text.length;
  return text.slice(start < 0 ? 0 : start + 1, end).trim();
}

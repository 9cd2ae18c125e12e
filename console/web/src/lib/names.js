// Display names of organizations, for views that get slugs: each read once per tab from the
// projection's `GET /v1/organizations/{id}`, at most MAX_NAMES per call, the slug standing in for
// the rest and for any that cannot be read.
import { api } from './api.js';

/** The most names one view asks for. */
export const MAX_NAMES = 40;

const known = new Map();

/** `{ slug → name }` for `ids` (deduplicated, the first MAX_NAMES). */
export async function namesOf(ids, signal) {
  const wanted = [...new Set(ids)].slice(0, MAX_NAMES);
  await Promise.all(
    wanted
      .filter((id) => !known.has(id))
      .map(async (id) => {
        try {
          const org = await api('projection', `/v1/organizations/${encodeURIComponent(id)}`, { signal });
          known.set(id, org.name);
        } catch (e) {
          if (e.name === 'AbortError') throw e;
        }
      }),
  );
  return Object.fromEntries(wanted.filter((id) => known.has(id)).map((id) => [id, known.get(id)]));
}

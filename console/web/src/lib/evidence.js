// The evidence of a relationship's facts. The relationship answer lists each fact by reference
// (id, type, time, factuality, summary); the evidence is in the event itself, which the
// organization's timeline serves. A bounded number of timeline pages is read.
import { api } from './api.js';

/** Timeline pages read at most, of 1000 events each. */
const MAX_PAGES = 5;

/** `{ eventId → evidence }` for the events `ids` naming `org`, as of `asOf`. */
export async function evidenceFor(org, ids, asOf, signal) {
  const wanted = new Set(ids);
  const found = {};
  let cursor;
  let pages = 0;
  while (wanted.size && pages < MAX_PAGES) {
    const page = await api('projection', `/v1/organizations/${encodeURIComponent(org)}/timeline`, {
      params: { limit: 1000, as_of: asOf, cursor },
      signal,
    });
    for (const event of page.items) {
      if (wanted.delete(event.id)) found[event.id] = event.data?.evidence || null;
    }
    pages += 1;
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return found;
}

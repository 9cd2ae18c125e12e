// The append that would recreate an event: as a `liaison emit` command and as a curl call to
// ingest's `POST /v1/events` (same id, so running it again appends nothing new).

/** Quotes `text` for a POSIX shell. */
export function shellQuote(text) {
  return `'${String(text).replace(/'/g, `'\\''`)}'`;
}

/** The client event of a stored one: `id`, `type`, `time`, `data`. */
export function clientEvent(event) {
  return { id: event.id, type: event.type, time: event.time, data: event.data };
}

/** `liaison emit …` that appends this event. */
export function asLiaison(event) {
  return [
    'liaison emit',
    `--id ${event.id}`,
    `--type ${event.type}`,
    `--time ${shellQuote(event.time)}`,
    `--data ${shellQuote(JSON.stringify(event.data))}`,
  ].join(' \\\n    ');
}

/** `curl …` that appends this event through ingest. */
export function asCurl(event) {
  return [
    'curl -sS -X POST "${LIAISON_INGEST_URL:-http://127.0.0.1:7401}/v1/events"',
    '-H "Authorization: Bearer $LIAISON_API_TOKEN"',
    "-H 'Content-Type: application/json'",
    `--data ${shellQuote(JSON.stringify(clientEvent(event)))}`,
  ].join(' \\\n    ');
}

// Reading a Server-Sent Events stream with fetch (so that it carries the token and
// `Last-Event-ID`, which EventSource cannot): the one reader behind the status-change stream
// (stream.js) and the log's live tail (log-tail.js). Comments and keep-alives are skipped, as
// are blocks without data or whose data is not JSON.
import { headers } from './api.js';

/**
 * Opens `url` with `Last-Event-ID: lastId` (when given), calls `onOpen` once the server accepted,
 * then `onEvent(id, value)` for each event in order, until the stream ends (returns) or `signal`
 * aborts (throws AbortError). A refusal throws with the problem's detail.
 */
export async function readEvents(url, { lastId, signal, onOpen, onEvent }) {
  const extra = { Accept: 'text/event-stream' };
  if (lastId !== null && lastId !== undefined) extra['Last-Event-ID'] = String(lastId);
  const response = await fetch(url, { headers: headers(extra), signal });
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new Error(problem?.detail || `HTTP ${response.status}`);
  }
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseBlock(block);
      if (event) onEvent(event.id, event.value);
    }
  }
}

/** One SSE block: its `id:` (or null) and its `data:` lines parsed as JSON; null when it has none. */
function parseBlock(block) {
  let id = null;
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('id:')) id = line.slice(3).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (!data.length) return null;
  try {
    return { id, value: JSON.parse(data.join('\n')) };
  } catch {
    return null;
  }
}

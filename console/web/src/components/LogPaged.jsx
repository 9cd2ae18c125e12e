// The log with a filter: its matching events in sequence order, filtered on the server, a page at
// a time as you scroll (either way), seekable by sequence; a live tail that appends new events at
// the end, pauses (counting what arrives) and resumes by Last-Event-ID; the selected event's
// detail. Where the matches lie in the log is unknown until read, so the scrollbar covers the
// rows loaded (the unfiltered log is LogVirtual's: its scrollbar covers the whole log).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../lib/api.js';
import { createTail } from '../lib/log-tail.js';
import { setParams } from '../lib/route.js';
import { LogDetail } from './LogDetail.jsx';
import { LogFilters } from './LogFilters.jsx';
import { LogList } from './LogList.jsx';
import { TailToggle, tailNote } from './TailToggle.jsx';

/** Entries on a page; the most kept loaded (the far end is dropped past it). */
const LIMIT = 100;
const KEEP = 3000;
/** "the end": a `before` past any sequence. */
const END = Number.MAX_SAFE_INTEGER;

function filtersOf(params) {
  const { type, org, topic, factuality, from, to } = params;
  return { type, org, topic, factuality, from, to };
}

export function LogPaged({ params }) {
  const filters = filtersOf(params);
  const key = JSON.stringify([filters, params.seq || '']);
  const [log, setLog] = useState({ entries: [], next: null, prev: null, first: 0, last: 0 });
  const [status, setStatus] = useState({ state: 'loading', request: '', error: null, note: '' });
  const [shift, setShift] = useState({ rows: 0 });
  const [tail, setTail] = useState(null);
  const [loadRequest, setLoadRequest] = useState('');
  const busy = useRef(false);
  const logRef = useRef(log);
  logRef.current = log;

  async function page(extra) {
    const p = { ...filters, limit: LIMIT, ...extra };
    const request = `/v1/log${query(p)}`;
    setStatus((s) => ({ ...s, request }));
    return api('projection', '/v1/log', { params: p });
  }

  // A fresh load when the filters or the seek change.
  useEffect(() => {
    let gone = false;
    setStatus({ state: 'loading', request: '', error: null, note: '' });
    const start = params.seq ? { seq: params.seq } : { before: END };
    setLoadRequest(`/v1/log${query({ ...filters, limit: LIMIT, ...start })}`);
    page(start).then(
      (p) => {
        if (gone) return;
        setLog({
          entries: p.entries,
          next: p.next_after ?? null,
          prev: p.prev_before ?? null,
          first: p.range_first,
          last: p.last_sequence,
        });
        setStatus((s) => ({ ...s, state: 'ready', note: note(p) }));
        setShift({ to: params.seq ? 'start' : 'end' });
      },
      (e) => !gone && setStatus((s) => ({ ...s, state: 'error', error: e.describe() })),
    );
    return () => {
      gone = true;
    };
  }, [key]);

  // The live tail, from the log's end as it was loaded: only while the list reaches the end.
  const atEnd = status.state === 'ready' && log.next === null;
  useEffect(() => {
    if (!atEnd) return undefined;
    // The tail filters on the server by type, organization, topic and factuality; business
    // time (`from`, `to`) is checked here, as the page does on the server.
    const { from, to, ...streamed } = filters;
    const t = createTail({
      filters: streamed,
      after: logRef.current.last,
      onEvent: (event) =>
        setLog((l) => {
          if (!inTime(event.time, from, to)) return l;
          if (l.entries.length && l.entries[l.entries.length - 1].sequence >= event.sequence) return l;
          const entries = [...l.entries, event];
          const drop = Math.max(0, entries.length - KEEP);
          return {
            ...l,
            entries: entries.slice(drop),
            prev: drop ? entries[drop].sequence : l.prev,
            last: Math.max(l.last, event.sequence),
          };
        }),
    });
    setTail(t);
    return () => {
      t.stop();
      setTail(null);
    };
  }, [key, atEnd]);

  async function near(side) {
    const l = logRef.current;
    const cursor = side === 'after' ? l.next : l.prev;
    if (busy.current || cursor === null || status.state !== 'ready') return;
    busy.current = true;
    try {
      const p = await page(side === 'after' ? { after: cursor } : { before: cursor });
      setStatus((s) => ({ ...s, note: note(p) }));
      setLog((l2) => {
        if (side === 'after') {
          const entries = [...l2.entries, ...p.entries];
          const drop = Math.max(0, entries.length - KEEP);
          if (drop) setShift({ rows: -drop });
          return {
            ...l2,
            entries: entries.slice(drop),
            next: p.next_after ?? null,
            prev: drop ? entries[drop].sequence : l2.prev,
            last: p.last_sequence,
          };
        }
        const entries = [...p.entries, ...l2.entries];
        const keep = entries.slice(0, KEEP);
        setShift({ rows: p.entries.length });
        return {
          ...l2,
          entries: keep,
          prev: p.prev_before ?? null,
          next: keep.length < entries.length ? keep[keep.length - 1].sequence : l2.next,
        };
      });
    } catch (e) {
      setStatus((s) => ({ ...s, error: e.describe() }));
    } finally {
      busy.current = false;
    }
  }

  const select = (seq) => setParams({ event: seq }, { replace: true });
  const held = tail?.held.value.length ?? 0;
  return (
    <section
      class="log-view"
      aria-label="Log"
      data-state={status.state}
      data-request={status.request}
      data-load-request={loadRequest}
      data-tail={tail ? tail.state.value : 'off'}
      data-held={held}
    >
      <div class="controls">
        <h1>Log</h1>
        <span class="note" role="status">
          {status.state === 'ready' ? `${log.entries.length} loaded · log ends at #${log.last}` : status.state}
          {tailNote(tail, held)}
        </span>
        <TailToggle tail={tail} held={held} />
      </div>
      <LogFilters params={params} first={log.first} last={log.last} />
      {status.error && <p class="error" role="alert">{status.error}</p>}
      {status.note && <p class="note scan-note">{status.note}</p>}
      <p class="note">
        Filtered: where the matches lie is unknown until read, so the scrollbar covers the rows loaded; the
        box or the position slider seeks.
      </p>
      <div class="log-body">
        <div class="log-main">
          {log.prev !== null && (
            <button type="button" class="more" onClick={() => near('before')}>Earlier (before #{log.prev})</button>
          )}
          <LogList
            entries={log.entries}
            selected={Number(params.event) || null}
            onSelect={select}
            onNear={near}
            shift={shift}
          />
          {log.next !== null && (
            <button type="button" class="more" onClick={() => near('after')}>Later (after #{log.next})</button>
          )}
          {status.state === 'ready' && !log.entries.length && <p class="empty">No event matches here.</p>}
        </div>
        {params.event && <LogDetail seq={params.event} onClose={() => setParams({ event: undefined })} />}
      </div>
    </section>
  );
}

function note(p) {
  return p.scan_bound_hit
    ? `Looked at ${p.scanned} entries (#${p.scanned_from}–#${p.scanned_to}) and stopped at the scan bound; scroll or use the buttons to go on.`
    : '';
}

/** Whether business time `time` is within `from`–`to` (a date `to` includes its whole day). */
function inTime(time, from, to) {
  const at = Date.parse(time);
  if (from && at < Date.parse(from)) return false;
  if (to) {
    const end = /^\d{4}-\d{2}-\d{2}$/.test(to) ? Date.parse(to) + 86400000 - 1 : Date.parse(to);
    if (at > end) return false;
  }
  return true;
}

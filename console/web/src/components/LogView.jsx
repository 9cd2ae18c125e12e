// The log view: the whole log as one virtual scroller when no filter is set (LogVirtual: its
// scrollbar spans every sequence, rows fetched as they come into view), else the filtered pages
// (LogPaged: where matches lie is unknown until read, so the scrollbar spans the rows loaded).
import { LogPaged } from './LogPaged.jsx';
import { LogVirtual } from './LogVirtual.jsx';

const FILTERS = ['type', 'org', 'topic', 'factuality', 'from', 'to'];

export function LogView({ params }) {
  const filtered = FILTERS.some((name) => params[name]);
  return filtered ? <LogPaged params={params} /> : <LogVirtual params={params} />;
}

// The state of every view lives in the URL's hash, so a view is shareable and survives a reload:
//   #/graph?topic=xr&status=exploring&as_of=2024-02-27
//   #/relationship/lg-electronics/meta?topic=xr&as_of=2024-03-01
//   #/live
//   #/health
//   #/review?state=pending&article=<id>&candidate=<id>
//   #/alerts?rule=new-partnership&state=failed
//   #/org/meta?as_of=2024-03-01&limit=20
//   #/log?type=&org=&topic=&factuality=&from=&to=&seq=&event=
import { signal } from '@preact/signals';

/** The current view: `{ view, args, params }`. */
export const route = signal(parse(location.hash));

window.addEventListener('hashchange', () => {
  route.value = parse(location.hash);
});

/** Reads a hash into `{ view, args, params }`. */
export function parse(hash) {
  const text = hash.replace(/^#/, '');
  const [path, query = ''] = text.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return {
    view: parts[0] || 'graph',
    args: parts.slice(1),
    params: Object.fromEntries(new URLSearchParams(query)),
  };
}

/** The hash of a view; empty parameters are left out. */
export function href(view, args = [], params = {}) {
  const path = [view, ...args].map(encodeURIComponent).join('/');
  const query = new URLSearchParams(
    Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  ).toString();
  return `#/${path}${query ? `?${query}` : ''}`;
}

/** Changes parameters of the current view. `replace` keeps history clean (a slider's steps). */
export function setParams(patch, { replace = false } = {}) {
  const { view, args, params } = route.value;
  const next = href(view, args, { ...params, ...patch });
  if (replace) {
    history.replaceState(null, '', next);
    route.value = parse(next);
  } else {
    location.hash = next;
  }
}

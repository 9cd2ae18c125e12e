// Loading data for a view: runs `load(signal)` when `deps` change or the log moves on (a status
// change arrived on the stream), cancelling the call in flight; `{ data, error, loading }`.
import { useEffect, useState } from 'preact/hooks';
import { latest } from './stream.js';

export function useLoad(load, deps) {
  const [result, setResult] = useState({ data: null, error: null, loading: true });
  const moved = latest.value?.id;
  useEffect(() => {
    const controller = new AbortController();
    setResult((r) => ({ ...r, loading: true }));
    const timer = setTimeout(() => {
      load(controller.signal)
        .then((data) => setResult({ data, error: null, loading: false }))
        .catch((error) => {
          if (error.name !== 'AbortError') setResult({ data: null, error, loading: false });
        });
    }, 60);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [...deps, moved]);
  return result;
}

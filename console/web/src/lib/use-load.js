// Loading data for a view: runs `load(signal)` when `deps` change or the log moves on (a status
// change arrived on the stream), cancelling the call in flight. `{ data, error, loading }`:
// `loading` stays true until the answer for the current `deps` is in, while the previous data
// stays on screen, so nothing flickers and nothing claims to show what it does not yet.
import { useEffect, useState } from 'preact/hooks';
import { latest } from './stream.js';

export function useLoad(load, deps) {
  const moved = latest.value?.id;
  const key = JSON.stringify([...deps, moved]);
  const [result, setResult] = useState({ key: null, data: null, error: null });
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      load(controller.signal)
        .then((data) => setResult({ key, data, error: null }))
        .catch((error) => {
          if (error.name !== 'AbortError') setResult({ key, data: null, error });
        });
    }, 60);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);
  return { data: result.data, error: result.error, loading: result.key !== key };
}

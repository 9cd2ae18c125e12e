// The graph's edges, loaded page by page (the graph draws after the first), and again when the
// log moves on (a status change arrived on the stream); the previous edges stay on screen while
// the new ones load.
import { useEffect, useState } from 'preact/hooks';
import { loadEdges } from './graph-data.js';
import { latest } from './stream.js';

export function useEdges() {
  const moved = latest.value?.id;
  const [state, setState] = useState({ edges: null, done: false, truncated: false, error: null, moved });
  useEffect(() => {
    const controller = new AbortController();
    const initial = state.edges === null;
    const timer = setTimeout(() => {
      loadEdges((page) => {
        // A reload keeps the old edges until it has them all; the first load draws each page.
        if (page.done || initial) setState({ ...page, error: null, moved });
      }, controller.signal).catch((error) => {
        if (error.name !== 'AbortError') setState((s) => ({ ...s, error, done: true }));
      });
    }, 30);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [moved]);
  return { ...state, loading: !state.done || state.moved !== moved };
}

// The health of each service: its `/readyz` (open, a JSON document of checks, 503 when not ready)
// and, for those that follow the log, its quarantine (`GET /v1/admin/quarantine`, the write token)
// and its followers' checkpoint, head, lag and apply rate (`GET /v1/admin/status`); the
// projection's rebuild (`GET`/`POST /v1/admin/rebuild`, the write token).
import { api, ApiError, headers } from './api.js';

/** The services behind the console, as `/api/<name>/` names them. */
export const SERVICES = ['ingest', 'projection', 'notifier', 'reader'];

/** `{ ready, checks, error }` of one service. */
async function readiness(service, signal) {
  try {
    const response = await fetch(`/api/${service}/readyz`, { headers: headers(), signal });
    const body = await response.json().catch(() => null);
    if (response.status === 502) return { ready: false, checks: {}, error: body?.detail || 'unreachable' };
    return { ready: response.ok && body?.status === 'ready', checks: body?.checks || {}, error: null };
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    return { ready: false, checks: {}, error: e.message };
  }
}

/** `{ total, entries }`, `{ locked }` without the token, or `null` when the service has none. */
async function quarantine(service, signal) {
  try {
    return await api(service, '/v1/admin/quarantine', { params: { limit: 20 }, signal });
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return { locked: true };
    if (e instanceof ApiError) return null;
    throw e;
  }
}

/** `{ service, streams: [{ stream, checkpoint, head, lag, applied_per_second, … }] }` from
 * `GET /v1/admin/status`, or `null` when the service does not answer it. */
async function followers(service, signal) {
  try {
    return await api(service, '/v1/admin/status', { signal });
  } catch (e) {
    if (e instanceof ApiError) return null;
    throw e;
  }
}

/** Every service's health, in parallel. */
export async function loadHealth(signal) {
  return Promise.all(
    SERVICES.map(async (service) => {
      const ready = await readiness(service, signal);
      const [held, status] = ready.error
        ? [null, null]
        : await Promise.all([quarantine(service, signal), followers(service, signal)]);
      return { service, ...ready, quarantine: held, status };
    }),
  );
}

/** The projection's rebuild: `{ state, started_at, applied, target, report, error }`. */
export function rebuildStatus(signal) {
  return api('projection', '/v1/admin/rebuild', { signal });
}

/** Starts a rebuild of the projection (the write token); `409` while one runs. */
export function startRebuild() {
  return api('projection', '/v1/admin/rebuild', { method: 'POST' });
}

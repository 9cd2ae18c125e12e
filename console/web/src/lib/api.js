// Calls to the services through the console's `/api/<service>/…`, with the token when there is
// one. Errors are the services' problem documents (RFC 9457), kept whole in `ApiError`.
import { token } from './token.js';

/** A call that did not succeed: its status and the problem document, if any. */
export class ApiError extends Error {
  constructor(status, problem, fallback) {
    super(problem?.detail || fallback || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** `401 Unauthorized: detail`, for a person. */
  describe() {
    const title = this.problem?.title || (this.status ? `HTTP ${this.status}` : 'Network error');
    return `${this.status ? `${this.status} ` : ''}${title}: ${this.message}`;
  }
}

/** The headers of a call: JSON, and the token when there is one (or `withToken`). */
export function headers(extra = {}, withToken = token.value) {
  const out = { Accept: 'application/json', ...extra };
  if (withToken) out.Authorization = `Bearer ${withToken}`;
  return out;
}

/** A query string from an object, leaving out empty values. */
export function query(params = {}) {
  const q = new URLSearchParams(
    Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  ).toString();
  return q ? `?${q}` : '';
}

/** `GET`s (or `method`s) `path` on `service`; the JSON answer, or throws an `ApiError`. */
export async function api(service, path, { params, method = 'GET', body, signal, withToken } = {}) {
  const init = { method, signal, headers: headers({}, withToken ?? token.value) };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/${service}${path}${query(params)}`, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null, `the console cannot be reached (${e.message})`);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) throw new ApiError(response.status, json, text.slice(0, 200));
  return json;
}

// Every action of the app is a call of the documented REST API (docs/api/openapi.yaml). The
// browser authenticates with its session cookie (HttpOnly: this code never sees it) and sends
// the session's CSRF token with every write.
let csrfToken = null;
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.details = (body && body.error && body.error.details) || [];
  }
}

export function setCsrfToken(token) { csrfToken = token; }
export function whenSignedOut(callback) { onSignedOut = callback; }

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // Before a session exists (signing in) any value will do: the header itself is the defence.
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken || 'sign-in';
  const response = await fetch('/api/v1' + path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = response.headers.get('content-type') || '';
  const data = type.startsWith('application/json') ? await response.json() : await response.text();
  if (response.status === 401 && path !== '/session') onSignedOut();
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}

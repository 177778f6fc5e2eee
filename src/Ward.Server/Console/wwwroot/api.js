// The console's only way to the server: JSON over /api/v1 with the session cookie, the CSRF header on every change,
// and errors turned into ApiError from the server's ProblemDetails.

/** An error the server explained: status, its stable code, and the detail meant for people. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `the server answered ${status}`);
    this.status = status;
    this.code = problem?.code ?? 'unknown';
    this.problem = problem ?? {};
  }
}

// Codes with which a 401 is an answer to the form being filled in, not a lost session.
const signInAnswers = new Set(['invalid_credentials', 'two_factor_required', 'invalid_two_factor']);

const state = {
  csrf: null,
  onUnauthorized: () => {},
};

/** What to do when the session is gone (the app sends people to sign in). */
export function whenUnauthorized(handler) {
  state.onUnauthorized = handler;
}

/**
 * Reads the session, and with it a fresh CSRF token. The token is bound to who is signed in, so it is read again
 * after every sign-in, enrolment and sign-out.
 */
export async function loadSession() {
  const session = await request('GET', '/session');
  state.csrf = session.csrfToken;
  return session;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body ?? {});
export const put = (path, body) => request('PUT', path, body ?? {});
export const del = (path) => request('DELETE', path);

/** Sends one request; returns the parsed JSON (or null), throws ApiError otherwise. */
async function request(method, path, body, retried = false) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }

  if (method !== 'GET' && state.csrf) {
    headers['X-Ward-Csrf'] = state.csrf;
  }

  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, { code: 'offline', detail: 'the Ward server did not answer; check that it is running and try again' });
  }

  const text = await response.text();
  const payload = text ? parse(text) : null;
  if (response.ok) {
    return payload;
  }

  const error = new ApiError(response.status, payload);

  // A token from before a sign-in or sign-out no longer matches the session: read a new one and try once more.
  if (error.code === 'csrf' && !retried) {
    await loadSession();
    return request(method, path, body, true);
  }

  if (error.status === 401 && !signInAnswers.has(error.code)) {
    state.onUnauthorized();
  }

  throw error;
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

/** What to tell people about an error: the server's detail, and what to do when the code calls for it. */
export function explain(error) {
  if (!(error instanceof ApiError)) {
    return `Something went wrong in the console: ${error?.message ?? error}`;
  }

  switch (error.code) {
    case 'stale_version':
      // Someone else saved first: say that nothing was overwritten and how to go on.
      return `${capitalise(error.message)}. Your change was not saved, so nobody's work was overwritten: reload the page to see the current version (copy your edit first to keep it), then make your change again.`;
    case 'unauthenticated':
      return 'Your session has ended. Sign in again.';
    default:
      return capitalise(error.message);
  }
}

function capitalise(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

/**
 * Follows an operation's server-sent events until its result. EventSource reconnects by itself after a dropped
 * connection and the server then replays from the start, so events already seen (by sequence) are skipped.
 * Returns a function that stops following.
 */
export function follow(operationId, onEvent, onLost = () => {}) {
  const source = new EventSource(`/api/v1/operations/${encodeURIComponent(operationId)}/events`);
  let last = 0;
  const handle = (message) => {
    const item = JSON.parse(message.data);
    const sequence = item.sequence ?? Number(message.lastEventId);
    if (sequence <= last) {
      return;
    }

    last = sequence;
    onEvent(message.type, item.data, item);
    if (message.type === 'result') {
      source.close();
    }
  };
  for (const type of ['plan', 'step', 'progress', 'note', 'phase', 'backup', 'restore', 'rehearsal', 'result']) {
    source.addEventListener(type, handle);
  }

  // A refused stream (signed out, no such operation) closes for good; a dropped one reconnects by itself.
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      onLost();
    }
  });

  return () => source.close();
}

/** A path with a query string, leaving out empty values. */
export function withQuery(path, query = {}) {
  const search = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== '' && value !== null && value !== undefined));
  const suffix = search.toString();
  return suffix ? `${path}?${suffix}` : path;
}

/** A link to the API (downloads, exports): the same path as request() takes, under /api/v1. */
export const apiUrl = (path, query) => `/api/v1${withQuery(path, query)}`;

export const enc = encodeURIComponent;

import { explain } from './api.js';

// Small DOM helpers. Everything the console shows is built with these from text nodes: no innerHTML, so a value
// from the server (a service name, an audit entry) can never become markup.

/** Creates an element: h('button', { type: 'button', onclick: f }, 'Apply'). False, null and undefined props are left out. */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }

    if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      element.className = value;
    } else if (key === 'value') {
      // The default value too, so form.reset() brings back the initial value rather than emptying the field.
      element.defaultValue = value;
      element.value = value;
    } else if (key === 'checked') {
      element.checked = value;
    } else {
      element.setAttribute(key, value === true ? '' : String(value));
    }
  }

  append(element, children);
  return element;
}

/** Appends strings, numbers, elements and (nested) arrays of them; null and false are skipped. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }

    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }

  return parent;
}

/** Replaces an element's children. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

let nextId = 0;

/** A unique id, to tie labels, descriptions and controls together. */
export function uid(prefix = 'id') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A labelled form field: the label is always there (never a placeholder standing in for one). */
export function field(label, control, hint) {
  control.id ||= uid('field');
  const hintElement = hint ? h('p', { class: 'hint', id: uid('hint') }, hint) : null;
  if (hintElement) {
    control.setAttribute('aria-describedby', hintElement.id);
  }

  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintElement);
}

/** A checkbox with its label after it, as people expect to read it. */
export function checkbox(label, props = {}) {
  const input = h('input', { type: 'checkbox', id: uid('check'), ...props });
  return { input, element: h('div', { class: 'field field-check' }, input, h('label', { for: input.id }, label)) };
}

/** An error box next to a form; role=alert makes screen readers read it when it fills. */
export function errorBox() {
  return h('div', { class: 'error', role: 'alert' });
}

/** Shows an error (ApiError or any other) in an error box, or clears it when error is null. */
export function showError(box, error) {
  replace(box, error ? explain(error) : '');
}

/** Service names on the swarm carry the environment's prefix; people know them by their short names. */
export function shortName(environment, service) {
  return service.startsWith(`${environment}_`) ? service.slice(environment.length + 1) : service;
}

/** Says something to screen-reader users without moving their focus. */
export function announce(message) {
  const announcer = document.getElementById('announcer');
  // Clearing first makes the same message be read again when it repeats.
  announcer.textContent = '';
  window.setTimeout(() => { announcer.textContent = message; }, 50);
}

// A verdict is always shown as a word and a symbol; colour only repeats what they say.
const badgeSymbols = {
  good: '✓',
  warn: '▲',
  bad: '✕',
  busy: '◌',
  neutral: '•',
};

/** A badge: tone is good, warn, bad, busy or neutral. */
export function badge(text, tone = 'neutral') {
  return h('span', { class: `badge badge-${tone}` }, h('span', { class: 'badge-symbol', 'aria-hidden': 'true' }, badgeSymbols[tone] ?? '•'), ` ${text}`);
}

/** The tone of a health verdict or service state. */
export function healthTone(state) {
  switch (state) {
    case 'converged':
    case 'ready':
    case 'active':
      return 'good';
    case 'progressing':
    case 'running':
      return 'busy';
    case 'degraded':
    case 'timed-out':
    case 'pause':
    case 'drain':
      return 'warn';
    case 'failed':
    case 'down':
    case 'disconnected':
      return 'bad';
    default:
      return 'neutral';
  }
}

/** The readiness of an environment from its findings summary: errors block production applies. */
export function readiness(summary) {
  if (!summary) {
    return { text: 'not checked', tone: 'neutral' };
  }

  if (summary.errors > 0) {
    return { text: `not ready: ${plural(summary.errors, 'error')}`, tone: 'bad' };
  }

  if (summary.warnings > 0) {
    return { text: `ready, ${plural(summary.warnings, 'warning')}`, tone: 'warn' };
  }

  return { text: 'ready', tone: 'good' };
}

export function plural(count, word) {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** A time as people read it, in their own zone; the exact value stays in the datetime attribute. */
export function time(value) {
  if (!value) {
    return h('span', { class: 'muted' }, 'never');
  }

  const date = new Date(value);
  return h('time', { datetime: date.toISOString() }, date.toLocaleString());
}

export function bytes(count) {
  if (!count) {
    return '?';
  }

  const gib = count / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(gib >= 10 ? 0 : 1)} GiB` : `${Math.round(count / 1024 ** 2)} MiB`;
}

/** A stable colour class per service, so one service has the same colour on every node and every page. */
export function hue(name) {
  let hash = 0;
  for (const c of name) {
    hash = (hash * 31 + c.codePointAt(0)) % 997;
  }

  return hash % 8;
}

/** A heading that takes focus when a page opens, so keyboard and screen-reader users start at the top of it. */
export function pageHeading(text, ...extra) {
  return h('h1', { tabindex: '-1', class: 'page-heading' }, text, ...extra);
}

/** Disables a button while its work runs, so a second press cannot start it twice. */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

// The audit log: filtered reading, export of the same selection as CSV or JSON, and verification of the hash chain.
import { apiUrl, get, withQuery } from './api.js';
import { badge, busy, errorBox, field, h, pageHeading, replace, showError, time } from './dom.js';

export async function auditPage(ctx) {
  const inputs = {
    actor: h('input', { name: 'actor', autocomplete: 'off' }),
    action: h('input', { name: 'action', autocomplete: 'off' }),
    target: h('input', { name: 'target', autocomplete: 'off' }),
    from: h('input', { name: 'from', type: 'datetime-local' }),
    to: h('input', { name: 'to', type: 'datetime-local' }),
  };
  const errors = errorBox();
  const results = h('div');
  const exports = h('p', { class: 'exports' });
  const apply = h('button', { type: 'submit' }, 'Show entries');

  const filters = () => ({
    actor: inputs.actor.value.trim(),
    action: inputs.action.value.trim(),
    target: inputs.target.value.trim(),
    // datetime-local is the reader's own zone; the API wants an instant.
    from: inputs.from.value ? new Date(inputs.from.value).toISOString() : '',
    to: inputs.to.value ? new Date(inputs.to.value).toISOString() : '',
  });
  const load = async () => {
    const selected = filters();
    const entries = await get(withQuery('/audit', { ...selected, limit: 500 }));
    replace(results, entriesTable(entries));
    replace(exports, 'Export these entries: ',
      h('a', { href: apiUrl('/audit/export', { ...selected, format: 'csv' }), download: 'ward-audit.csv' }, 'CSV'), ' · ',
      h('a', { href: apiUrl('/audit/export', { ...selected, format: 'json' }), download: 'ward-audit.json' }, 'JSON'));
  };

  const form = h('form', { class: 'filters', novalidate: true },
    h('div', { class: 'filter-fields' },
      field('Actor contains', inputs.actor),
      field('Action contains', inputs.action, 'e.g. apply, secret, sign-in'),
      field('Target contains', inputs.target),
      field('From', inputs.from),
      field('To', inputs.to)),
    h('div', { class: 'actions' }, apply));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(apply, async () => {
      showError(errors, null);
      try {
        await load();
      } catch (error) {
        showError(errors, error);
      }
    });
  });

  await load();
  replace(ctx.view,
    pageHeading('Audit log'),
    h('p', { class: 'lead' }, 'Every change and sign-in, newest first. Each entry holds the hash of the one before it, so an edited, removed or reordered entry is found by verifying.'),
    verifySection(),
    h('section', { 'aria-labelledby': 'audit-filter-heading' }, h('h2', { id: 'audit-filter-heading' }, 'Filter'), form, errors, exports),
    h('section', { 'aria-labelledby': 'audit-entries-heading' }, h('h2', { id: 'audit-entries-heading' }, 'Entries'), results));
}

function verifySection() {
  const output = h('div', { role: 'status', 'data-testid': 'audit-verify' });
  const button = h('button', { type: 'button' }, 'Verify the chain');
  button.addEventListener('click', () => busy(button, async () => {
    replace(output, 'Verifying…');
    try {
      const result = await get('/audit/verify');
      replace(output, result.intact
        ? h('p', {}, badge('intact', 'good'), ` All ${result.entries} entries chain correctly. Head hash `, h('code', { class: 'wrap' }, result.headHash ?? '(empty log)'), '.')
        : h('div', {}, h('p', {}, badge('broken', 'bad'), ` The chain of ${result.entries} entries does not hold:`), h('ul', {}, result.problems.map((p) => h('li', {}, typeof p === 'string' ? p : JSON.stringify(p))))));
    } catch (error) {
      const box = errorBox();
      replace(output, box);
      showError(box, error);
    }
  }));
  return h('section', { 'aria-labelledby': 'audit-verify-heading' }, h('h2', { id: 'audit-verify-heading' }, 'Verify'), button, output);
}

function entriesTable(entries) {
  if (entries.length === 0) {
    return h('p', { class: 'muted' }, 'No entries match.');
  }

  return h('table', { class: 'table', 'data-testid': 'audit-table' },
    h('caption', { class: 'visually-hidden' }, 'Audit entries, newest first'),
    h('thead', {}, h('tr', {}, ['#', 'When', 'Actor', 'Action', 'Target', 'From', 'Change'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, entries.map((e) => h('tr', {},
      h('td', {}, String(e.sequence)),
      h('td', {}, time(e.at)),
      h('td', {}, e.actor),
      h('th', { scope: 'row', class: 'nowrap' }, e.action),
      h('td', {}, e.target),
      h('td', { class: 'muted' }, e.source ?? ''),
      h('td', {}, change(e))))));
}

function change(entry) {
  if (!entry.before && !entry.after) {
    return '';
  }

  return h('details', {},
    h('summary', {}, 'Before and after'),
    entry.before ? [h('p', {}, 'Before'), h('pre', {}, pretty(entry.before))] : null,
    entry.after ? [h('p', {}, 'After'), h('pre', {}, pretty(entry.after))] : null);
}

function pretty(json) {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

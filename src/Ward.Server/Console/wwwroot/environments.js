// The environments list (readiness and health at a glance) and registering a new environment from its file.
import { ApiError, enc, get, post } from './api.js';
import { announce, badge, busy, errorBox, field, h, healthTone, pageHeading, plural, readiness, replace, showError, time } from './dom.js';

export async function environmentsPage(ctx) {
  const environments = await get('/environments');
  // The list carries health only; findings and status come per environment (both are cheap: checked in memory,
  // status answered from the server's cache).
  const details = await Promise.all(environments.map(async (e) => {
    const [findings, status] = await Promise.all([
      get(`/environments/${enc(e.name)}/findings`).catch(() => null),
      get(`/environments/${enc(e.name)}/status`).catch(() => null),
    ]);
    return { findings, status };
  }));

  const body = environments.length === 0
    ? h('p', { class: 'empty' }, 'No environments yet. ', ctx.isAdmin() ? h('a', { href: '#/register' }, 'Register one from its environment file.') : 'An admin registers them.')
    : h('table', { class: 'table' },
      h('caption', { class: 'visually-hidden' }, 'Environments with their readiness and health'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Environment'),
        h('th', { scope: 'col' }, 'Kind'),
        h('th', { scope: 'col' }, 'Readiness'),
        h('th', { scope: 'col' }, 'Findings'),
        h('th', { scope: 'col' }, 'Health'),
        h('th', { scope: 'col' }, 'Updated'))),
      h('tbody', {}, environments.map((e, i) => row(e, details[i]))));

  replace(ctx.view,
    pageHeading('Environments'),
    h('p', { class: 'lead' }, 'Readiness is what the production rules say about the file; health is what the swarm runs now.'),
    ctx.isAdmin() ? h('p', {}, h('a', { class: 'button-link', href: '#/register' }, 'Register an environment')) : null,
    body);
}

function row(environment, { findings, status }) {
  const ready = readiness(findings?.summary);
  return h('tr', { 'data-environment': environment.name },
    h('th', { scope: 'row' }, h('a', { href: `#/env/${enc(environment.name)}` }, environment.name)),
    h('td', {}, environment.kind),
    h('td', {}, badge(ready.text, ready.tone)),
    h('td', {}, findings ? findingCounts(findings.summary) : 'unavailable'),
    h('td', {}, health(status, environment.verdict)),
    h('td', {}, time(environment.updatedAt)));
}

export function findingCounts(summary) {
  return h('span', { class: 'counts' },
    [plural(summary.errors, 'error'), plural(summary.warnings, 'warning'), `${summary.info} info`, `${summary.waived} waived`].join(' · '));
}

/** Health from a status document; the server says "not-deployed" for an environment with no services on the swarm. */
export function health(status, fallback) {
  if (!status) {
    return verdictBadge(fallback ?? 'unknown');
  }

  if (status.error) {
    return badge('swarm unreachable', 'bad');
  }

  return verdictBadge(status.verdict);
}

function verdictBadge(verdict) {
  return verdict === 'not-deployed' ? badge('not deployed', 'neutral') : badge(verdict, healthTone(verdict));
}

export async function registerPage(ctx) {
  const fileName = h('input', { name: 'fileName', required: true, value: 'environment.yaml', spellcheck: 'false' });
  const upload = h('input', { type: 'file', accept: '.yaml,.yml,text/yaml,text/plain' });
  const content = h('textarea', { name: 'content', rows: '22', required: true, spellcheck: 'false', class: 'code-input' });
  const errors = errorBox();
  const diagnostics = h('div');
  const submit = h('button', { type: 'submit' }, 'Register');

  upload.addEventListener('change', async () => {
    const file = upload.files?.[0];
    if (file) {
      content.value = await file.text();
      fileName.value = file.name;
      announce(`Read ${file.name}`);
    }
  });

  const form = h('form', { class: 'card', novalidate: true },
    errors,
    diagnostics,
    field('Upload the file', upload, 'Or paste it below. Its content is kept in Ward; relative file: paths resolve in the server\'s files folder.'),
    field('File name', fileName),
    field('Environment file (YAML)', content, 'A Docker stack file with an x-ward section naming the environment, its kind and its nodes.'),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      showError(errors, null);
      replace(diagnostics);
      try {
        const created = await post('/environments', { fileName: fileName.value.trim(), content: content.value });
        announce(`Registered ${created.name}`);
        ctx.navigate(`#/env/${enc(created.name)}/findings`);
      } catch (error) {
        showError(errors, error);
        if (error instanceof ApiError && error.problem.diagnostics) {
          replace(diagnostics, diagnosticList(error.problem.diagnostics));
        }
      }
    });
  });

  replace(ctx.view,
    pageHeading('Register an environment'),
    h('p', { class: 'lead' }, 'Ward reads and checks the file now; nothing reaches the swarm until you plan and apply.'),
    form);
}

/** Every problem the reader found, each with its place in the file. */
export function diagnosticList(diagnostics) {
  return h('div', { class: 'diagnostics' },
    h('h2', {}, `The file has ${plural(diagnostics.length, 'problem')}`),
    h('ul', {}, diagnostics.map((d) => h('li', {},
      h('code', {}, d.code), ' ',
      d.line ? `line ${d.line}, column ${d.column}: ` : '',
      d.path ? h('code', {}, d.path) : null, d.path ? ' — ' : '',
      d.message))));
}

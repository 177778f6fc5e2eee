// Secrets (write-only: the console sends values and never shows one) and the environment file itself, edited with
// the version it was read at so a concurrent change is a conflict, not a silent overwrite.
import { ApiError, enc, get, put } from './api.js';
import { diagnosticList } from './environments.js';
import { announce, badge, busy, errorBox, field, h, replace, showError, time } from './dom.js';

export async function secretsTab({ env, panel }) {
  const list = h('div');
  const refresh = async () => replace(list, secretsTable(await get(`/environments/${enc(env.name)}/secrets`)));
  await refresh();
  panel.append(
    h('p', { class: 'hint' }, 'Ward keeps secret values encrypted and never shows them again. Setting a value creates or rotates the secret; the next apply moves services to it.'),
    list,
    secretForm(env, refresh));
}

function secretsTable(secrets) {
  if (secrets.length === 0) {
    return h('p', { class: 'muted' }, 'The file declares no secrets.');
  }

  return h('table', { class: 'table', 'data-testid': 'secrets-table' },
    h('caption', { class: 'visually-hidden' }, 'Secrets'),
    h('thead', {}, h('tr', {}, ['Secret', 'Source', 'Value', 'Set at', 'Set by', 'Version'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, secrets.map((s) => h('tr', { 'data-secret': s.key },
      h('th', { scope: 'row' }, h('code', {}, s.key)),
      h('td', {}, s.declared ? s.source : badge('not in the file', 'warn')),
      h('td', {}, valueState(s)),
      h('td', {}, s.set ? time(s.updatedAt) : '—'),
      h('td', {}, s.updatedBy ?? '—'),
      h('td', {}, s.version ?? '—')))));
}

function valueState(secret) {
  if (secret.set) {
    return badge('held by Ward', 'good');
  }

  // Secrets from a file or marked external get their value elsewhere; only Ward-held ones need one set here.
  return secret.source === 'ward' ? badge('no value yet: set one before applying', 'bad') : badge(`from ${secret.source}`, 'neutral');
}

function secretForm(env, refresh) {
  const key = h('input', { name: 'key', required: true, list: 'secret-keys', spellcheck: 'false', autocomplete: 'off' });
  const keys = h('datalist', { id: 'secret-keys' });
  get(`/environments/${enc(env.name)}/secrets`).then((secrets) => replace(keys, secrets.map((s) => h('option', { value: s.key }))), () => {});
  const value = h('textarea', { name: 'value', required: true, rows: '3', autocomplete: 'off', spellcheck: 'false', class: 'secret-value' });
  const errors = errorBox();
  const done = h('p', { role: 'status' });
  const submit = h('button', { type: 'submit' }, 'Set the value');
  const form = h('form', { class: 'card', novalidate: true },
    h('h3', {}, 'Set or rotate a secret'),
    errors,
    field('Secret', key, 'Its key, as the file names it under secrets:.'),
    keys,
    field('New value', value, 'Write-only: it is sent once and cleared from this page.'),
    h('div', { class: 'actions' }, submit),
    done);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      showError(errors, null);
      replace(done);
      try {
        const result = await put(`/environments/${enc(env.name)}/secrets/${enc(key.value.trim())}`, { value: value.value });
        replace(done, `Secret ${result.key} is set (version ${result.version}). ${capitalise(result.next)}.`);
        await refresh();
      } catch (error) {
        showError(errors, error);
      } finally {
        // The value leaves the page whatever happened: it is never kept for a second look.
        value.value = '';
      }
    });
  });
  return form;
}

function capitalise(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : '';
}

export async function fileTab(ctx) {
  const { env, panel } = ctx;
  const content = h('textarea', { name: 'content', rows: '28', spellcheck: 'false', class: 'code-input', value: env.environment.content });
  const errors = errorBox();
  const diagnostics = h('div');
  const done = h('p', { role: 'status' });
  const submit = h('button', { type: 'submit' }, 'Save the file');
  let version = env.environment.version;
  const editor = field(`${env.environment.fileName} (version ${version})`, content, 'Saving checks the file again; nothing reaches the swarm until the next apply.');
  const form = h('form', { novalidate: true },
    errors,
    diagnostics,
    editor,
    h('div', { class: 'actions' }, submit),
    done);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      showError(errors, null);
      replace(done);
      replace(diagnostics);
      try {
        const saved = await put(`/environments/${enc(env.name)}`, { content: content.value, version });
        version = saved.version;
        editor.querySelector('label').textContent = `${env.environment.fileName} (version ${version})`;
        replace(done, `Saved as version ${saved.version}. Check the findings, then plan and apply.`);
        announce('File saved');
      } catch (error) {
        showError(errors, error);
        if (error instanceof ApiError && error.problem.diagnostics) {
          replace(diagnostics, diagnosticList(error.problem.diagnostics));
        }
      }
    });
  });
  panel.append(
    h('p', { class: 'muted' }, 'Last changed ', time(env.environment.updatedAt), ` by ${env.environment.updatedBy ?? 'unknown'}.`),
    form);
}

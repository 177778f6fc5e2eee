// The Databases tab: each database the file declares, with its tier's settings beside what the running database
// reports, its volume, its backups (each with its check by restore: only "good" is a success), the earliest point a
// restore can reach, and the migration rehearsals Ward recorded. A backup, a restore and a rehearsal run as operations
// on the server; their progress (the job's phases) streams in like an apply's, and the database is read again at the end.
import { ApiError, enc, follow, get, post } from './api.js';
import { announce, badge, busy, checkbox, errorBox, field, h, healthTone, replace, showError, time } from './dom.js';

const verdictTones = { good: 'good', running: 'busy', unchecked: 'warn', expired: 'neutral' };

export async function databasesTab({ env, panel }) {
  const databases = await get(`/environments/${enc(env.name)}/databases`);
  if (databases.length === 0) {
    panel.append(h('p', { class: 'empty', 'data-testid': 'no-databases' }, 'The file declares no databases (x-ward.databases).'));
    return undefined;
  }

  const progress = progressView();
  const sections = databases.map((database) => databaseSection(env.name, database, progress));
  panel.append(
    h('p', { class: 'hint' }, 'Read in each database\'s running task: the tier\'s settings as the database runs them, its backups as the repository holds them. A backup counts only once it is checked by a restore.'),
    progress.element,
    ...sections.map((s) => s.element));
  await Promise.all(sections.map((s) => s.load()));
  return () => progress.stop();
}

function databaseSection(environment, database, progress) {
  const path = `/environments/${enc(environment)}/databases/${enc(database.name)}`;
  const status = h('div', { 'data-testid': 'db-status' }, h('p', { class: 'muted' }, 'Reading the database…'));
  const backups = h('div', { 'data-testid': 'db-backups' });
  const rehearsals = h('div', { 'data-testid': 'db-rehearsals' });

  const load = async () => {
    await Promise.all([
      part(status, () => get(path), statusView),
      database.backups ? part(backups, () => get(`${path}/backups`), backupsView) : replace(backups, h('p', { class: 'muted' }, 'No backups declared (x-ward.databases[].backups).')),
      part(rehearsals, () => get(`${path}/rehearsals`), rehearsalsView),
    ]);
  };

  const heading = h('h3', {}, database.name, ' ', badge(database.tier, 'neutral'), ' ',
    database.hosted
      ? badge(database.running == null ? 'not seen' : `${database.running} / ${database.desired} running`, database.running ? healthTone('converged') : 'warn')
      : badge('external', 'neutral'));
  const element = h('section', { class: 'database', 'data-database': database.name },
    heading,
    h('p', { class: 'muted' }, `${database.engine} ${database.version ?? ''}`.trim(), database.service ? ` — service ${database.service}` : ''),
    status,
    h('h4', {}, 'Backups and restore points'),
    backups,
    h('h4', {}, 'Migration rehearsals'),
    rehearsals,
    database.hosted ? actions(environment, database, path, progress, load) : null);
  return { element, load };
}

/** Fills a part of the page with what the server answers, or with why it could not (the other parts still show). */
async function part(slot, read, view) {
  try {
    replace(slot, view(await read()));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw error;
    }

    replace(slot, h('p', { class: 'error-text' }, error.message));
  }
}

function statusView(status) {
  const tier = status.settings.filter((s) => s.expected != null);
  return h('div', {},
    h('dl', { class: 'node-facts' },
      h('dt', {}, 'Running'), h('dd', {}, `${status.version} on ${status.node}${status.inRecovery ? ', in recovery' : ''}`),
      h('dt', {}, 'Data'), h('dd', {}, size(status.databaseBytes)),
      h('dt', {}, 'Volume'), h('dd', { 'data-testid': 'db-volume' }, `${size(status.volumeTotalBytes)}, ${size(status.volumeFreeBytes)} free`),
      h('dt', {}, 'WAL archived'), h('dd', {}, `${status.archivedWal} segment${status.archivedWal === 1 ? '' : 's'}, last `, time(status.lastArchivedAt), status.failedWal ? h('span', { class: 'error-text' }, `, ${status.failedWal} failed`) : '')),
    h('table', { class: 'table table-compact', 'data-testid': 'db-settings' },
      h('caption', {}, `Sizing: what tier ${status.tier ?? '(none)'} sets, and what the database runs`),
      h('thead', {}, h('tr', {}, ['Setting', 'Tier', 'Running', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, tier.map((s) => h('tr', { 'data-setting': s.name },
        h('th', { scope: 'row' }, h('code', {}, s.name)),
        h('td', {}, s.expected),
        h('td', {}, s.measured ?? h('span', { class: 'muted' }, 'not reported')),
        h('td', {}, s.matches ? badge('as the tier says', 'good') : badge('differs', 'bad')))))));
}

function backupsView(listing) {
  const summary = h('p', {},
    'Earliest restore point: ', h('span', { 'data-testid': 'db-earliest' }, listing.earliestRestorePoint ? time(listing.earliestRestorePoint) : 'none yet'),
    '. Last good backup: ', listing.lastGood ? time(listing.lastGood.started) : h('span', { class: 'muted' }, 'none'),
    '. Next backup: ', time(listing.nextBackupAt),
    `. Repository: ${listing.repository ?? 'unknown'}, ${size(listing.repositoryFreeBytes)} free.`);
  if (listing.backups.length === 0) {
    return h('div', {}, summary, h('p', { class: 'empty' }, 'No backups yet.'));
  }

  return h('div', {}, summary,
    h('table', { class: 'table' },
      h('caption', { class: 'visually-hidden' }, 'Backups, newest first'),
      h('thead', {}, h('tr', {}, ['Started', 'Kind', 'Trigger', 'Verdict', 'Size', 'Took', 'Checked by restore'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, listing.backups.map((b) => h('tr', { 'data-backup': b.id, 'data-trigger': b.trigger },
        h('td', {}, time(b.started)),
        h('td', {}, b.kindName),
        h('td', {}, b.trigger),
        h('td', {}, badge(b.verdict, verdictTones[b.verdict] ?? 'bad')),
        h('td', {}, size(b.sizeBytes)),
        h('td', {}, seconds(b.durationSeconds)),
        h('td', {}, checkText(b.check)))))));
}

function checkText(check) {
  if (check.status === 'passed') {
    return `${check.status}: ${check.tables} tables, ${check.rows} rows in ${seconds(check.durationSeconds)}`;
  }

  return check.error ? `${check.status}: ${check.error}` : check.status;
}

function rehearsalsView(records) {
  if (records.length === 0) {
    return h('p', { class: 'empty' }, 'No rehearsal yet.');
  }

  return h('table', { class: 'table' },
    h('caption', { class: 'visually-hidden' }, 'Rehearsals, newest first'),
    h('thead', {}, h('tr', {}, ['When', 'By', 'From', 'Verification', 'Data', 'Phases'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, records.map((r) => h('tr', {},
      h('td', {}, time(r.at)),
      h('td', {}, r.by ?? '?'),
      h('td', {}, h('code', {}, r.source)),
      h('td', {}, r.verified ? badge('verified', 'good') : badge(r.failure ? 'failed' : 'differs', 'bad'), r.verified ? '' : ` ${r.failure ?? r.difference ?? ''}`),
      h('td', {}, `${size(r.sourceBytes)}, ${r.tables} tables, ${r.rows} rows`),
      h('td', {}, `${Object.entries(r.phases).map(([phase, s]) => `${phase} ${seconds(s)}`).join(', ')}; ${seconds(r.totalSeconds)} in all`)))));
}

/** Take a backup, restore (into a new database, or in place once confirmed), rehearse: each starts an operation. */
function actions(environment, database, path, progress, reload) {
  const errors = errorBox();
  const start = (button, what, label, body) => busy(button, async () => {
    showError(errors, null);
    try {
      const operation = await post(`${path}/${what}`, body);
      announce(`${label} started`);
      progress.watch(operation.id, label, reload);
    } catch (error) {
      showError(errors, error);
    }
  });

  const backupButton = h('button', { type: 'button', class: 'button-primary' }, 'Take a backup now');
  backupButton.addEventListener('click', () => start(backupButton, 'backups', `Backup of ${database.name}`, { kind: 'auto' }));

  const to = h('input', { type: 'text', value: 'latest', autocomplete: 'off', spellcheck: 'false' });
  const into = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const inPlace = checkbox(`Restore ${database.name} in place: every write after that time is undone (a safety backup is taken first)`);
  const restoreButton = h('button', { type: 'submit' }, 'Restore');
  const restore = h('form', { class: 'inline-form', novalidate: true },
    field('Restore to', to, 'latest, or a time with its zone, e.g. 2026-12-07T10:30:00Z'),
    field('Into a new database', into, 'A new name beside the original, which stays untouched; leave empty to restore in place.'),
    inPlace.element,
    h('div', { class: 'actions' }, restoreButton));
  restore.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = into.value.trim();
    start(restoreButton, 'restores', `Restore of ${database.name}`, name ? { to: to.value.trim(), into: name } : { to: to.value.trim(), confirm: inPlace.input.checked });
  });

  const from = h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false' });
  const rehearseButton = h('button', { type: 'submit' }, 'Rehearse');
  const rehearse = h('form', { class: 'inline-form', novalidate: true },
    field('Current database', from, 'postgresql://USER:PASSWORD@HOST:PORT/DATABASE: dumped, restored into a scratch database and verified; the password is never shown or recorded.'),
    h('div', { class: 'actions' }, rehearseButton));
  rehearse.addEventListener('submit', (event) => {
    event.preventDefault();
    start(rehearseButton, 'rehearsals', `Rehearsal for ${database.name}`, { from: from.value });
  });

  return h('div', { class: 'database-actions' },
    h('h4', {}, 'Act'),
    database.backups ? h('div', { class: 'actions' }, backupButton) : null,
    database.backups ? restore : null,
    rehearse,
    errors);
}

/** The running operation's phases as they come, then its result; the database is read again when it ends. */
function progressView() {
  const status = h('p', { role: 'status', class: 'progress-status' });
  const phases = h('ol', { class: 'steps steps-live', 'data-testid': 'db-operation-phases' });
  const result = h('div', { 'data-testid': 'db-operation-result' });
  const heading = h('h3', { tabindex: '-1' }, 'Operation');
  const element = h('section', { class: 'progress', hidden: true, 'data-testid': 'db-operation' }, heading, status, phases, result);
  let stop = () => {};
  return {
    element,
    stop: () => stop(),
    watch(operationId, label, onDone) {
      stop();
      element.hidden = false;
      replace(heading, label);
      replace(phases);
      replace(result);
      replace(status, 'Waiting for the first events…');
      heading.focus();
      stop = follow(operationId, (type, data) => {
        if (type === 'phase') {
          phases.append(h('li', {}, h('strong', {}, data.phase), ` ${data.message}`));
          replace(status, `${label}: ${data.phase}`);
        } else if (type === 'result') {
          const tone = data.state === 'succeeded' ? 'good' : 'bad';
          replace(result, h('p', { class: `result result-${tone}` }, badge(data.state, tone), ` ${data.summary}`));
          replace(status, `${label} ${data.state}: ${data.summary}`);
          onDone();
        }
      }, () => replace(status, 'The progress stream was refused; reload the page to see the result.'));
    },
  };
}

function size(count) {
  if (count == null) {
    return '?';
  }

  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = count;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }

  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

function seconds(value) {
  return value == null ? '?' : `${value.toFixed(1)} s`;
}

// Readiness findings grouped by severity, each with its explanation (why it matters, how to fix it) and, when
// waived, the reason. Waivers live in the file (x-ward.waivers), so the console writes the entry for people to add.
import { enc, get, withQuery } from './api.js';
import { badge, errorBox, field, h, plural, replace, showError, uid } from './dom.js';
import { findingCounts } from './environments.js';

const severities = [
  { id: 'error', heading: 'Errors', tone: 'bad', note: 'Errors block applying a production environment until they are fixed or waived.' },
  { id: 'warning', heading: 'Warnings', tone: 'warn', note: 'Warnings are risks worth fixing before production.' },
  { id: 'info', heading: 'Information', tone: 'neutral', note: '' },
];

export async function findingsTab({ env, panel }) {
  const profile = h('select', { name: 'profile' },
    h('option', { value: '' }, `as declared (${env.environment.kind})`),
    h('option', { value: 'production' }, 'production'),
    h('option', { value: 'staging' }, 'staging'));
  const errors = errorBox();
  const results = h('div', { 'aria-live': 'polite', 'aria-busy': 'false' });
  const render = (report) => replace(results, findingsReport(report));

  profile.addEventListener('change', async () => {
    results.setAttribute('aria-busy', 'true');
    try {
      showError(errors, null);
      render(await get(withQuery(`/environments/${enc(env.name)}/findings`, { profile: profile.value })));
    } catch (error) {
      showError(errors, error);
    } finally {
      results.setAttribute('aria-busy', 'false');
    }
  });

  render(env.findings);
  panel.append(
    h('form', { class: 'inline-form', onsubmit: (e) => e.preventDefault() }, field('Check against the rules for', profile)),
    errors,
    results);
}

function findingsReport(report) {
  const active = report.findings.filter((f) => !f.waived);
  const waived = report.findings.filter((f) => f.waived);
  return h('div', { class: 'findings' },
    h('p', {}, `Checked as ${report.profile}: `, findingCounts(report.summary)),
    severities.map((s) => severityGroup(s, active.filter((f) => f.severity === s.id))),
    waived.length ? h('section', { class: 'finding-group', 'aria-labelledby': 'findings-waived' },
      h('h3', { id: 'findings-waived' }, `Waived (${waived.length})`),
      h('p', { class: 'hint' }, 'Accepted on purpose, with a reason, in the file\'s x-ward.waivers.'),
      h('ul', { class: 'finding-list' }, waived.map((f) => findingItem(f)))) : null,
    report.notChecked?.length ? h('details', { class: 'not-checked' },
      h('summary', {}, `${plural(report.notChecked.length, 'rule')} could not be checked`),
      h('ul', {}, report.notChecked.map((n) => h('li', {}, h('code', {}, n.rule), ` ${n.reason}`)))) : null);
}

function severityGroup(severity, findings) {
  const id = `findings-${severity.id}`;
  return h('section', { class: 'finding-group', 'aria-labelledby': id },
    h('h3', { id }, `${severity.heading} (${findings.length})`),
    findings.length === 0
      ? h('p', { class: 'muted' }, `No ${severity.heading.toLowerCase()}.`)
      : [severity.note ? h('p', { class: 'hint' }, severity.note) : null, h('ul', { class: 'finding-list' }, findings.map((f) => findingItem(f, severity)))]);
}

function findingItem(finding, severity) {
  const tone = finding.waived ? 'neutral' : severity?.tone ?? 'neutral';
  return h('li', { class: `finding ${finding.waived ? 'finding-waived' : ''}`, 'data-rule': finding.rule },
    h('p', { class: 'finding-head' },
      badge(finding.waived ? `waived ${finding.severity}` : finding.severity, tone), ' ',
      h('code', {}, finding.rule), ' ',
      h('strong', {}, finding.title ?? ''), ' ',
      h('span', { class: 'muted' }, finding.line ? `${finding.file} line ${finding.line}` : finding.file)),
    h('p', {}, finding.message),
    finding.waived ? h('p', { class: 'waiver' }, h('strong', {}, 'Waiver: '), finding.waiverReason ?? 'no reason given') : null,
    h('details', {},
      h('summary', {}, 'Why it matters and how to fix it'),
      h('dl', { class: 'explanation' },
        h('dt', {}, 'Where'), h('dd', {}, h('code', {}, finding.path)),
        finding.why ? [h('dt', {}, 'Why'), h('dd', {}, finding.why)] : null,
        finding.fix ? [h('dt', {}, 'Fix'), h('dd', {}, h('pre', {}, finding.fix))] : null)),
    finding.waived ? null : waiverHelper(finding));
}

/** Writes the waiver entry for a finding, for people who accept the risk on purpose. */
function waiverHelper(finding) {
  const reason = h('input', { name: 'reason', required: true });
  const expires = h('input', { name: 'expires', type: 'date' });
  const output = h('div', { 'aria-live': 'polite' });
  const errors = errorBox();
  const form = h('form', { class: 'waiver-form', novalidate: true },
    errors,
    field('Reason', reason, 'Why the risk is accepted; people reading the file later see it.'),
    field('Expires (optional)', expires),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button-quiet' }, 'Write the waiver')),
    output);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!reason.value.trim()) {
      showError(errors, new Error('a waiver needs a reason'));
      reason.focus();
      return;
    }

    showError(errors, null);
    const snippetId = uid('snippet');
    replace(output,
      h('p', { id: snippetId }, 'Add this under x-ward.waivers in the file (File section), then save:'),
      h('pre', { class: 'snippet', 'aria-describedby': snippetId, tabindex: '0' }, waiverYaml(finding, reason.value.trim(), expires.value)));
  });
  return h('details', { class: 'waive' }, h('summary', {}, 'Waive this finding…'), form);
}

function waiverYaml(finding, reason, expires) {
  const quoted = JSON.stringify(reason);
  return `    - rule: ${finding.rule}\n      target: ${finding.path}\n      reason: ${quoted}${expires ? `\n      expires: ${expires}` : ''}`;
}

// The Alerts tab: what is pending or firing (rule, subject, since when, silenced, acknowledged by), with a silence of
// an hour and an acknowledgement per alert, and the latest deliveries by mail and webhook with why one failed. The
// list is read again every few seconds, as the server evaluates the rules.
import { enc, get, post } from './api.js';
import { badge, busy, errorBox, h, replace, showError, time } from './dom.js';

const pollMs = 5000;

export async function alertsTab({ env, panel }) {
  const content = h('div');
  const errors = errorBox();
  const path = `/environments/${enc(env.name)}/alerts`;
  const load = async () => replace(content, view(await get(path), act));
  const act = (button, what, body) => busy(button, async () => {
    showError(errors, null);
    try {
      await post(`${path}/${what}`, body);
      await load();
    } catch (error) {
      showError(errors, error);
    }
  });

  panel.append(
    h('p', { class: 'hint' }, 'Ward evaluates the rules every few seconds. One message goes out when an alert fires and one when it resolves; a silenced alert tells no one.'),
    errors, content);
  await load();
  const timer = window.setInterval(() => load().catch((error) => showError(errors, error)), pollMs);
  return () => window.clearInterval(timer);
}

function view(answer, act) {
  const alerts = answer.alerts.length === 0
    ? h('p', { class: 'empty', 'data-testid': 'no-alerts' }, 'Nothing is firing.')
    : h('table', { class: 'table', 'data-testid': 'alerts-table' },
      h('caption', { class: 'visually-hidden' }, 'Alerts pending or firing'),
      h('thead', {}, h('tr', {}, ['State', 'Rule', 'Subject', 'Since', 'What Ward saw', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, answer.alerts.map((a) => row(a, act))));
  const deliveries = answer.deliveries.length === 0 ? null : h('section', {},
    h('h3', {}, 'Latest deliveries'),
    h('ul', { 'data-testid': 'deliveries' }, answer.deliveries.map((d) => h('li', {},
      d.delivered ? badge('delivered', 'good') : badge('not delivered', 'bad'), ' ',
      `${d.channel} to ${d.target}: ${d.subject}`,
      d.error ? h('div', { class: 'muted' }, `${d.error} (${d.attempts} attempt${d.attempts === 1 ? '' : 's'})`) : null))));
  return h('div', {}, alerts, deliveries);
}

function row(a, act) {
  const silence = h('button', { type: 'button' }, 'Silence 1 h');
  silence.addEventListener('click', () => act(silence, 'silences', { rule: a.rule, subject: a.subject, minutes: 60 }));
  const ack = h('button', { type: 'button' }, 'Acknowledge');
  ack.addEventListener('click', () => act(ack, 'acknowledgements', { rule: a.rule, subject: a.subject }));
  const notes = [];
  if (a.silencedUntil) {
    notes.push(h('div', { class: 'muted' }, `silenced until ${time(a.silencedUntil)}`));
  }

  if (a.acknowledgedBy) {
    notes.push(h('div', { class: 'muted' }, `acknowledged by ${a.acknowledgedBy}`));
  }

  return h('tr', { 'data-alert': `${a.rule}|${a.subject}` },
    h('td', {}, a.state === 'firing' ? badge('firing', 'bad') : badge('pending', 'warn')),
    h('td', {}, a.title ?? a.rule, h('div', { class: 'muted' }, h('code', {}, a.rule))),
    h('th', { scope: 'row' }, a.subject),
    h('td', {}, time(a.firingSince ?? a.since)),
    h('td', {}, a.detail, ...notes),
    h('td', {}, h('div', { class: 'actions' }, a.silencedUntil ? null : silence, ' ', a.state === 'firing' && !a.acknowledgedBy ? ack : null)));
}

// The Domains tab: each domain of the environment, how the load balancer serves it (its certificate, the last
// certificate error), and its DNS as Ward has seen it: the A records now, since when they point at the manager
// (observed, which the 48-hour rule counts from) and the history of what they were.
import { enc, get, post } from './api.js';
import { badge, busy, errorBox, h, replace, showError, time } from './dom.js';

export async function domainsTab({ env, panel }) {
  const content = h('div');
  const errors = errorBox();
  const load = async () => replace(content, domainsTable(await get(`/environments/${enc(env.name)}/domains`)));
  const check = h('button', { type: 'button' }, 'Look up DNS now');
  check.addEventListener('click', () => busy(check, async () => {
    showError(errors, null);
    try {
      await post(`/environments/${enc(env.name)}/domains/checks`, {});
      await load();
    } catch (error) {
      showError(errors, error);
    }
  }));
  panel.append(
    h('p', { class: 'hint' }, 'Ward looks up each domain periodically. The 48 hours before a switchover count from when it first saw the A record point at the manager, not from a date written in the file.'),
    h('div', { class: 'actions' }, check), errors, content);
  await load();
}

function domainsTable(domains) {
  if (domains.length === 0) {
    return h('p', { class: 'empty' }, 'This environment declares no domains (x-ward.domains), so it has no load balancer.');
  }

  return h('table', { class: 'table', 'data-testid': 'domains-table' },
    h('caption', { class: 'visually-hidden' }, 'Domains, how they are served, their certificates and their DNS'),
    h('thead', {}, h('tr', {},
      ['Domain', 'Routes to', 'Served', 'Certificate', 'DNS now', 'Pointing at the manager since'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, domains.map((d) => h('tr', { 'data-domain': d.name },
      h('th', { scope: 'row' }, d.name, d.redirects?.length ? h('div', { class: 'muted' }, `also ${d.redirects.join(', ')}`) : null),
      h('td', {}, h('code', {}, `${d.service}:${d.port ?? '?'}${d.path ?? ''}`)),
      h('td', {}, served(d)),
      h('td', {}, certificate(d)),
      h('td', {}, dnsNow(d)),
      h('td', {}, mapped(d))))));
}

function served(d) {
  if (!d.served) {
    return h('span', { class: 'muted' }, 'not yet (deploy to start the load balancer)');
  }

  return d.served === 'https'
    ? badge(`https (${d.authority ?? '?'})`, 'good')
    : badge('http: waiting until ready for a certificate', 'warn');
}

function certificate(d) {
  const parts = [];
  if (d.certificate) {
    const days = Math.floor((new Date(d.certificate.notAfter) - Date.now()) / 86_400_000);
    parts.push(h('span', {}, `${d.certificate.issuer}, until ${time(d.certificate.notAfter)} (${days} days)`));
  } else {
    parts.push(h('span', { class: 'muted' }, 'none yet'));
  }

  if (d.problem) {
    parts.push(h('div', { class: 'error-text' }, d.problem));
  } else if (d.lastError) {
    parts.push(h('div', { class: 'error-text' }, `last error: ${d.lastError}`));
  }

  return parts;
}

function dnsNow(d) {
  if (!d.lastChecked) {
    return h('span', { class: 'muted' }, 'not looked up yet');
  }

  const records = d.records?.length ? d.records.join(', ') : 'no A record';
  return [badge(d.pointsAtManager ? 'points at the manager' : 'does not point at the manager', d.pointsAtManager ? 'good' : 'bad'),
    h('div', {}, h('code', {}, records)), h('div', { class: 'muted' }, `looked up ${time(d.lastChecked)}`)];
}

function mapped(d) {
  const history = h('details', {},
    h('summary', {}, `History (${d.history.length})`),
    h('ol', {}, d.history.map((row) => h('li', {},
      `${time(row.since)} – ${time(row.lastSeen)}: `, h('code', {}, row.records || 'no A record'), row.pointsAtManager ? ' (the manager)' : ''))));
  const since = d.mappedSince
    ? h('span', {}, `${time(d.mappedSince)} (observed)`)
    : d.mappedAtDeclared
      ? h('span', { class: 'muted' }, `${time(d.mappedAtDeclared)} (declared in the file, not observed)`)
      : h('span', { class: 'muted' }, 'not seen yet');
  return [since, d.history.length ? history : null];
}

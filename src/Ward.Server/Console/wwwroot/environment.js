// One environment's page: a header with its readiness and health, section links (overview, services, findings,
// domains, capacity, databases, logs, alerts, plan and apply, secrets, file), and a status poll that keeps the header
// and the status views current.
import { enc, get } from './api.js';
import { announce, badge, bytes, h, healthTone, hue, pageHeading, readiness, replace, shortName, time } from './dom.js';
import { health } from './environments.js';
import { findingsTab } from './findings.js';
import { deployTab } from './deploy.js';
import { domainsTab } from './domains.js';
import { logsTab } from './logs.js';
import { alertsTab } from './alerts.js';
import { fileTab, secretsTab } from './secrets.js';
import { capacityTab } from './capacity.js';
import { databasesTab } from './databases.js';

const statusPollMs = 3000;

const tabs = [
  { id: 'overview', label: 'Overview', render: overviewTab },
  { id: 'services', label: 'Services', render: servicesTab },
  { id: 'findings', label: 'Findings', render: findingsTab },
  { id: 'domains', label: 'Domains', render: domainsTab },
  { id: 'capacity', label: 'Capacity', render: capacityTab },
  { id: 'databases', label: 'Databases', render: databasesTab },
  { id: 'logs', label: 'Logs', render: logsTab },
  { id: 'alerts', label: 'Alerts', render: alertsTab },
  { id: 'deploy', label: 'Plan & apply', render: deployTab },
  { id: 'secrets', label: 'Secrets', render: secretsTab },
  { id: 'file', label: 'File', render: fileTab },
];

export async function environmentPage(ctx, name, tabId) {
  const tab = tabs.find((t) => t.id === (tabId ?? 'overview')) ?? tabs[0];
  const [environment, status, findings] = await Promise.all([
    get(`/environments/${enc(name)}`),
    get(`/environments/${enc(name)}/status`),
    get(`/environments/${enc(name)}/findings`),
  ]);
  const env = watchedEnvironment(name, environment, status, findings);

  const healthSlot = h('span', {}, health(status));
  const ready = readiness(findings.summary);
  const header = h('div', { class: 'env-header' },
    pageHeading(name, ' ', h('span', { class: 'kind' }, environment.kind)),
    h('p', { class: 'env-summary' },
      h('span', {}, 'Readiness: ', badge(ready.text, ready.tone)), ' ',
      h('span', {}, 'Health: ', healthSlot), ' ',
      h('span', { class: 'muted' }, `File ${environment.fileName}, version ${environment.version}`)));
  env.subscribe((next, previous) => {
    replace(healthSlot, health(next));
    if (next.verdict !== previous.verdict) {
      announce(`${name} is now ${next.verdict}`);
    }
  });

  const sections = h('nav', { class: 'tabs', 'aria-label': `${name} sections` },
    h('ul', {}, tabs.map((t) => h('li', {}, h('a', {
      href: `#/env/${enc(name)}/${t.id}`,
      'aria-current': t === tab ? 'page' : null,
    }, t.label)))));

  const panel = h('section', { class: 'tab-panel', 'aria-labelledby': `tab-heading-${tab.id}` });
  const panelHeading = h('h2', { id: `tab-heading-${tab.id}`, tabindex: '-1', 'data-autofocus': tabId ? true : null }, tab.label);
  panel.append(panelHeading);
  const stopTab = await tab.render({ ...ctx, env, panel });

  replace(ctx.view, header, sections, panel);
  const timer = window.setInterval(() => env.poll(), statusPollMs);
  return () => {
    window.clearInterval(timer);
    stopTab?.();
  };
}

/** The environment's data, with its status refreshed by polling and handed to whoever subscribed. */
function watchedEnvironment(name, environment, status, findings) {
  const listeners = new Set();
  let lastJson = statusKey(status);
  const env = {
    name,
    environment,
    status,
    findings,
    subscribe(listener) {
      listeners.add(listener);
    },
    async poll() {
      try {
        const next = await get(`/environments/${enc(name)}/status`);
        const key = statusKey(next);
        if (key === lastJson) {
          return;
        }

        lastJson = key;
        const previous = env.status;
        env.status = next;
        listeners.forEach((listener) => listener(next, previous));
      } catch {
        // A failed poll changes nothing on the page; the next one tries again (a 401 sends to sign-in).
      }
    },
  };
  return env;
}

// The read time changes on every refresh; only a change of what the swarm runs is worth redrawing.
function statusKey(status) {
  const { readAt, ...rest } = status;
  return JSON.stringify(rest);
}

function overviewTab({ env, panel }) {
  const content = h('div');
  const render = () => replace(content, statusReasons(env.status), nodesPicture(env.name, env.status));
  render();
  env.subscribe(render);
  panel.append(content);
}

function statusReasons(status) {
  if (status.error) {
    return h('p', { class: 'error' }, `The swarm could not be read: ${status.error}`);
  }

  const reasons = status.reasons ?? [];
  return h('div', { class: 'health' },
    h('p', {}, 'Health: ', health(status), ' ', h('span', { class: 'muted' }, 'read ', time(status.readAt))),
    reasons.length ? h('ul', { class: 'reasons' }, reasons.map((r) => h('li', {}, r))) : null);
}

/** How many running tasks of each service each node has, from the services' node lists. */
function tasksByNode(environment, status) {
  const byNode = new Map((status.nodes ?? []).map((n) => [n.name, new Map()]));
  for (const service of status.services ?? []) {
    for (const node of service.nodes ?? []) {
      const counts = byNode.get(node) ?? byNode.set(node, new Map()).get(node);
      const short = shortName(environment, service.name);
      counts.set(short, (counts.get(short) ?? 0) + 1);
    }
  }

  return byNode;
}

const total = (counts) => [...(counts?.values() ?? [])].reduce((sum, n) => sum + n, 0);

/**
 * The picture of the swarm: a box per node with its role, size, state and the tasks running on it, and the manager
 * load (application tasks on manager nodes) shown large, because the manager should carry none.
 */
function nodesPicture(environment, status) {
  const nodes = [...(status.nodes ?? [])].sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'manager' ? -1 : 1));
  const byNode = tasksByNode(environment, status);
  const managerLoad = nodes.filter((n) => n.role === 'manager').reduce((sum, n) => sum + total(byNode.get(n.name)), 0);
  const most = Math.max(1, ...nodes.map((n) => total(byNode.get(n.name))));
  return h('div', { class: 'picture' },
    managerLoadPanel(managerLoad),
    h('figure', { class: 'nodes-figure' },
      h('figcaption', {}, h('h3', {}, 'Nodes and where tasks run'), h('p', { class: 'hint' }, 'One box per node of the swarm; the chips are the running tasks of this environment\'s services.')),
      nodes.length === 0
        ? h('p', { class: 'empty' }, 'The swarm reported no nodes.')
        : h('ul', { class: 'nodes', 'data-testid': 'nodes-picture' }, nodes.map((n) => nodeBox(n, byNode.get(n.name), most)))));
}

function managerLoadPanel(load) {
  const fine = load === 0;
  return h('div', { class: `manager-load ${fine ? 'manager-load-ok' : 'manager-load-high'}`, 'data-testid': 'manager-load' },
    h('h3', {}, 'Manager load'),
    h('p', { class: 'manager-load-number' }, h('span', { class: 'big' }, String(load)), h('span', { class: 'visually-hidden' }, ' application tasks on the manager')),
    h('p', {}, fine
      ? badge('The manager runs no application tasks', 'good')
      : badge(`The manager runs ${load} application task${load === 1 ? '' : 's'}`, 'warn')),
    h('p', { class: 'hint' }, fine
      ? 'Good: orchestration keeps its resources.'
      : 'When the manager runs out of resources, orchestration slows and services go down. Add the placement constraint node.role != manager.'));
}

function nodeBox(node, counts, most) {
  const taskCount = total(counts);
  const chips = [...(counts?.entries() ?? [])].sort(([a], [b]) => a.localeCompare(b));
  return h('li', { class: `node node-${node.role}`, 'data-node': node.name },
    h('h4', {}, node.name),
    h('p', { class: 'node-badges' },
      badge(node.role, 'neutral'), ' ',
      badge(node.state, healthTone(node.state)), ' ',
      node.availability !== 'active' ? badge(node.availability, healthTone(node.availability)) : null),
    h('dl', { class: 'node-facts' },
      h('dt', {}, 'Size'), h('dd', {}, node.size ?? 'not labelled'),
      h('dt', {}, 'Address'), h('dd', {}, node.address ?? '?'),
      h('dt', {}, 'Resources'), h('dd', {}, `${node.cpus ?? '?'} CPU, ${bytes(node.memoryBytes)}`)),
    h('div', { class: 'node-load' },
      h('label', { for: `load-${node.id}` }, `${taskCount} task${taskCount === 1 ? '' : 's'}`),
      h('meter', { id: `load-${node.id}`, min: '0', max: String(most), value: String(taskCount) })),
    chips.length === 0
      ? h('p', { class: 'muted' }, 'No tasks of this environment')
      : h('ul', { class: 'chips', 'aria-label': `Tasks on ${node.name}` }, chips.map(([service, count]) =>
        h('li', { class: `chip chip-${hue(service)}` }, service, count > 1 ? h('span', { class: 'chip-count' }, ` ×${count}`) : null))));
}

function servicesTab({ env, panel }) {
  const content = h('div');
  const render = () => replace(content, servicesTable(env.name, env.status));
  render();
  env.subscribe(render);
  panel.append(content);
}

function servicesTable(environment, status) {
  const services = status.services ?? [];
  if (services.length === 0) {
    return h('p', { class: 'empty' }, 'No services of this environment run on the swarm. Plan and apply to deploy them.');
  }

  return h('table', { class: 'table', 'data-testid': 'services-table' },
    h('caption', { class: 'visually-hidden' }, 'Services, their tasks and where they run'),
    h('thead', {}, h('tr', {},
      ['Service', 'Running / desired', 'State', 'Placement (nodes running it)', 'Image', 'Last error'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, services.map((s) => h('tr', { 'data-service': shortName(environment, s.name) },
      h('th', { scope: 'row' }, shortName(environment, s.name)),
      h('td', {}, h('span', { class: 'ratio' }, `${s.running} / ${s.desired}`), ' ',
        h('meter', { min: '0', max: String(Math.max(1, s.desired)), value: String(s.running), 'aria-label': `${s.running} of ${s.desired} running` })),
      h('td', {}, badge(s.state, healthTone(s.state))),
      h('td', {}, placement(s.nodes)),
      h('td', {}, h('code', {}, s.image ?? '?')),
      h('td', {}, s.lastError ? h('span', { class: 'error-text' }, s.lastError) : h('span', { class: 'muted' }, 'none'))))));
}

function placement(nodes) {
  if (!nodes?.length) {
    return h('span', { class: 'muted' }, 'nowhere yet');
  }

  const counts = new Map();
  nodes.forEach((n) => counts.set(n, (counts.get(n) ?? 0) + 1));
  return [...counts.entries()].map(([node, count]) => `${node}${count > 1 ? ` ×${count}` : ''}`).join(', ');
}

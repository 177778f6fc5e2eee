// Capacity: where every task of the environment would land, from GET /environments/{name}/capacity (the same answer as
// `ward plan --capacity`). A bar per node for reserved CPU and memory against its size, the manager marked, pending
// tasks and Swarm's reason, the manager's share, and what-ifs: lose nodes, add workers, scale services.
import { enc, get, withQuery } from './api.js';
import { badge, bytes, checkbox, errorBox, field, h, hue, plural, replace, showError, uid } from './dom.js';

export async function capacityTab({ env, panel }) {
  const path = `/environments/${enc(env.name)}/capacity`;
  const errors = errorBox();
  const results = h('div', { 'aria-live': 'polite', 'aria-busy': 'false', 'data-testid': 'capacity' });
  const asFiled = await get(path);
  const form = whatIfForm(asFiled, async (query) => {
    results.setAttribute('aria-busy', 'true');
    try {
      showError(errors, null);
      replace(results, report(await get(withQuery(path, query)), env.name));
    } catch (error) {
      showError(errors, error);
    } finally {
      results.setAttribute('aria-busy', 'false');
    }
  });

  replace(results, report(asFiled, env.name));
  panel.append(
    h('p', { class: 'hint' }, 'Where Swarm\'s scheduler would put every task on the file\'s nodes at their catalog sizes (docs/reference/placement.md says how it is worked out).'),
    form,
    errors,
    results);
}

/** The what-if form: nodes to lose, workers to add, replicas per service. Sends the query the API and the CLI share. */
function whatIfForm(asFiled, show) {
  const lose = asFiled.nodes.map((n) => ({ name: n.name, ...checkbox(`${n.name}${n.role === 'manager' ? ' (manager)' : ''}`, { name: 'without', value: n.name }) }));
  const size = h('select', { name: 'size' }, h('option', { value: '' }, 'none'), asFiled.sizes.map((s) => h('option', { value: s.name }, `${s.name} (${s.cpus} vCPU, ${bytes(s.memoryBytes)})`)));
  const count = h('input', { name: 'count', type: 'number', min: '1', max: '100', value: '1', inputmode: 'numeric' });
  const replicated = asFiled.services.filter((s) => s.mode === 'replicated');
  const scales = replicated.map((s) => ({ name: s.name, input: h('input', { name: `scale-${s.name}`, type: 'number', min: '0', value: String(s.desired), inputmode: 'numeric' }) }));
  const form = h('form', { class: 'what-if', novalidate: true },
    h('fieldset', {}, h('legend', {}, 'Lose nodes (down or drained)'), lose.map((l) => l.element)),
    h('fieldset', {}, h('legend', {}, 'Add workers'), field('Size', size), field('How many', count)),
    replicated.length ? h('fieldset', {}, h('legend', {}, 'Replicas'), scales.map((s) => field(s.name, s.input))) : null,
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, 'Show what happens'),
      h('button', { type: 'reset', class: 'button-quiet' }, 'As the file says')));
  const query = () => {
    const params = new URLSearchParams();
    lose.filter((l) => l.input.checked).forEach((l) => params.append('without', l.name));
    if (size.value) {
      params.append('addWorker', count.value === '1' ? size.value : `${size.value}x${count.value}`);
    }

    scales.filter((s, i) => s.input.value !== String(replicated[i].desired)).forEach((s) => params.append('scale', `${s.name}=${s.input.value}`));
    return Object.fromEntries([...params.keys()].map((key) => [key, params.getAll(key)]));
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    show(query());
  });
  form.addEventListener('reset', () => window.setTimeout(() => show({}), 0));
  return form;
}

function report(capacity, environment) {
  const pending = capacity.pending ?? [];
  return h('div', { class: 'capacity' },
    h('p', { class: 'capacity-verdict' },
      capacity.fits
        ? badge('Every task finds a node', 'good')
        : badge(`${plural(pending.reduce((sum, p) => sum + p.pending, 0), 'task')} would stay pending`, 'bad'),
      ' ', h('span', { class: 'muted' }, `${environment} on ${capacity.source}, ${capacity.whatIf.description}`)),
    pending.length ? h('section', { 'aria-labelledby': 'capacity-pending' },
      h('h3', { id: 'capacity-pending' }, 'Pending tasks'),
      h('ul', { class: 'reasons', 'data-testid': 'capacity-pending' }, pending.map((p) =>
        h('li', { 'data-service': p.service }, h('strong', {}, p.service), `: ${p.pending} of ${p.desired} — ${p.reason}`)))) : null,
    capacity.noLongerFits?.length ? h('p', { class: 'error-text', 'data-testid': 'no-longer-fits' },
      `No longer fits ${capacity.whatIf.description}: ${capacity.noLongerFits.map((s) => s.service).join(', ')}.`) : null,
    capacity.fix ? h('p', { class: 'capacity-fix', 'data-testid': 'capacity-fix' },
      capacity.fix.change ? [h('strong', {}, 'Smallest change: '), capacity.fix.change] : capacity.fix.advice) : null,
    managerShare(capacity.managerShare),
    h('ul', { class: 'nodes', 'data-testid': 'capacity-nodes' }, capacity.nodes.map(nodeCard)));
}

function managerShare(share) {
  const fine = share.tasks === 0;
  const percent = (part, whole) => (whole > 0 ? Math.round((100 * part) / whole) : 0);
  return h('div', { class: `manager-load ${fine ? 'manager-load-ok' : 'manager-load-high'}`, 'data-testid': 'capacity-manager-share' },
    h('h3', {}, 'The manager\'s share'),
    h('p', { class: 'manager-load-number' }, h('span', { class: 'big' }, String(share.tasks)), h('span', { class: 'visually-hidden' }, ` of ${share.allTasks} tasks on the manager`)),
    h('p', {}, `${share.tasks} of ${plural(share.allTasks, 'task')}, ${percent(share.cpus, share.allCpus)}% of the reserved CPU, ${percent(share.memoryBytes, share.allMemoryBytes)}% of the reserved memory`),
    h('p', { class: 'hint' }, fine ? 'Good: orchestration keeps its resources.' : 'When the manager runs out of resources, orchestration slows and services go down.'));
}

function nodeCard(node) {
  const cpuShare = node.cpus > 0 ? node.reservedCpus / node.cpus : 0;
  const memoryShare = node.memoryBytes > 0 ? node.reservedMemoryBytes / node.memoryBytes : 0;
  const tasks = [...(node.tasks ?? [])].sort((a, b) => a.service.localeCompare(b.service));
  return h('li', { class: `node node-${node.role}`, 'data-node': node.name },
    h('h4', {}, node.name),
    h('p', { class: 'node-badges' },
      badge(node.role, node.role === 'manager' ? 'warn' : 'neutral'), ' ',
      node.size ? badge(node.size, 'neutral') : null, ' ',
      node.takesTasks ? null : badge(node.status === 'ready' ? node.availability : node.status, 'bad')),
    node.takesTasks
      ? [usage('CPU', cpuShare, `${round(node.reservedCpus)} of ${round(node.cpus)} CPU`), usage('Memory', memoryShare, `${amount(node.reservedMemoryBytes)} of ${amount(node.memoryBytes)}`)]
      : h('p', { class: 'muted' }, 'Takes no tasks'),
    tasks.length === 0 && !node.otherTasks
      ? h('p', { class: 'muted' }, 'No tasks')
      : h('ul', { class: 'chips', 'aria-label': `Tasks on ${node.name}` },
        tasks.map((t) => h('li', { class: `chip chip-${hue(t.service)}` }, t.service, t.count > 1 ? h('span', { class: 'chip-count' }, ` ×${t.count}`) : null)),
        node.otherTasks ? h('li', { class: 'chip chip-7' }, `${node.otherTasks} of other stacks`) : null));
}

/** A labelled meter of a node's reserved share; its text says the numbers, so colour is never the only sign. */
function usage(label, share, text) {
  const id = uid('usage');
  return h('div', { class: 'node-load' },
    h('label', { for: id }, `${label} ${Math.round(share * 100)}%`),
    h('meter', { id, min: '0', max: '1', low: '0.75', high: '0.9', optimum: '0', value: String(Math.min(1, share)), title: text }),
    h('span', { class: 'muted' }, text));
}

const round = (value) => Math.round(value * 100) / 100;

const amount = (count) => (count ? bytes(count) : '0');

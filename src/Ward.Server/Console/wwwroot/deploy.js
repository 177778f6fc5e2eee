// Plan and apply: what an apply would change, field by field; the apply itself as an operation whose progress
// (steps, per-service convergence, result) streams in as server-sent events; and the environment's recent operations.
import { ApiError, enc, follow, get, post } from './api.js';
import { announce, badge, busy, checkbox, errorBox, h, healthTone, replace, shortName, showError, time } from './dom.js';

const changeTones = { create: 'good', update: 'warn', remove: 'bad' };

export async function deployTab({ env, panel }) {
  const operations = await get(`/environments/${enc(env.name)}/operations`);
  const progress = progressView(env.name);
  const history = h('div');
  // Results seen in the event stream: the server announces a result a moment before it stores it, so the list
  // read right after could still say "running".
  const results = new Map();
  const refreshHistory = async (operationId, result) => {
    if (result) {
      results.set(operationId, result);
    }

    const latest = (await get(`/environments/${enc(env.name)}/operations`)).map((o) => (results.has(o.id) && o.state === 'running' ? { ...o, ...results.get(o.id) } : o));
    replace(history, operationsTable(latest, (id) => progress.watch(id, refreshHistory)));
  };

  panel.append(
    planSection(env),
    applySection(env, progress, refreshHistory),
    progress.element,
    h('section', { 'aria-labelledby': 'operations-heading' }, h('h3', { id: 'operations-heading' }, 'Recent operations'), history));
  replace(history, operationsTable(operations, (id) => progress.watch(id, refreshHistory)));

  // An apply still running (started elsewhere, or before a reload) is followed at once.
  const running = operations.find((o) => o.state === 'running');
  if (running) {
    progress.watch(running.id, refreshHistory);
  }

  return () => progress.stop();
}

function planSection(env) {
  const prune = checkbox('Prune: also remove objects the file no longer declares');
  const errors = errorBox();
  const output = h('div', { class: 'plan-output' });
  const button = h('button', { type: 'submit' }, 'Make a plan');
  const form = h('form', { class: 'inline-form', novalidate: true }, prune.element, h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(button, async () => {
      showError(errors, null);
      try {
        const plan = await post(`/environments/${enc(env.name)}/plans`, { prune: prune.input.checked });
        replace(output, planView(plan));
        announce(plan.hasChanges ? `Plan ready: ${planSummary(plan)}` : 'Plan ready: nothing to change');
      } catch (error) {
        showError(errors, error);
      }
    });
  });
  return h('section', { 'aria-labelledby': 'plan-heading' },
    h('h3', { id: 'plan-heading' }, 'Plan'),
    h('p', { class: 'hint' }, 'A plan compares the file with what runs on the swarm; it changes nothing.'),
    form, errors, output);
}

function planSummary(plan) {
  return `${plan.summary.create} to create, ${plan.summary.update} to update, ${plan.summary.remove} to remove`;
}

/** A plan: its steps in the order an apply takes them, each with the fields that change. */
function planView(plan) {
  const warnings = plan.warnings?.length ? h('ul', { class: 'warnings' }, plan.warnings.map((w) => h('li', {}, badge('warning', 'warn'), ` ${w}`))) : null;
  if (!plan.hasChanges) {
    return h('div', { 'data-testid': 'plan' }, h('p', {}, badge('nothing to change', 'good'), ' The swarm already runs what the file says.'), warnings);
  }

  return h('div', { 'data-testid': 'plan' },
    h('p', {}, h('strong', {}, planSummary(plan))),
    warnings,
    h('ol', { class: 'steps' }, plan.steps.map((step) => h('li', { class: 'step' },
      h('p', {}, badge(step.change, changeTones[step.change] ?? 'neutral'), ` ${step.target} `, h('code', {}, step.name),
        step.reason ? h('span', { class: 'muted' }, ` — ${step.reason}`) : null),
      step.fields?.length ? fieldChanges(step.fields) : null))));
}

function fieldChanges(fields) {
  return h('table', { class: 'table table-compact' },
    h('caption', { class: 'visually-hidden' }, 'Field changes'),
    h('thead', {}, h('tr', {}, ['Field', 'Before', 'After'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, fields.map((f) => h('tr', {},
      h('th', { scope: 'row' }, h('code', {}, f.path)),
      h('td', {}, h('code', { class: 'before' }, f.before ?? '(none)')),
      h('td', {}, h('code', { class: 'after' }, f.after ?? '(none)'))))));
}

/** The apply button; when the readiness gate refuses a production apply, the refusal and a force option. */
function applySection(env, progress, refreshHistory) {
  const prune = checkbox('Prune: also remove objects the file no longer declares');
  const errors = errorBox();
  const gate = h('div');
  const button = h('button', { type: 'submit', class: 'button-primary' }, 'Apply');
  const form = h('form', { class: 'inline-form', novalidate: true }, prune.element, h('div', { class: 'actions' }, button));

  const start = async (force) => {
    showError(errors, null);
    replace(gate);
    try {
      const operation = await post(`/environments/${enc(env.name)}/applies`, { prune: prune.input.checked, force });
      announce('Apply started');
      progress.watch(operation.id, refreshHistory);
      // The button that started it may be gone (the force option): keyboard users continue at the progress.
      progress.focus();
      await refreshHistory();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'readiness_gate') {
        replace(gate, gateRefusal(error, start));
      } else {
        showError(errors, error);
      }
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(button, () => start(false));
  });
  return h('section', { 'aria-labelledby': 'apply-heading' },
    h('h3', { id: 'apply-heading' }, 'Apply'),
    h('p', { class: 'hint' }, 'Applying makes a fresh plan, changes the swarm in order, and waits until every service has converged, or rolls back.'),
    form, errors, gate);
}

function gateRefusal(error, start) {
  const consent = checkbox('I have read these findings and apply anyway (force)');
  const forceButton = h('button', { type: 'button', class: 'button-danger', disabled: true }, 'Apply with force');
  consent.input.addEventListener('change', () => { forceButton.disabled = !consent.input.checked; });
  forceButton.addEventListener('click', () => busy(forceButton, () => start(true)));
  const findings = error.problem.findings ?? [];
  const list = h('ul', {}, findings.map((f) => h('li', {}, h('code', {}, f.rule), ' ', h('code', {}, f.path), ` ${f.message}`)));
  if (error.problem.forceable === false) {
    // What the engine would refuse: forcing would only leave a half-made deployment, so it is not offered.
    return h('div', { class: 'gate', role: 'alert' },
      h('p', {}, badge('refused: Docker would refuse these', 'bad'), ' ', error.message), list);
  }
  return h('div', { class: 'gate', role: 'alert' },
    h('p', {}, badge('refused by the readiness gate', 'bad'), ' ', error.message),
    list,
    consent.element,
    h('div', { class: 'actions' }, forceButton));
}

/** Live progress: the step list, a row per service with running/desired, and the result. */
function progressView(environment) {
  const status = h('p', { role: 'status', class: 'progress-status' });
  const steps = h('ol', { class: 'steps steps-live' });
  const services = h('div');
  const result = h('div', { 'data-testid': 'apply-result' });
  const element = h('section', { 'aria-labelledby': 'progress-heading', class: 'progress', hidden: true },
    h('h3', { id: 'progress-heading', tabindex: '-1' }, 'Progress'), status, steps, services, result);
  let stop = () => {};

  const handlers = {
    plan: (plan) => {
      replace(status, plan.hasChanges ? `Applying: ${planSummary(plan)}` : 'Nothing to change');
    },
    step: (step) => {
      const text = `${step.change} ${step.target} ${step.name}`;
      steps.append(h('li', {}, badge(step.error ? 'failed' : 'done', step.error ? 'bad' : 'good'), ` ${text}`, step.error ? h('span', { class: 'error-text' }, ` — ${step.error}`) : null));
      replace(status, step.error ? `Failed: ${text}` : `Done: ${text}`);
    },
    progress: (items) => replace(services, serviceProgress(environment, items)),
    note: (note) => steps.append(h('li', { class: 'note' }, note.message)),
    result: (outcome) => {
      const tone = outcome.state === 'converged' ? 'good' : 'bad';
      replace(result, h('p', { class: `result result-${tone}` }, badge(outcome.state, tone), ` ${outcome.summary}`));
      replace(status, `Apply ${outcome.state}: ${outcome.summary}`);
    },
  };

  return {
    element,
    stop: () => stop(),
    focus: () => element.querySelector('h3').focus(),
    watch(operationId, onDone) {
      stop();
      element.hidden = false;
      replace(steps);
      replace(services);
      replace(result);
      replace(status, 'Waiting for the first events…');
      stop = follow(operationId, (type, data) => {
        handlers[type]?.(data);
        if (type === 'result') {
          onDone?.(operationId, data);
        }
      }, () => replace(status, 'The progress stream was refused; reload the page to see the result.'));
    },
  };
}

function serviceProgress(environment, items) {
  return h('table', { class: 'table', 'data-testid': 'apply-progress' },
    h('caption', {}, 'Services converging'),
    h('thead', {}, h('tr', {}, ['Service', 'Running / desired', 'State', 'Last error'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, items.map((s) => h('tr', { 'data-service': shortName(environment, s.name) },
      h('th', { scope: 'row' }, shortName(environment, s.name)),
      h('td', {}, `${s.running} / ${s.desired} `, h('progress', { max: String(Math.max(1, s.desired)), value: String(s.running), 'aria-label': `${s.running} of ${s.desired} running` })),
      h('td', {}, badge(s.state, healthTone(s.state))),
      h('td', {}, s.lastError ?? '')))));
}

function operationsTable(operations, watch) {
  if (operations.length === 0) {
    return h('p', { class: 'muted' }, 'No operations yet.');
  }

  return h('table', { class: 'table' },
    h('caption', { class: 'visually-hidden' }, 'Recent operations'),
    h('thead', {}, h('tr', {}, ['Started', 'By', 'Kind', 'State', 'Summary', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, operations.map((o) => h('tr', {},
      h('td', {}, time(o.startedAt)),
      h('td', {}, o.startedBy),
      h('td', {}, o.kind),
      h('td', {}, badge(o.state, o.state === 'running' ? 'busy' : healthTone(o.state))),
      h('td', {}, o.summary ?? ''),
      h('td', {}, h('button', { type: 'button', class: 'button-quiet', onclick: () => watch(o.id), 'aria-label': `Show the progress of the ${o.kind} started ${new Date(o.startedAt).toLocaleString()}` }, 'Show progress'))))));
}

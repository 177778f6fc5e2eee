// The Logs tab: the environment's log lines live (every task on every node, secrets masked by the server), with a
// filter that applies as one types. Lines arrive as server-sent events and are drawn once per frame, so a service
// writing hundreds of lines a second does not hold the page up; the page keeps the newest lines only.
import { apiUrl, enc } from './api.js';
import { badge, field, h, replace, shortName } from './dom.js';

const keptLines = 2000;

export function logsTab({ env, panel }) {
  const lines = [];
  let pending = [];
  let frame = 0;
  let source = null;
  let received = 0;

  const filter = h('input', { type: 'search', autocomplete: 'off', spellcheck: 'false' });
  const service = h('select', {},
    h('option', { value: '' }, 'Every service'),
    (env.status.services ?? []).map((s) => h('option', { value: shortName(env.name, s.name) }, shortName(env.name, s.name))));
  const state = h('span', { class: 'log-state', 'data-testid': 'log-state' });
  const counter = h('span', { class: 'muted', 'data-testid': 'log-count' });
  const list = h('ol', { class: 'log-lines', 'data-testid': 'log-lines', 'aria-live': 'off' });
  const pause = h('button', { type: 'button' }, 'Pause');

  const matches = (line) => {
    const text = filter.value.trim().toLowerCase();
    return !text || `${line.task} ${line.node} ${line.message}`.toLowerCase().includes(text);
  };

  const row = (line) => h('li', { class: line.stream === 'stderr' ? 'log-line log-stderr' : 'log-line', hidden: !matches(line) },
    h('time', { datetime: line.time }, line.time.slice(11, 23)), ' ',
    h('span', { class: 'log-task' }, `${line.task}@${line.node}`), ' ',
    h('span', { class: 'log-message' }, line.message));

  const draw = () => {
    frame = 0;
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    const fresh = pending;
    pending = [];
    lines.push(...fresh);
    list.append(...fresh.map(row));
    const extra = lines.length - keptLines;
    if (extra > 0) {
      lines.splice(0, extra);
      for (let i = 0; i < extra; i += 1) {
        list.firstElementChild?.remove();
      }
    }

    replace(counter, `${received} line${received === 1 ? '' : 's'} received, the newest ${lines.length} kept`);
    if (atBottom) {
      list.scrollTop = list.scrollHeight;
    }
  };

  const refilter = () => {
    [...list.children].forEach((item, i) => { item.hidden = !matches(lines[i]); });
  };

  const stop = () => {
    source?.close();
    source = null;
  };

  const start = () => {
    stop();
    lines.length = 0;
    pending = [];
    received = 0;
    list.replaceChildren();
    const chosen = service.value;
    source = new EventSource(apiUrl(`/environments/${enc(env.name)}/logs`, { follow: 'true', tail: 200, service: chosen }));
    replace(state, badge('connecting', 'busy'));
    source.addEventListener('open', () => replace(state, badge('live', 'good')));
    source.addEventListener('line', (message) => {
      received += 1;
      pending.push(JSON.parse(message.data));
      frame ||= window.requestAnimationFrame(draw);
    });
    source.addEventListener('error', () => {
      replace(state, source?.readyState === EventSource.CLOSED ? badge('stopped: the server refused the stream', 'bad') : badge('reconnecting', 'warn'));
    });
    replace(pause, 'Pause');
  };

  filter.addEventListener('input', refilter);
  service.addEventListener('change', start);
  pause.addEventListener('click', () => {
    if (source) {
      stop();
      replace(state, badge('paused', 'neutral'));
      replace(pause, 'Resume');
    } else {
      start();
    }
  });

  panel.append(
    h('p', { class: 'hint' }, 'Every task on every node, newest at the bottom. Values of this environment\'s secrets are masked by the server before a line leaves it.'),
    h('div', { class: 'log-controls' },
      field('Filter', filter, 'Shows only lines whose task, node or text contains this (case-insensitive).'),
      field('Service', service),
      h('div', { class: 'actions' }, pause, ' ', state)),
    counter,
    list);
  start();
  return () => {
    stop();
    if (frame) {
      window.cancelAnimationFrame(frame);
    }
  };
}

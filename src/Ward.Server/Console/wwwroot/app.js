// The Ward console: a hash-routed single page over /api/v1. This file holds the shell (navigation, session, routing);
// each page lives in its own module and renders into a fresh view that replaces the previous one.
import { ApiError, del, explain, loadSession, whenUnauthorized } from './api.js';
import { announce, h, replace } from './dom.js';
import { setupPage, signInPage, twoFactorPage } from './auth.js';
import { environmentsPage, registerPage } from './environments.js';
import { environmentPage } from './environment.js';
import { auditPage } from './audit.js';
import { tokensPage, usersPage } from './users.js';

const routes = [
  { path: /^\/setup$/, page: setupPage, title: 'Set up', open: true },
  { path: /^\/sign-in$/, page: signInPage, title: 'Sign in', open: true },
  { path: /^\/$/, page: environmentsPage, title: 'Environments', nav: '#/' },
  { path: /^\/register$/, page: registerPage, title: 'Register an environment', nav: '#/register' },
  { path: /^\/env\/([a-z0-9-]+)(?:\/([a-z-]+))?$/, page: environmentPage, title: 'Environment', nav: '#/' },
  { path: /^\/audit$/, page: auditPage, title: 'Audit log', nav: '#/audit' },
  { path: /^\/users$/, page: usersPage, title: 'Users', nav: '#/users' },
  { path: /^\/tokens$/, page: tokensPage, title: 'API tokens', nav: '#/tokens' },
  { path: /^\/two-factor$/, page: twoFactorPage, title: 'Two-factor sign-in', nav: '#/two-factor' },
];

const app = {
  session: { signedIn: false },
  cleanup: null,
  generation: 0,
  main: null,
  // A message for the next page (why it was sent there), shown after navigation clears the old alerts.
  pendingAlert: '',
};

/** The context a page gets: where to render, who is signed in, and how to move on. */
function context(view, query) {
  return {
    view,
    query,
    session: app.session,
    navigate,
    refreshSession,
    isAdmin: () => globalRoleAtLeast('admin'),
  };
}

function navigate(hash) {
  if (location.hash === hash) {
    route();
  } else {
    location.hash = hash;
  }
}

async function refreshSession() {
  app.session = await loadSession();
  renderChrome();
  return app.session;
}

const roleRank = { viewer: 0, deployer: 1, admin: 2, owner: 3 };

function globalRoleAtLeast(role) {
  const global = (app.session.grants ?? []).filter((g) => !g.environment).map((g) => roleRank[g.role] ?? -1);
  return Math.max(-1, ...global) >= roleRank[role];
}

/** The header: navigation for what this person may use, who they are, and sign-out. */
function renderChrome() {
  const nav = document.getElementById('main-nav');
  const who = document.getElementById('who');
  if (!app.session.signedIn) {
    replace(nav);
    replace(who);
    return;
  }

  const links = [
    ['#/', 'Environments', true],
    ['#/register', 'Register', globalRoleAtLeast('admin')],
    ['#/audit', 'Audit log', globalRoleAtLeast('admin')],
    ['#/users', 'Users', globalRoleAtLeast('admin')],
    ['#/tokens', 'API tokens', true],
    ['#/two-factor', 'Two-factor', true],
  ];
  replace(nav, h('ul', {}, links.filter(([, , shown]) => shown).map(([href, label]) => h('li', {}, h('a', { href, 'data-nav': href }, label)))));
  replace(who,
    h('span', {}, 'Signed in as ', h('strong', {}, app.session.user), ` (${app.session.role ?? 'no role yet'})`),
    h('button', { type: 'button', class: 'button-quiet', onclick: signOut }, 'Sign out'));
  markCurrent();
}

function markCurrent() {
  const current = routes.find((r) => r.path.test(currentPath()))?.nav;
  for (const link of document.querySelectorAll('#main-nav a')) {
    if (link.dataset.nav === current) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
}

async function signOut() {
  // Stop the page's polling first, so its requests do not report the session as lost.
  app.cleanup?.();
  app.cleanup = null;
  try {
    await del('/session');
  } finally {
    await refreshSession();
    announce('Signed out');
    navigate('#/sign-in');
  }
}

function currentPath() {
  const hash = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
  return hash.split('?')[0];
}

function currentQuery() {
  const at = location.hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : location.hash.slice(at + 1));
}

/** Shows the page for the current hash, after the previous page has stopped its timers and streams. */
async function route() {
  if (location.hash && !location.hash.startsWith('#/')) {
    // In-page anchors (the skip link) are not routes.
    return;
  }

  app.cleanup?.();
  app.cleanup = null;
  const generation = ++app.generation;
  const path = currentPath();
  const match = routes.map((r) => ({ r, m: r.path.exec(path) })).find((x) => x.m);
  if (!match) {
    navigate('#/');
    return;
  }

  if (!match.r.open && !app.session.signedIn) {
    navigate(`#/sign-in?next=${encodeURIComponent(location.hash)}`);
    return;
  }

  replace(document.getElementById('alerts'), app.pendingAlert);
  app.pendingAlert = '';
  markCurrent();
  const view = h('div', { class: 'view' });
  let cleanup = null;
  try {
    cleanup = await match.r.page(context(view, currentQuery()), ...match.m.slice(1).map((p) => (p === undefined ? undefined : decodeURIComponent(p))));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      return;
    }

    replace(view, h('h1', { tabindex: '-1', class: 'page-heading' }, match.r.title), h('p', { class: 'error', role: 'alert' }, explain(error)));
  }

  // A newer navigation started while this page loaded: drop this one.
  if (generation !== app.generation) {
    cleanup?.();
    return;
  }

  app.cleanup = typeof cleanup === 'function' ? cleanup : null;
  app.main.replaceChildren(view);
  const heading = view.querySelector('h1');
  document.title = `${heading?.textContent ?? match.r.title} · Ward`;
  // Forms that want the first field focused (sign-in) say so; otherwise focus starts at the page's heading.
  (view.querySelector('[data-autofocus]') ?? heading)?.focus();
}

async function start() {
  app.main = document.getElementById('main');
  document.getElementById('skip-link').addEventListener('click', (event) => {
    // The hash belongs to the router, so the skip link moves focus itself.
    event.preventDefault();
    app.main.focus();
  });
  whenUnauthorized(() => {
    if (!currentPath().startsWith('/sign-in') && !currentPath().startsWith('/setup')) {
      app.session = { signedIn: false };
      renderChrome();
      app.pendingAlert = 'Your session has ended. Sign in again.';
      navigate(`#/sign-in?next=${encodeURIComponent(location.hash)}`);
    }
  });
  window.addEventListener('hashchange', route);
  try {
    await refreshSession();
  } catch (error) {
    replace(app.main, h('h1', {}, 'Ward'), h('p', { class: 'error', role: 'alert' }, explain(error)));
    return;
  }

  if (!app.session.signedIn && app.session.setupNeeded && currentPath() !== '/setup') {
    navigate('#/setup');
    return;
  }

  route();
}

start();

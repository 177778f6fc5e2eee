// Users with their roles (global or per environment), and the signed-in person's API tokens.
import { del, enc, get, post, put } from './api.js';
import { announce, badge, busy, errorBox, field, h, pageHeading, replace, showError, time } from './dom.js';

const roles = ['viewer', 'deployer', 'admin', 'owner'];

function roleSelect(name, selected = 'viewer') {
  return h('select', { name }, roles.map((r) => h('option', { value: r, selected: r === selected }, r)));
}

export async function usersPage(ctx) {
  const list = h('div');
  const pageErrors = errorBox();
  const refresh = async () => replace(list, usersTable(await get('/users'), refresh, pageErrors));
  await refresh();
  replace(ctx.view,
    pageHeading('Users'),
    h('p', { class: 'lead' }, 'Roles from least to most: viewer, deployer, admin, owner. A role is global, or held in one environment only. Owners and admins sign in with two factors.'),
    pageErrors,
    h('section', { 'aria-labelledby': 'users-heading' }, h('h2', { id: 'users-heading' }, 'People'), list),
    createUserForm(refresh));
}

function usersTable(users, refresh, errors) {
  return h('table', { class: 'table', 'data-testid': 'users-table' },
    h('caption', { class: 'visually-hidden' }, 'Users and their roles'),
    h('thead', {}, h('tr', {}, ['User', 'Roles', 'Two-factor', 'State', 'Change'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, users.map((u) => h('tr', { 'data-user': u.userName },
      h('th', { scope: 'row' }, u.userName, u.displayName && u.displayName !== u.userName ? h('span', { class: 'muted' }, ` (${u.displayName})`) : null),
      h('td', {}, grantList(u, refresh, errors)),
      h('td', {}, u.twoFactor ? badge('on', 'good') : badge('off', 'neutral')),
      h('td', {}, userState(u)),
      h('td', {}, toggleButton(u, refresh, errors), u.twoFactor ? [' ', resetTwoFactorButton(u, refresh, errors)] : null, grantForm(u, refresh))))));
}

function userState(user) {
  if (user.disabled) {
    return badge('disabled', 'bad');
  }

  return badge('active', 'good');
}

function grantList(user, refresh, errors) {
  if (user.grants.length === 0) {
    return h('span', { class: 'muted' }, 'no role');
  }

  return h('ul', { class: 'plain' }, user.grants.map((g) => {
    const where = g.environment ? ` in ${g.environment}` : ' (global)';
    const remove = h('button', { type: 'button', class: 'button-quiet', 'aria-label': `Take the role ${g.role}${where} from ${user.userName}` }, 'Remove');
    remove.addEventListener('click', () => busy(remove, async () => {
      try {
        await del(`/users/${enc(user.id)}/grants/${enc(g.id)}?version=${enc(user.version)}`);
        announce(`Removed ${g.role}${where} from ${user.userName}`);
        await refresh();
      } catch (error) {
        showError(errors, error);
      }
    }));
    return h('li', {}, h('strong', {}, g.role), where, ' ', remove);
  }));
}

/** For someone who lost both their authenticator and their recovery codes: they enrol again at their next sign-in. */
function resetTwoFactorButton(user, refresh, errors) {
  const button = h('button', { type: 'button', class: 'button-quiet', 'aria-label': `Reset two-factor sign-in of ${user.userName}` }, 'Reset two-factor');
  button.addEventListener('click', () => busy(button, async () => {
    if (!window.confirm(`Reset the two-factor sign-in of ${user.userName}? Their sessions end, and whoever signs in next with their password sets up a new authenticator. Do this only when you know it is them.`)) {
      return;
    }

    try {
      await put(`/users/${enc(user.id)}`, { resetTwoFactor: true, version: user.version });
      announce(`Two-factor sign-in of ${user.userName} reset`);
      await refresh();
    } catch (error) {
      showError(errors, error);
    }
  }));
  return button;
}

/** Disables or enables a user, sending the version read: a stale one is explained, not overwritten. */
function toggleButton(user, refresh, errors) {
  const button = h('button', { type: 'button', class: 'button-quiet', 'aria-label': `${user.disabled ? 'Enable' : 'Disable'} ${user.userName}` }, user.disabled ? 'Enable' : 'Disable');
  button.addEventListener('click', () => busy(button, async () => {
    try {
      await put(`/users/${enc(user.id)}`, { disabled: !user.disabled, version: user.version });
      announce(`${user.userName} ${user.disabled ? 'enabled' : 'disabled'}`);
      await refresh();
    } catch (error) {
      showError(errors, error);
    }
  }));
  return button;
}

function grantForm(user, refresh) {
  const role = roleSelect('role');
  const environment = h('input', { name: 'environment', spellcheck: 'false', autocomplete: 'off' });
  const errors = errorBox();
  const submit = h('button', { type: 'submit', class: 'button-quiet' }, 'Give the role');
  const form = h('form', { class: 'grant-form', novalidate: true },
    errors,
    field('Role', role),
    field('Environment (empty: all)', environment),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      try {
        await post(`/users/${enc(user.id)}/grants`, { role: role.value, environment: environment.value.trim() || null, version: user.version });
        announce(`Gave ${user.userName} the role ${role.value}`);
        await refresh();
      } catch (error) {
        showError(errors, error);
      }
    });
  });
  return h('details', { class: 'grant' }, h('summary', {}, `Give ${user.userName} a role…`), form);
}

function createUserForm(refresh) {
  const userName = h('input', { name: 'userName', required: true, autocomplete: 'off', maxlength: '64' });
  const displayName = h('input', { name: 'displayName', autocomplete: 'off' });
  const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password', minlength: '12' });
  const errors = errorBox();
  const done = h('p', { role: 'status' });
  const submit = h('button', { type: 'submit' }, 'Create the user');
  const form = h('form', { class: 'card form-narrow', novalidate: true },
    errors,
    field('User name', userName, 'Letters, digits, ".", "-", "_" or "@".'),
    field('Display name (optional)', displayName),
    field('Initial password', password, 'At least 12 characters; tell it to them over a separate channel.'),
    h('div', { class: 'actions' }, submit),
    done);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      showError(errors, null);
      replace(done);
      try {
        const created = await post('/users', { userName: userName.value.trim(), displayName: displayName.value.trim() || null, password: password.value });
        replace(done, `Created ${created.userName}. They have no role yet: give them one above.`);
        form.reset();
        await refresh();
      } catch (error) {
        showError(errors, error);
      }
    });
  });
  return h('section', { 'aria-labelledby': 'create-user-heading' }, h('h2', { id: 'create-user-heading' }, 'Create a user'), form);
}

export async function tokensPage(ctx) {
  const list = h('div');
  const errors = errorBox();
  const refresh = async () => replace(list, tokensTable(await get('/tokens'), refresh, errors));
  await refresh();
  replace(ctx.view,
    pageHeading('API tokens'),
    h('p', { class: 'lead' }, 'Tokens let scripts and CI use the API as you (Authorization: Bearer …), limited to a role and optionally one environment. A token can never do more than you can.'),
    errors,
    h('section', { 'aria-labelledby': 'tokens-heading' }, h('h2', { id: 'tokens-heading' }, 'Your tokens'), list),
    createTokenForm(ctx.session, refresh));
}

function tokensTable(tokens, refresh, errors) {
  if (tokens.length === 0) {
    return h('p', { class: 'muted' }, 'You have no tokens.');
  }

  return h('table', { class: 'table', 'data-testid': 'tokens-table' },
    h('caption', { class: 'visually-hidden' }, 'Your API tokens'),
    h('thead', {}, h('tr', {}, ['Name', 'Starts with', 'Role', 'Environment', 'Created', 'Expires', 'Last used', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, tokens.map((t) => {
      const revoke = h('button', { type: 'button', class: 'button-danger', 'aria-label': `Revoke the token ${t.name}` }, 'Revoke');
      revoke.addEventListener('click', () => {
        if (!window.confirm(`Revoke the token ${t.name}? Scripts using it stop working at once.`)) {
          return;
        }

        busy(revoke, async () => {
          try {
            await del(`/tokens/${enc(t.id)}`);
            announce(`Revoked ${t.name}`);
            await refresh();
          } catch (error) {
            showError(errors, error);
          }
        });
      });
      return h('tr', { 'data-token': t.name },
        h('th', { scope: 'row' }, t.name),
        h('td', {}, h('code', {}, `${t.prefix}…`)),
        h('td', {}, t.role),
        h('td', {}, t.environment ?? 'all'),
        h('td', {}, time(t.createdAt)),
        h('td', {}, time(t.expiresAt)),
        h('td', {}, time(t.lastUsedAt)),
        h('td', {}, revoke));
    })));
}

function createTokenForm(session, refresh) {
  const name = h('input', { name: 'name', required: true, autocomplete: 'off' });
  const role = roleSelect('role', session.role === 'viewer' ? 'viewer' : 'deployer');
  const environment = h('input', { name: 'environment', spellcheck: 'false', autocomplete: 'off' });
  const days = h('input', { name: 'expiresInDays', type: 'number', min: '1', max: '3650', value: '90' });
  const errors = errorBox();
  const shown = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Create the token');
  const form = h('form', { class: 'card form-narrow', novalidate: true },
    errors,
    field('Name', name, 'What uses it, e.g. "ci-deploy".'),
    field('Role', role),
    field('Environment (empty: all you may see)', environment),
    field('Expires in (days)', days),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      showError(errors, null);
      replace(shown);
      try {
        const created = await post('/tokens', { name: name.value.trim(), role: role.value, environment: environment.value.trim() || null, expiresInDays: Number(days.value) || 90 });
        replace(shown, tokenOnce(created));
        form.reset();
        await refresh();
      } catch (error) {
        showError(errors, error);
      }
    });
  });
  return h('section', { 'aria-labelledby': 'create-token-heading' }, h('h2', { id: 'create-token-heading' }, 'Create a token'), form, shown);
}

/** The new token, this once: Ward keeps only its hash. */
function tokenOnce(created) {
  const value = h('code', { class: 'token-value wrap', 'data-testid': 'new-token', tabindex: '0' }, created.token);
  const copy = h('button', { type: 'button', class: 'button-quiet' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(created.token);
      announce('Token copied');
    } catch {
      // Clipboard access needs a secure context; selecting the text lets people copy it themselves.
      window.getSelection()?.selectAllChildren(value);
      announce('Clipboard unavailable: the token is selected, copy it with the keyboard');
    }
  });
  return h('div', { class: 'token-once', role: 'alert' },
    h('p', {}, h('strong', {}, 'Copy this token now: it is not shown again.'), ` Role ${created.role}${created.environment ? ` in ${created.environment}` : ''}, expires `, time(created.expiresAt), '.'),
    h('p', {}, value, ' ', copy));
}

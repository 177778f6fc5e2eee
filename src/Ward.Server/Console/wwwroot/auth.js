// First-run setup, and sign-in in its steps: password, then the two-factor code (or a recovery code), or two-factor
// enrolment for an owner or admin who has none yet; and replacing the authenticator, which needs the current one.
import { ApiError, post } from './api.js';
import { announce, busy, errorBox, field, h, pageHeading, replace, showError } from './dom.js';

export async function setupPage(ctx) {
  if (ctx.session.signedIn || !ctx.session.setupNeeded) {
    ctx.navigate(ctx.session.signedIn ? '#/' : '#/sign-in');
    return;
  }

  const code = h('input', { name: 'code', required: true, autocomplete: 'off', spellcheck: 'false', 'data-autofocus': true });
  const userName = h('input', { name: 'userName', required: true, autocomplete: 'username', maxlength: '64' });
  const displayName = h('input', { name: 'displayName', autocomplete: 'name' });
  const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password', minlength: '12' });
  const errors = errorBox();
  const submit = h('button', { type: 'submit' }, 'Create the owner');
  const form = h('form', { class: 'card form-narrow', novalidate: true },
    errors,
    field('Setup code', code, 'The one-time code the server printed in its log when it started, like ABCD-EFGH-JKLM-NPQR.'),
    field('User name', userName, 'Letters, digits, ".", "-", "_" or "@".'),
    field('Display name (optional)', displayName),
    field('Password', password, 'At least 12 characters.'),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      try {
        await post('/setup', { code: code.value.trim(), userName: userName.value.trim(), password: password.value, displayName: displayName.value.trim() || null });
        await ctx.refreshSession();
        announce('Owner created. Sign in now.');
        ctx.navigate(`#/sign-in?created=${encodeURIComponent(userName.value.trim())}`);
      } catch (error) {
        showError(errors, error);
      }
    });
  });

  replace(ctx.view,
    pageHeading('Set up Ward'),
    h('p', {}, 'This server has no owner yet. Create the first owner: they can then add users, register environments and deploy. After signing in, the owner sets up two-factor sign-in.'),
    form);
}

/**
 * Sign-in. The steps share one region; each step replaces the form and moves focus to its first field, and the
 * password is kept in memory only until the code step is done.
 */
export async function signInPage(ctx) {
  if (ctx.session.signedIn) {
    ctx.navigate(nextRoute(ctx));
    return;
  }

  const region = h('div', { class: 'sign-in' });
  const finish = async () => {
    await ctx.refreshSession();
    announce(`Signed in as ${ctx.session.user}`);
    ctx.navigate(nextRoute(ctx));
  };

  if (ctx.session.enrolling) {
    // A reload in the middle of enrolment: the session allows only enrolment, so continue there.
    await enrolStep(region, finish);
  } else {
    passwordStep(region, ctx, finish);
  }

  replace(ctx.view, pageHeading('Sign in to Ward'), region);
}

function nextRoute(ctx) {
  const next = ctx.query.get('next');
  return next && next.startsWith('#/') && !next.startsWith('#/sign-in') ? next : '#/';
}

function passwordStep(region, ctx, finish) {
  const created = ctx.query.get('created');
  const userName = h('input', { name: 'userName', required: true, autocomplete: 'username', value: created ?? '', 'data-autofocus': true });
  const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' });
  const errors = errorBox();
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'card form-narrow', novalidate: true },
    created ? h('p', { class: 'note' }, `The owner ${created} was created. Sign in with the password you chose.`) : null,
    errors,
    field('User name', userName),
    field('Password', password),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      const credentials = { userName: userName.value.trim(), password: password.value };
      try {
        const result = await post('/session', credentials);
        await ctx.refreshSession();
        if (result.stage === 'enroll') {
          await enrolStep(region, finish);
        } else {
          await finish();
        }
      } catch (error) {
        if (error instanceof ApiError && error.code === 'two_factor_required') {
          codeStep(region, credentials, finish);
        } else {
          showError(errors, error);
        }
      }
    });
  });
  replace(region, form);
}

function codeInput() {
  return h('input', { name: 'code', required: true, inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '6', 'data-autofocus': true });
}

function codeStep(region, credentials, finish, useRecovery = false) {
  const code = useRecovery
    ? h('input', { name: 'recoveryCode', required: true, autocomplete: 'off', spellcheck: 'false', 'data-autofocus': true })
    : codeInput();
  const errors = errorBox();
  const submit = h('button', { type: 'submit' }, 'Verify and sign in');
  const other = h('button', { type: 'button', class: 'button-quiet' }, useRecovery ? 'Use the authenticator instead' : 'Use a recovery code instead');
  other.addEventListener('click', () => codeStep(region, credentials, finish, !useRecovery));
  const form = h('form', { class: 'card form-narrow', novalidate: true },
    h('h2', {}, 'Two-factor code'),
    errors,
    useRecovery
      ? field('Recovery code', code, 'One of the recovery codes you saved when you set up two-factor sign-in, like ABCD-EFGH-JKLM-NPQR. Each works once.')
      : field('6-digit code', code, 'From the authenticator app you set up for Ward. Codes change every 30 seconds, and each works once.'),
    h('div', { class: 'actions' }, submit, other));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      try {
        const result = await post('/session', { ...credentials, ...(useRecovery ? { recoveryCode: code.value.trim() } : { code: code.value.trim() }) });
        if (result.recoveryCodesLeft !== null && result.recoveryCodesLeft !== undefined) {
          announce(`Signed in with a recovery code; ${result.recoveryCodesLeft} left`);
        }

        await finish();
      } catch (error) {
        showError(errors, error);
        code.select();
      }
    });
  });
  replace(region, form);
  code.focus();
}

/**
 * Enrolment: a new secret, shown as text (to type into an authenticator) and as its otpauth URI, then a code to
 * confirm; the confirmation answers the recovery codes, shown once. <started> is an enrolment already begun (replacing
 * an authenticator, which needed the current one).
 */
async function enrolStep(region, finish, started = null) {
  const { secret, uri } = started ?? await post('/session/totp');
  const code = codeInput();
  const errors = errorBox();
  const submit = h('button', { type: 'submit' }, 'Confirm and finish');
  const form = h('form', { class: 'card form-narrow', novalidate: true },
    h('h2', {}, 'Set up two-factor sign-in'),
    h('p', {}, started
      ? 'Add Ward to your new authenticator app, then enter the code it shows. Until you do, your current authenticator keeps working.'
      : 'Owners and admins sign in with a second factor. Add Ward to an authenticator app (any app that supports TOTP), then enter the code it shows.'),
    h('dl', { class: 'secret-display' },
      h('dt', {}, 'Secret key (type it into the app)'),
      h('dd', {}, h('code', { 'data-testid': 'totp-secret' }, secret)),
      h('dt', {}, 'Or the otpauth URI (paste it into the app)'),
      h('dd', {}, h('code', { class: 'wrap', 'data-testid': 'totp-uri' }, uri))),
    h('p', { class: 'hint' }, 'The secret is shown only now; Ward stores it encrypted.'),
    errors,
    field('6-digit code from the app', code),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      try {
        const confirmed = await post('/session/totp/confirm', { code: code.value.trim() });
        announce('Two-factor sign-in is set up');
        recoveryCodesStep(region, confirmed.recoveryCodes ?? [], finish);
      } catch (error) {
        showError(errors, error);
        code.select();
      }
    });
  });
  replace(region, form);
  code.focus();
}

/** The recovery codes, shown this once: the way in when the authenticator is lost. */
function recoveryCodesStep(region, codes, finish) {
  const done = h('button', { type: 'button', 'data-autofocus': true }, 'I have saved them, continue');
  done.addEventListener('click', () => busy(done, finish));
  replace(region, h('div', { class: 'card form-narrow' },
    h('h2', {}, 'Your recovery codes'),
    h('p', {}, 'If you lose your authenticator, each of these codes signs you in once (instead of a 6-digit code) and lets you set up a new one. Save them somewhere safe now: Ward shows them only this once and keeps only their hashes.'),
    h('ol', { class: 'recovery-codes', 'data-testid': 'recovery-codes' }, codes.map((c) => h('li', {}, h('code', {}, c)))),
    h('div', { class: 'actions' }, done)));
  done.focus();
}

/**
 * Replacing the authenticator (a new phone): proven with a code from the current one or a recovery code, then the
 * same enrolment as the first. The current authenticator keeps working until the new one is confirmed.
 */
export async function twoFactorPage(ctx) {
  const region = h('div', { class: 'sign-in' });
  const finish = async () => {
    await ctx.refreshSession();
    announce('The new authenticator is set up');
    ctx.navigate('#/');
  };
  const code = h('input', { name: 'currentCode', autocomplete: 'one-time-code', inputmode: 'numeric', spellcheck: 'false', 'data-autofocus': true });
  const errors = errorBox();
  const submit = h('button', { type: 'submit' }, 'Continue');
  const form = h('form', { class: 'card form-narrow', novalidate: true },
    errors,
    field('Current code or a recovery code', code, 'A 6-digit code from the authenticator you use now, or one of your recovery codes if you lost it.'),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      const value = code.value.trim();
      try {
        const started = await post('/session/totp', /^[0-9]{6}$/.test(value) ? { code: value } : { recoveryCode: value });
        await enrolStep(region, finish, started);
      } catch (error) {
        showError(errors, error);
        code.select();
      }
    });
  });
  replace(region, form);
  replace(ctx.view,
    pageHeading('Two-factor sign-in'),
    h('p', {}, 'Set up a new authenticator app, for example on a new phone. Signing in with two factors ends your other sessions when the change is done, and gives you a new set of recovery codes.'),
    region);
}

import { createHash } from 'node:crypto';
import { escapeHtml, htmlPage } from './html.js';
import {
  type FormSubmission,
  html,
  redirect,
  type SiteHandler,
  type SiteRequest,
  type SiteState,
} from './site-types.js';

/** Roles offered by step 2 of the form. */
export const FORM_ROLES = ['Founder', 'Engineer', 'Designer', 'Other'] as const;

const COOKIE = 'wt_form';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The confirmation number the form shows for these inputs (a hash: the same inputs, the same number). */
export function formConfirmationNumber(input: Omit<FormSubmission, 'confirmationNumber'>): string {
  const fields = [
    input.fullName,
    input.email,
    input.phone,
    input.companyName,
    input.role,
    input.teamSize,
    input.newsletter,
  ];
  return `WT-${createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 8).toUpperCase()}`;
}

type Errors = Record<string, string>;

function field(
  name: string,
  label: string,
  draft: Record<string, string>,
  errors: Errors,
  extra: { type?: string; required?: boolean } = {},
): string {
  const error = errors[name];
  return `<div class="field">
<label for="${name}">${label}${extra.required ? ' *' : ''}</label>
<input id="${name}" name="${name}" type="${extra.type ?? 'text'}" value="${escapeHtml(draft[name] ?? '')}"${extra.required ? ' required' : ''}${error ? ` aria-invalid="true" aria-describedby="${name}-error"` : ''}>
${error ? `<p class="error" id="${name}-error" role="alert">${escapeHtml(error)}</p>` : ''}
</div>`;
}

function errorSummary(errors: Errors): string {
  const entries = Object.values(errors);
  if (entries.length === 0) return '';
  return `<div class="error-summary" role="alert"><p>Please fix ${entries.length} error${entries.length > 1 ? 's' : ''}:</p><ul>${entries.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></div>`;
}

function steps(current: number): string {
  const names = ['Personal details', 'Company', 'Review'];
  return `<ol class="steps">${names.map((n, i) => `<li${i + 1 === current ? ' aria-current="step"' : ''}>${n}</li>`).join('')}</ol>`;
}

// `novalidate`: the browser must not pre-empt the server-side validation this fixture exists to show.
function step1(draft: Record<string, string>, errors: Errors): string {
  return htmlPage({
    title: 'Apply — Step 1 of 3',
    body: `<main><h1>Application: personal details</h1>${steps(1)}${errorSummary(errors)}
<form method="post" action="/form" novalidate>
${field('fullName', 'Full name', draft, errors, { required: true })}
${field('email', 'Email', draft, errors, { type: 'email', required: true })}
${field('phone', 'Phone', draft, errors, { type: 'tel' })}
<button type="submit">Continue</button>
</form></main>`,
  });
}

function step2(draft: Record<string, string>, errors: Errors): string {
  const role = draft['role'] ?? '';
  const roleOptions = [`<option value="">Choose a role</option>`]
    .concat(FORM_ROLES.map((r) => `<option${r === role ? ' selected' : ''}>${r}</option>`))
    .join('');
  return htmlPage({
    title: 'Apply — Step 2 of 3',
    body: `<main><h1>Application: company</h1>${steps(2)}${errorSummary(errors)}
<form method="post" action="/form/company" novalidate>
${field('companyName', 'Company name', draft, errors, { required: true })}
<div class="field"><label for="role">Your role *</label>
<select id="role" name="role" required>${roleOptions}</select>
${errors['role'] ? `<p class="error" role="alert">${escapeHtml(errors['role'])}</p>` : ''}</div>
${field('teamSize', 'Team size', draft, errors, { type: 'number' })}
<div class="field"><label><input type="checkbox" name="newsletter" value="yes"${draft['newsletter'] === 'yes' ? ' checked' : ''}> Send me the newsletter</label></div>
<a href="/form">Back</a> <button type="submit">Continue</button>
</form></main>`,
  });
}

function step3(draft: Record<string, string>, errors: Errors): string {
  const rows: Array<[string, string]> = [
    ['Full name', draft['fullName'] ?? ''],
    ['Email', draft['email'] ?? ''],
    ['Phone', draft['phone'] || '—'],
    ['Company name', draft['companyName'] ?? ''],
    ['Role', draft['role'] ?? ''],
    ['Team size', draft['teamSize'] || '—'],
    ['Newsletter', draft['newsletter'] === 'yes' ? 'Yes' : 'No'],
  ];
  return htmlPage({
    title: 'Apply — Step 3 of 3',
    body: `<main><h1>Application: review</h1>${steps(3)}${errorSummary(errors)}
<dl class="review">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
<p><a href="/form">Edit personal details</a> · <a href="/form/company">Edit company</a></p>
<form method="post" action="/form/review" novalidate>
<label><input type="checkbox" name="confirm" value="yes" required> I confirm these details are correct</label>
${errors['confirm'] ? `<p class="error" role="alert">${escapeHtml(errors['confirm'])}</p>` : ''}
<button type="submit">Submit application</button>
</form></main>`,
  });
}

function confirmation(number: string): string {
  return htmlPage({
    title: 'Application received',
    body: `<main><h1>Application received</h1>
<p>Thank you. Your confirmation number is <strong class="confirmation-number" data-testid="confirmation-number">${escapeHtml(number)}</strong>.</p>
<p><a href="/form">Start a new application</a></p></main>`,
  });
}

function draftOf(
  request: SiteRequest,
  state: SiteState,
): { id: string; draft: Record<string, string>; setCookie?: string } {
  const existing = request.cookies[COOKIE];
  if (existing !== undefined) {
    const draft = state.formDrafts.get(existing);
    if (draft) return { id: existing, draft };
  }
  const id = `draft${state.nextDraftId++}`;
  const draft: Record<string, string> = {};
  state.formDrafts.set(id, draft);
  return { id, draft, setCookie: `${COOKIE}=${id}; Path=/form; HttpOnly; SameSite=Lax` };
}

function take(request: SiteRequest, draft: Record<string, string>, names: string[]): void {
  for (const name of names) draft[name] = (request.form.get(name) ?? '').trim();
}

/** The three-step application form with server-side validation and POST-redirect-GET. */
export const formHandler: SiteHandler = (request, state) => {
  const { pathname } = request.url;
  if (!pathname.startsWith('/form')) return undefined;
  if (pathname === '/form/confirmation') {
    return html(confirmation(request.url.searchParams.get('number') ?? ''));
  }
  const { draft, setCookie } = draftOf(request, state);
  const cookieHeader: Record<string, string> = setCookie ? { 'set-cookie': setCookie } : {};
  const post = request.method === 'POST';
  if (pathname === '/form') {
    if (!post) return html(step1(draft, {}), 200, cookieHeader);
    take(request, draft, ['fullName', 'email', 'phone']);
    const errors: Errors = {};
    if (!draft['fullName']) errors['fullName'] = 'Full name is required';
    if (!draft['email']) errors['email'] = 'Email is required';
    else if (!EMAIL.test(draft['email']))
      errors['email'] = 'Enter a valid email address, like name@example.com';
    if (Object.keys(errors).length > 0) return html(step1(draft, errors), 422, cookieHeader);
    draft['step1'] = 'done';
    return redirect('/form/company', 303, cookieHeader);
  }
  if (draft['step1'] !== 'done') return redirect('/form', 303, cookieHeader);
  if (pathname === '/form/company') {
    if (!post) return html(step2(draft, {}), 200, cookieHeader);
    take(request, draft, ['companyName', 'role', 'teamSize']);
    draft['newsletter'] = request.form.get('newsletter') === 'yes' ? 'yes' : '';
    const errors: Errors = {};
    if (!draft['companyName']) errors['companyName'] = 'Company name is required';
    if (!(FORM_ROLES as readonly string[]).includes(draft['role'] ?? '')) errors['role'] = 'Choose your role';
    if (draft['teamSize'] && !/^[1-9][0-9]*$/.test(draft['teamSize']))
      errors['teamSize'] = 'Team size must be a positive whole number';
    if (Object.keys(errors).length > 0) return html(step2(draft, errors), 422, cookieHeader);
    draft['step2'] = 'done';
    return redirect('/form/review', 303, cookieHeader);
  }
  if (draft['step2'] !== 'done') return redirect('/form/company', 303, cookieHeader);
  if (pathname === '/form/review') {
    if (!post) return html(step3(draft, {}), 200, cookieHeader);
    if (request.form.get('confirm') !== 'yes') {
      return html(step3(draft, { confirm: 'Tick the box to confirm your details' }), 422, cookieHeader);
    }
    const input = {
      fullName: draft['fullName'] ?? '',
      email: draft['email'] ?? '',
      phone: draft['phone'] ?? '',
      companyName: draft['companyName'] ?? '',
      role: draft['role'] ?? '',
      teamSize: draft['teamSize'] ?? '',
      newsletter: draft['newsletter'] === 'yes',
    };
    const confirmationNumber = formConfirmationNumber(input);
    state.submissions.push({ ...input, confirmationNumber });
    for (const key of Object.keys(draft)) delete draft[key];
    return redirect(`/form/confirmation?number=${encodeURIComponent(confirmationNumber)}`, 303, cookieHeader);
  }
  return undefined;
};

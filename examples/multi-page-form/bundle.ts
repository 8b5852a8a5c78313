// A multi-page form: applies for a membership of Harbour Coworking (./site) with the
// applicant's details from the parameters, step by step (details → plan → review → submit),
// and returns the reference the confirmation page shows. Submitting changes the site, so it
// is imported with --side-effects (never replayed to check a repair).
import type { TaskContext } from 'webtasks:runtime';

interface Application {
  fullName: string;
  email: string;
  plan: 'hot-desk' | 'fixed-desk' | 'private-office';
  seats: number;
  annual: boolean;
}

export default async function run(
  ctx: TaskContext,
): Promise<{ reference: string; confirmation: string; application: Application }> {
  const formUrl = String(ctx.params.formUrl ?? '');
  if (!/^https?:\/\//.test(formUrl)) {
    throw new Error('Pass the form URL as the formUrl parameter, e.g. http://127.0.0.1:8765/apply/');
  }
  const application: Application = {
    fullName: String(ctx.params.fullName ?? ''),
    email: String(ctx.params.email ?? ''),
    plan: (ctx.params.plan ?? 'hot-desk') as Application['plan'],
    seats: Number(ctx.params.seats ?? 1),
    annual: ctx.params.annual === true,
  };
  const { page } = ctx;

  await page.goto(formUrl);
  // Step 1: details.
  await page.getByLabel('Full name').fill(application.fullName);
  await page.getByLabel('Email').fill(application.email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/plan\.html/);
  // Step 2: plan.
  await page.getByLabel('Plan').selectOption(application.plan);
  await page.getByLabel('Seats').fill(String(application.seats));
  await page.getByLabel('Annual billing').setChecked(application.annual);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/review\.html/);
  // Step 3: review what the site understood, then submit.
  const shown = (await page.locator('dd[data-answer="plan"]').textContent())?.trim();
  if (shown !== application.plan)
    throw new Error(`The review step shows plan "${shown}", not "${application.plan}"`);
  await page.getByLabel('I accept the membership terms').check();
  await page.getByRole('button', { name: 'Submit application' }).click();
  await page.waitForURL(/done\.html/);

  const status = page.getByRole('status');
  const reference = ((await status.locator('#reference').textContent()) ?? '').trim();
  ctx.log.info(`submitted: reference ${reference}`);
  return { reference, confirmation: ((await status.textContent()) ?? '').trim(), application };
}

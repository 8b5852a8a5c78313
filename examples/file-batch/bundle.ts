// A file batch: downloads every monthly arrivals report (CSV) that the Port of Kelmouth lists
// (./site), optionally only those of one year, and hands them to the caller as files.
// Each file in the output is a FileRef the engine stored (id, name, type, size, source URL).
import type { FileRef, TaskContext } from 'webtasks:runtime';

export default async function run(
  ctx: TaskContext,
): Promise<{ reports: Array<{ month: string; file: FileRef }> }> {
  const reportsUrl = String(ctx.params.reportsUrl ?? '');
  if (!/^https?:\/\//.test(reportsUrl)) {
    throw new Error('Pass the reports page as the reportsUrl parameter, e.g. http://127.0.0.1:8765/reports/');
  }
  const year = ctx.params.year === undefined ? '' : String(ctx.params.year);
  await ctx.page.goto(reportsUrl);

  const links = await ctx.page
    .locator('ul.reports a')
    .evaluateAll((anchors) =>
      anchors.map((a) => ({ href: (a as HTMLAnchorElement).href, text: (a.textContent ?? '').trim() })),
    );
  const reports: Array<{ month: string; file: FileRef }> = [];
  for (const link of links) {
    const month = /arrivals-(\d{4}-\d{2})\.csv$/.exec(link.href)?.[1];
    if (!month || (year && !month.startsWith(`${year}-`))) continue;
    const file = await ctx.files.download(link.href, { name: `arrivals-${month}.csv` });
    ctx.log.info(`${link.text}: ${file.sizeBytes} bytes`);
    reports.push({ month, file });
  }
  return { reports };
}

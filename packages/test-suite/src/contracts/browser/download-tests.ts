import { expect } from 'vitest';
import { fixtureFiles } from '../../sites/index.js';
import { TESTING_REPORT_CSV } from '../../sites/testing.js';
import { expectWebTasksError } from '../stores/contract-options.js';
import { type BrowserTestRegistrar, step } from './harness.js';

/** Downloads by click and by URL. */
export function registerDownloadTests(test: BrowserTestRegistrar): void {
  test(
    'downloads: clicking attachment links returns each file, even several in a row',
    async ({ open }) => {
      const d = await open();
      await d.goto('/files');
      const attachments = fixtureFiles.filter((f) => f.attachment);
      for (const file of attachments) {
        const got = await d.session.download({
          trigger: { kind: 'click', locator: [step.role('link', { name: file.title, exact: true })] },
          timeoutMs: 10_000,
        });
        expect(got.suggestedName).toBe(file.name);
        expect(got.contentType.split(';')[0]).toBe(file.contentType.split(';')[0]);
        expect(got.url).toMatch(new RegExp(`/files/download/${file.name}$`));
        expect(Buffer.from(got.body).equals(Buffer.from(file.body))).toBe(true);
      }
    },
    { needs: 'downloads', timeoutMs: 60_000 },
  );

  test(
    'downloads: a click download takes its content type from the response, not from its name',
    async ({ open }) => {
      const d = await open();
      await d.goto('/testing/attachment');
      const got = await d.session.download({
        trigger: { kind: 'click', locator: [step.role('link', { name: 'Monthly report' })] },
        timeoutMs: 10_000,
      });
      expect(got.suggestedName).toBe('report');
      expect(got.contentType.split(';')[0]).toBe('text/csv');
      expect(Buffer.from(got.body).toString('utf8')).toBe(TESTING_REPORT_CSV);
    },
    { needs: 'downloads', timeoutMs: 30_000 },
  );

  test(
    'downloads: by URL, relative to the page, return the bytes of every file of the batch',
    async ({ open }) => {
      const d = await open();
      await d.goto('/files');
      for (const file of fixtureFiles) {
        const got = await d.session.download({
          trigger: { kind: 'url', url: `/files/download/${file.name}` },
        });
        expect(got.suggestedName).toBe(file.name);
        expect(got.contentType).toBe(file.contentType);
        expect(Buffer.from(got.body).equals(Buffer.from(file.body))).toBe(true);
      }
    },
    { needs: 'downloads', timeoutMs: 60_000 },
  );

  test(
    'downloads: a URL the egress policy refuses is policy-denied, including via a redirect',
    async ({ open, sites }) => {
      const d = await open();
      await d.goto('/files');
      const denied = `http://localhost:${sites.port}/files/download/${fixtureFiles[0]!.name}`;
      await expectWebTasksError(
        d.session.download({ trigger: { kind: 'url', url: denied } }),
        'policy-denied',
      );
      const redirect = `/testing/redirect?to=${encodeURIComponent(denied)}`;
      const error = await expectWebTasksError(
        d.session.download({ trigger: { kind: 'url', url: redirect } }),
        'policy-denied',
      );
      expect(error.message).toContain(denied);
      expect(sites.requests.some((r) => r.host.startsWith('localhost'))).toBe(false);
    },
    { needs: 'downloads' },
  );
}

/** A bundle for the fixture site's simple table (`/tables/simple`): name and batch of each row. */
export const TABLE_BUNDLE_SOURCE = `import type { TaskContext } from 'webtasks:runtime';

export default async function run(ctx: TaskContext) {
  await ctx.page.goto(String(ctx.params.url));
  const rows = await ctx.page.locator('#companies tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const cells = Array.from(tr.querySelectorAll('td')).map((td: any) => (td.textContent ?? '').trim());
      return { name: String(cells[0]), batch: String(cells[1]) };
    }),
  );
  ctx.log.info('read ' + rows.length + ' rows');
  return { companies: rows };
}
`;

/** The output schema of `TABLE_BUNDLE_SOURCE`. */
export const TABLE_BUNDLE_SCHEMA = {
  type: 'object',
  required: ['companies'],
  properties: {
    companies: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'batch'],
        properties: { name: { type: 'string' }, batch: { type: 'string' } },
      },
    },
  },
};

// A table: reads the tide table of the Kelmouth Harbour Office (./site) into typed rows,
// optionally for one harbour only. Columns are found by their header text, not their
// position, so a reordered table still reads right (and a renamed one fails loudly).
import type { TaskContext } from 'webtasks:runtime';

interface Tide {
  harbour: string;
  day: string;
  highWater: string;
  highMetres: number;
  lowWater: string;
  lowMetres: number;
}

export default async function run(ctx: TaskContext): Promise<{ tides: Tide[] }> {
  const tidesUrl = String(ctx.params.tidesUrl ?? '');
  if (!/^https?:\/\//.test(tidesUrl)) {
    throw new Error('Pass the tide table page as the tidesUrl parameter, e.g. http://127.0.0.1:8765/tides/');
  }
  const harbour = typeof ctx.params.harbour === 'string' ? ctx.params.harbour : '';
  await ctx.page.goto(tidesUrl);

  const table = ctx.page.getByRole('table', { name: 'High and low water' });
  const headers = (await table.locator('thead th').allTextContents()).map((text) => text.trim());
  const cells = await table
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) =>
        Array.from(row.querySelectorAll('th, td')).map((cell) => (cell.textContent ?? '').trim()),
      ),
    );
  // "Height (m)" appears twice: the first follows high water, the second low water.
  const column = (name: string, nth = 0) => {
    const indexes = headers.flatMap((header, index) => (header === name ? [index] : []));
    const index = indexes[nth];
    if (index === undefined)
      throw new Error(`The tide table has no "${name}" column (headers: ${headers.join(', ')})`);
    return index;
  };
  const at = {
    harbour: column('Harbour'),
    day: column('Day'),
    highWater: column('High water'),
    highMetres: column('Height (m)', 0),
    lowWater: column('Low water'),
    lowMetres: column('Height (m)', 1),
  };
  const tides = cells
    .map((row) => ({
      harbour: row[at.harbour] ?? '',
      day: row[at.day] ?? '',
      highWater: row[at.highWater] ?? '',
      highMetres: Number(row[at.highMetres]),
      lowWater: row[at.lowWater] ?? '',
      lowMetres: Number(row[at.lowMetres]),
    }))
    .filter((tide) => !harbour || tide.harbour === harbour);
  ctx.log.info(`${tides.length} rows${harbour ? ` for ${harbour}` : ''}`);
  return { tides };
}

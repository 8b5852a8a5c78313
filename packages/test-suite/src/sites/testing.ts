import { escapeHtml, htmlPage } from './html.js';
import { html, redirect, type SiteHandler } from './site-types.js';

/** A 1×1 transparent PNG. */
export const FIXTURE_PIXEL_PNG = new Uint8Array(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
    'base64',
  ),
);

function index(): string {
  return htmlPage({
    title: 'webtasks fixture sites',
    body: `<main><h1>Fixture sites</h1><ul>
<li><a href="/directory">Company directory</a></li>
<li><a href="/form">Application form</a></li>
<li><a href="/files">Downloads</a></li>
<li><a href="/tables">Tables</a></li>
<li><a href="/infinite">Products (load more)</a></li>
<li><a href="/infinite/scroll">Products (infinite scroll)</a></li>
<li><a href="/testing/controls">Controls playground</a></li>
</ul></main>`,
  });
}

function controls(): string {
  const fruits = ['Apple', 'Banana', 'Cherry', 'Date', 'Elderberry']
    .map(
      (f, i) =>
        `<li class="fruit" data-testid="fruit-${i}" data-price="${(i + 1) * 3}">${f}${i % 2 === 0 ? ' <span class="tag">fresh</span>' : ''}</li>`,
    )
    .join('');
  return htmlPage({
    title: 'Controls playground',
    body: `<main><h1>Controls playground</h1>
<form id="profile" onsubmit="event.preventDefault(); document.getElementById('output').textContent = JSON.stringify(Object.fromEntries(new FormData(this)));">
<label for="name">Name</label> <input id="name" name="name" placeholder="Your name" required>
<label for="bio">Bio</label> <textarea id="bio" name="bio"></textarea>
<label><input type="checkbox" name="terms" value="yes"> Accept terms</label>
<fieldset><legend>Plan</legend><label><input type="radio" name="plan" value="free" checked> Free</label><label><input type="radio" name="plan" value="pro"> Pro</label></fieldset>
<label for="color">Color</label> <select id="color" name="color"><option value="r">Red</option><option value="g">Green</option><option value="b">Blue</option></select>
<input id="disabled-input" aria-label="Locked field" value="locked" disabled>
<button type="submit">Save profile</button>
</form>
<pre id="output" data-testid="output"></pre>
<ul id="fruits" aria-label="Fruits">${fruits}</ul>
<img src="/testing/pixel.png" alt="Company logo" width="1" height="1">
<span title="Tooltip text">Hover me</span>
<button id="counter" type="button" onclick="this.textContent = 'Clicked ' + (Number(this.dataset.n = (Number(this.dataset.n || 0) + 1)) ) + ' times'">Clicked 0 times</button>
<button id="double" type="button" ondblclick="this.textContent = 'Double clicked'">Double click me</button>
<input id="keys" aria-label="Key log" onkeydown="this.dataset.last = event.key">
<button id="delayed" type="button" onclick="setTimeout(function(){var p=document.createElement('p');p.id='late';p.textContent='Arrived late';document.body.appendChild(p);}, 300)">Show later</button>
<p><a href="/testing/second?from=controls">Go to the second page</a></p>
</main>`,
  });
}

/**
 * Helper pages for the browser contract suite: `/testing/controls` (every kind of control),
 * `/testing/redirect?to=`, `/testing/embed?img=`, `/testing/set-cookie?name=&value=`,
 * `/testing/cookies`, `/testing/slow?ms=`, `/testing/pixel.png`, `/testing/attachment` (a link to a
 * download whose name has no extension: only its response says it is CSV), plus the index `/`.
 */
/** The body of `/testing/attachment/report`. */
export const TESTING_REPORT_CSV = 'month,total\n2026-11,42\n';

export const testingHandler: SiteHandler = (request) => {
  const { pathname, searchParams } = request.url;
  switch (pathname) {
    case '/':
      return html(index());
    case '/testing/controls':
      return html(controls());
    case '/testing/second':
      return html(
        htmlPage({
          title: 'Second page',
          body: '<main><h1>Second page</h1><a href="/testing/controls">Back to controls</a></main>',
        }),
      );
    case '/testing/redirect': {
      const to = searchParams.get('to') ?? '/';
      return redirect(to, Number.parseInt(searchParams.get('status') ?? '302', 10) || 302);
    }
    case '/testing/embed': {
      const img = searchParams.get('img') ?? '/testing/pixel.png';
      return html(
        htmlPage({
          title: 'Embed',
          body: `<main><h1>Embed</h1><p id="status">pending</p>
<img id="embedded" alt="embedded" src="${escapeHtml(img)}" onload="document.getElementById('status').textContent='loaded'" onerror="document.getElementById('status').textContent='failed'"></main>`,
        }),
      );
    }
    case '/testing/set-cookie': {
      const name = searchParams.get('name') ?? 'session';
      const value = searchParams.get('value') ?? '1';
      return html(
        htmlPage({ title: 'Cookie set', body: `<p id="done">Cookie ${escapeHtml(name)} set</p>` }),
        200,
        {
          'set-cookie': `${encodeURIComponent(name)}=${encodeURIComponent(value)}; Path=/`,
        },
      );
    }
    case '/testing/cookies': {
      const cookie = String(request.headers['cookie'] ?? '');
      return html(htmlPage({ title: 'Cookies', body: `<pre id="cookies">${escapeHtml(cookie)}</pre>` }));
    }
    case '/testing/slow': {
      const ms = Math.min(30_000, Number.parseInt(searchParams.get('ms') ?? '1000', 10) || 0);
      return new Promise((resolve) =>
        setTimeout(() => resolve(html(htmlPage({ title: 'Slow', body: `<p>Waited ${ms} ms</p>` }))), ms),
      );
    }
    case '/testing/attachment':
      return html(
        htmlPage({
          title: 'Attachment',
          body: '<main><h1>Export</h1><a href="/testing/attachment/report">Monthly report</a></main>',
        }),
      );
    case '/testing/attachment/report':
      return {
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': 'attachment; filename="report"',
        },
        body: TESTING_REPORT_CSV,
      };
    case '/testing/pixel.png':
      return { status: 200, headers: { 'content-type': 'image/png' }, body: FIXTURE_PIXEL_PNG };
    default:
      return undefined;
  }
};

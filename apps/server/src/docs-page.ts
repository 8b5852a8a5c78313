/**
 * A self-contained HTML page that documents the API from its OpenAPI document: rendered on
 * the server, no script, no CDN, so it works offline and under a strict CSP.
 */
type Json = Record<string, unknown>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function asObject(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function schemaBlock(schema: unknown): string {
  return `<details><summary>schema</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`;
}

function renderOperation(path: string, method: string, operation: Json): string {
  const parts: string[] = [];
  const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
  parts.push(
    `<section id="${escapeHtml(id)}"><h2><span class="m m-${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2>`,
  );
  if (typeof operation.summary === 'string')
    parts.push(`<p><strong>${escapeHtml(operation.summary)}</strong></p>`);
  if (typeof operation.description === 'string') parts.push(`<p>${escapeHtml(operation.description)}</p>`);
  if (Array.isArray(operation.security) && operation.security.length > 0) {
    parts.push('<p class="auth">Requires the <code>x-api-key</code> header.</p>');
  }
  const parameters = Array.isArray(operation.parameters) ? operation.parameters.map(asObject) : [];
  if (parameters.length > 0) {
    parts.push(
      '<h3>Parameters</h3><table><tr><th>name</th><th>in</th><th>required</th><th>description</th></tr>',
    );
    for (const parameter of parameters) {
      parts.push(
        `<tr><td><code>${escapeHtml(String(parameter.name))}</code></td><td>${escapeHtml(String(parameter.in))}</td>` +
          `<td>${parameter.required === true ? 'yes' : 'no'}</td><td>${escapeHtml(String(parameter.description ?? asObject(parameter.schema).description ?? ''))}</td></tr>`,
      );
    }
    parts.push('</table>');
  }
  const body = asObject(asObject(asObject(operation.requestBody).content)['application/json']).schema;
  if (body !== undefined) parts.push(`<h3>Request body (application/json)</h3>${schemaBlock(body)}`);
  const responses = asObject(operation.responses);
  parts.push('<h3>Responses</h3><ul>');
  for (const [status, response] of Object.entries(responses)) {
    const content = asObject(asObject(response).content);
    const first = Object.values(content)[0];
    parts.push(
      `<li><code>${escapeHtml(status)}</code> ${escapeHtml(String(asObject(response).description ?? ''))}${first === undefined ? '' : schemaBlock(asObject(first).schema)}</li>`,
    );
  }
  parts.push('</ul></section>');
  return parts.join('\n');
}

/** Render the docs page of an OpenAPI document. */
export function renderDocsPage(document: Json): string {
  const info = asObject(document.info);
  const title = String(info.title ?? 'API');
  const sections: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(asObject(document.paths))) {
    for (const method of METHODS) {
      const operation = asObject(item)[method];
      if (operation === undefined) continue;
      const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
      toc.push(`<li><a href="#${escapeHtml(id)}">${method.toUpperCase()} ${escapeHtml(path)}</a></li>`);
      sections.push(renderOperation(path, method, asObject(operation)));
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
code,pre{font-family:ui-monospace,monospace}pre{background:#f5f5f7;padding:.75rem;overflow:auto;font-size:12px}
section{border-top:1px solid #ddd;padding-top:1rem;margin-top:1.5rem}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}.m{color:#fff;padding:.1rem .4rem;border-radius:3px;font-size:13px}
.m-get{background:#0a7d38}.m-post{background:#0057b8}.m-delete{background:#b00020}.auth{color:#8a5a00}
</style></head><body>
<h1>${escapeHtml(title)} <small>${escapeHtml(String(info.version ?? ''))}</small></h1>
<p>${escapeHtml(String(info.description ?? ''))}</p>
<p>Machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escapeHtml(String(document.openapi ?? ''))}).</p>
<ul>${toc.join('')}</ul>
${sections.join('\n')}
</body></html>`;
}

/** Escape text for HTML content and attribute values. */
export function escapeHtml(value: string | number): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A complete HTML document with no external resources. */
export function htmlPage(options: {
  title: string;
  body: string;
  head?: string;
  bodyClass?: string;
}): string {
  const bodyClass = options.bodyClass === undefined ? '' : ` class="${escapeHtml(options.bodyClass)}"`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(options.title)}</title>
<style>body{font-family:sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2rem .5rem}.error{color:#b00}</style>
${options.head ?? ''}
</head>
<body${bodyClass}>
${options.body}
</body>
</html>
`;
}

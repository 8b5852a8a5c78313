/**
 * A `Content-Disposition` value that makes browsers save a download as `name`: an ASCII
 * fallback for old clients plus the exact name in RFC 5987 form.
 */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

import { deflateSync } from 'node:zlib';
import { createSeededRandom } from '../seeded-random.js';

// The static assets of the realistic-weight pages, generated in code and deterministic: a
// stylesheet, a JavaScript bundle that does real work on load, web fonts and images.

/** One static asset. */
export interface RealAsset {
  path: string;
  contentType: string;
  body: Uint8Array;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.byteLength, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid RGB PNG of `width`×`height` with noisy gradients (so it compresses like a photo, a little). */
export function generatePng(width: number, height: number, seed: number): Uint8Array {
  const random = createSeededRandom(seed);
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const noise = random.int(0, 40);
      row[1 + x * 3] = (x * 255) / width + noise;
      row[2 + x * 3] = (y * 255) / height + noise;
      row[3 + x * 3] = ((seed * 37) % 255) + noise;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 6 })),
      chunk('IEND', new Uint8Array()),
    ]),
  );
}

function stylesheet(): string {
  const rules: string[] = [
    "@font-face{font-family:'Shop Sans';src:url(/real/assets/shop-sans.woff2) format('woff2');font-display:swap}",
    "@font-face{font-family:'Shop Serif';src:url(/real/assets/shop-serif.woff2) format('woff2');font-display:swap}",
    "body{font-family:'Shop Sans',sans-serif;margin:0;color:#222}h1,h2{font-family:'Shop Serif',serif}",
    '.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem}',
    '.card{border:1px solid #ddd;border-radius:6px;padding:.75rem}.card img{width:100%;height:auto}',
  ];
  // Utility classes, the bulk of a real stylesheet.
  for (let i = 0; i < 600; i++) {
    rules.push(
      `.u-${i}{margin:${i % 7}px ${i % 5}px;padding:${i % 3}px;color:#${((i * 2654435761) >>> 8).toString(16).slice(0, 6).padStart(6, '0')}}`,
    );
  }
  return rules.join('\n');
}

function bundle(): string {
  // A generated "framework": many small modules, then an app that indexes the page for search.
  const modules: string[] = [];
  for (let i = 0; i < 700; i++) {
    modules.push(
      `function m${i}(input){var out=[];for(var k=0;k<input.length;k++){out.push((input.charCodeAt(k)*${i + 1})%97)}return out.join('.')}`,
    );
  }
  return `(function(){'use strict';
${modules.join('\n')}
var registry={${Array.from({ length: 700 }, (_, i) => `m${i}:m${i}`).join(',')}};
function ready(fn){if(document.readyState!=='loading')fn();else document.addEventListener('DOMContentLoaded',fn);}
ready(function(){
  var cards=document.querySelectorAll('[data-product]');
  var index=[];
  for(var i=0;i<cards.length;i++){index.push({id:cards[i].getAttribute('data-product'),text:cards[i].textContent.toLowerCase(),digest:registry['m'+(i%700)](cards[i].textContent.slice(0,40))});}
  var box=document.getElementById('search');
  if(box){box.addEventListener('input',function(){var q=box.value.toLowerCase();for(var j=0;j<cards.length;j++){cards[j].hidden=q!==''&&index[j].text.indexOf(q)<0;}});}
  document.documentElement.setAttribute('data-app','ready');
});
})();
`;
}

let cached: Map<string, RealAsset> | undefined;

/** Every asset by path (`/real/assets/...`): generated once per process. */
export function realAssets(): Map<string, RealAsset> {
  if (cached) return cached;
  const assets = new Map<string, RealAsset>();
  const add = (path: string, contentType: string, body: Uint8Array | string) =>
    assets.set(path, {
      path,
      contentType,
      body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
    });
  add('/real/assets/site.css', 'text/css; charset=utf-8', stylesheet());
  add('/real/assets/app.js', 'text/javascript; charset=utf-8', bundle());
  for (const [index, name] of ['shop-sans', 'shop-serif'].entries()) {
    // Font-sized bytes: the browser downloads them as a real font, then refuses them (not a
    // valid font) and falls back; the network cost is what matters here.
    const random = createSeededRandom(1000 + index);
    const bytes = new Uint8Array(48 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(0, 255);
    add(`/real/assets/${name}.woff2`, 'font/woff2', bytes);
  }
  for (let i = 1; i <= REAL_IMAGE_COUNT; i++) {
    add(`/real/assets/photo-${i}.png`, 'image/png', generatePng(160, 120, i));
  }
  cached = assets;
  return assets;
}

/** Images each realistic page shows. */
export const REAL_IMAGE_COUNT = 12;

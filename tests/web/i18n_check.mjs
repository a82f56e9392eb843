// Every catalogue has the same keys, and every literal t('key') in the web app is in them.
// Run by tests/system/test_web_ui.py; prints one JSON line {ok, problems}.
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';

const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), '../../services/gateway/web');
const id = (await import(path.join(root, 'i18n/id.js'))).default;
const en = (await import(path.join(root, 'i18n/en.js'))).default;
const problems = [];
for (const k of Object.keys(id)) if (!(k in en)) problems.push(`en lacks ${k}`);
for (const k of Object.keys(en)) if (!(k in id)) problems.push(`id lacks ${k}`);
const files = [];
const walk = (d) => { for (const f of fs.readdirSync(d)) { const p = path.join(d, f); if (fs.statSync(p).isDirectory()) walk(p); else if (p.endsWith('.js') && !p.includes('/i18n/')) files.push(p); } };
walk(path.join(root, 'app'));
for (const f of files) {
  const text = fs.readFileSync(f, 'utf8');
  for (const m of text.matchAll(/\bt\('([a-z_.\-0-9]+)'/g)) if (!(m[1] in id)) problems.push(`${path.basename(f)}: t('${m[1]}') missing`);
  for (const m of text.matchAll(/(?:label|submit|hint|placeholder): '([a-z_]+\.[a-z_.\-0-9]+)'/g)) if (!(m[1] in id)) problems.push(`${path.basename(f)}: '${m[1]}' missing`);
  if (/innerHTML|outerHTML|insertAdjacentHTML|document\.write/.test(text)) problems.push(`${path.basename(f)} writes HTML`);
}
console.log(JSON.stringify({ ok: problems.length === 0, files: files.length, keys: Object.keys(id).length, problems }));

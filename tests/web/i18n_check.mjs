// Every catalogue has the same keys, and every literal t('key') in the web app is in them: the
// operators' interface (app/, i18n/) and the members' own pages (anggota/, anggota/i18n/) each
// against their own catalogues.
// Run by tests/system/test_web_ui.py; prints one JSON line {ok, problems}.
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';

const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), '../../services/gateway/web');
const problems = [];
let files = 0;
let keys = 0;
async function check(dir, catalogues) {
  const id = (await import(path.join(root, catalogues, 'id.js'))).default;
  const en = (await import(path.join(root, catalogues, 'en.js'))).default;
  for (const k of Object.keys(id)) if (!(k in en)) problems.push(`${catalogues}: en lacks ${k}`);
  for (const k of Object.keys(en)) if (!(k in id)) problems.push(`${catalogues}: id lacks ${k}`);
  const found = [];
  const walk = (d) => { for (const f of fs.readdirSync(d)) { const p = path.join(d, f); if (fs.statSync(p).isDirectory()) walk(p); else if (p.endsWith('.js') && !p.includes('/i18n/')) found.push(p); } };
  walk(path.join(root, dir));
  for (const f of found) {
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\b(?:t\(|tIn\('[a-z]+', )'([a-z_.\-0-9]+)'/g)) if (!(m[1] in id)) problems.push(`${dir}/${path.basename(f)}: t('${m[1]}') missing`);
    for (const m of text.matchAll(/(?:label|submit|hint|placeholder|nav): '([a-z_]+\.[a-z_.\-0-9]+)'/g)) if (!(m[1] in id)) problems.push(`${dir}/${path.basename(f)}: '${m[1]}' missing`);
    if (/innerHTML|outerHTML|insertAdjacentHTML|document\.write/.test(text)) problems.push(`${path.basename(f)} writes HTML`);
  }
  files += found.length;
  return Object.keys(id).length;
}
keys = await check('app', 'i18n');
const memberKeys = await check('anggota', 'anggota/i18n');
console.log(JSON.stringify({ ok: problems.length === 0, files, keys, member_keys: memberKeys, problems }));

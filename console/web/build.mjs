// Builds the console's UI into services/console/assets/, which the binary embeds.
// Deterministic: the same sources and lock give the same bytes (no timestamps; esbuild's content
// hashes name the files), so CI can rebuild and compare with what is committed (`just check-assets`).
import { build } from 'esbuild';
import { readFileSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '../../services/console/assets');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: { app: join(here, 'src/main.jsx') },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: out,
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const script = outputs.find((n) => n.endsWith('.js'));
const style = outputs.find((n) => n.endsWith('.css'));
const page = readFileSync(join(here, 'src/index.html'), 'utf8')
  .replace('%STYLE%', `/assets/${style}`)
  .replace('%SCRIPT%', `/assets/${script}`);
writeFileSync(join(out, 'index.html'), page);
console.log(`console-assets: ${['index.html', ...outputs].join(', ')} in services/console/assets/`);

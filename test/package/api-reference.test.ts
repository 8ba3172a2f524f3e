/**
 * docs/api is generated from the doc comments of the three entry points by typedoc (typedoc.json; `npx projen docgen`,
 * also run by the build after compiling). Regenerated here into a temporary folder: any difference means the committed
 * reference no longer describes the code.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

test('docs/api is the API reference the current doc comments generate (run `npx projen docgen` when this fails)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'api-reference-'));
  try {
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const generated = tree(out);
    expect(Object.keys(generated).sort()).toEqual(['README.md', 'index.md', 'pulumi.md', 'tfserving.md']);
    expect(tree(path.join(root, 'docs', 'api'))).toEqual(generated);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 180_000);

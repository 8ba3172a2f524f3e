/**
 * Documentation rules: every optional prop of a public interface documents its default with `@default`,
 * and every exported symbol has a JSDoc comment.
 */
import * as fs from 'fs';
import * as path from 'path';

const lib = path.resolve(__dirname, '..', 'lib');
const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
  const p = path.join(dir, e.name);
  if (e.isDirectory()) return e.name === 'imports' ? [] : files(p);
  return e.name.endsWith('.ts') ? [p] : [];
});

/** The JSDoc block right above line `i`, if any. */
function docAbove(lines: string[], i: number): string | undefined {
  let j = i - 1;
  while (j >= 0 && lines[j].trim() === '') j--;
  if (j < 0 || !lines[j].trim().endsWith('*/')) return undefined;
  const end = j;
  while (j >= 0 && !lines[j].trim().startsWith('/**')) j--;
  return j < 0 ? undefined : lines.slice(j, end + 1).join('\n');
}

test('every optional prop of an exported props/options interface has @default', () => {
  const missing: string[] = [];
  for (const f of files(lib)) {
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    let inInterface = false;
    lines.forEach((line, i) => {
      // Props, options and inputs are what users write; resolved specs and results document themselves.
      if (/^export interface \w+(Props|Options|Inputs|Axes|Args)\b/.test(line)) {inInterface = true;} else if (/^}/.test(line)) {inInterface = false;} else if (inInterface && /^ {2}readonly [A-Za-z0-9_]+\?:/.test(line)) {
        const doc = docAbove(lines, i);
        if (!doc || !doc.includes('@default')) missing.push(`${path.relative(lib, f)}:${i + 1} ${line.trim()}`);
      }
    });
  }
  expect(missing).toEqual([]);
});

test('every exported class, interface, function and const has a JSDoc comment', () => {
  const missing: string[] = [];
  for (const f of files(lib)) {
    if (f.endsWith('index.ts')) continue;
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    let inTemplate = false;
    lines.forEach((line, i) => {
      // Skip text inside template literals (e.g. a generated script).
      if (inTemplate) {
        if (/^`;/.test(line) || /[^\\]`;\s*$/.test(line)) inTemplate = false;
        return;
      }
      if (/= `[^`]*$/.test(line)) inTemplate = true;
      if (/^export (declare )?(abstract )?(class|interface|function|const|type|enum) /.test(line) && !docAbove(lines, i)) {
        missing.push(`${path.relative(lib, f)}:${i + 1} ${line.trim().slice(0, 80)}`);
      }
    });
  }
  expect(missing).toEqual([]);
});

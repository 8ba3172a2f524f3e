import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');

test('the README quick start is examples/quickstart/main.ts (type-checked and synthesized by the test suite)', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const quickStart = /## Quick start\s+```ts\n([\s\S]*?)```/.exec(readme);
  expect(quickStart).not.toBeNull();
  const example = fs.readFileSync(path.join(root, 'examples/quickstart/main.ts'), 'utf8');
  expect(quickStart![1]).toBe(example.replace("from '../../lib'", "from 'tfserving-constructs'"));
});

test('the README names the two set-up commands', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  expect(readme).toContain('npm ci && npm run synth');
  expect(readme).toContain('npm ci && npm test');
});

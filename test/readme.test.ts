/**
 * The README against the repository. Its TypeScript blocks are compiled and run from the packed tarball in a new
 * cdk8s app by test/package/tarball.test.ts; here: the quick start is the quickstart example, the set-up commands are
 * named, and the Errors section quotes a message the library really throws.
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

test('the README quick start is examples/quickstart/main.ts (type-checked and synthesized by the test suite)', () => {
  const quickStart = /## Quick start\s+```ts\n([\s\S]*?)```/.exec(readme);
  expect(quickStart).not.toBeNull();
  const example = fs.readFileSync(path.join(root, 'examples/quickstart/main.ts'), 'utf8');
  expect(quickStart![1]).toBe(example.replace("from '../../lib'", "from 'tfserving-constructs'"));
});

test('the README names the two set-up commands', () => {
  expect(readme).toContain('npm ci && npm run synth');
  expect(readme).toContain('npm ci && npm test');
});
